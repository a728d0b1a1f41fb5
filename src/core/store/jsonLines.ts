/** Append-only JSON lines that tolerate a torn last line (a writer that died mid-line). */
import * as fs from 'node:fs';

export interface LinesRead<T> {
  items: T[];
  /** Byte offset just past the last complete line: where the next read should start. */
  nextOffset: number;
}

/** Reads complete lines from `offset`; a trailing partial line is left for a later read. */
export function readJsonLines<T>(file: string, offset = 0, maxBytes = 8 * 1024 * 1024): LinesRead<T> {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { items: [], nextOffset: offset };
    throw error;
  }
  try {
    const size = fs.fstatSync(fd).size;
    const length = Math.min(Math.max(size - offset, 0), maxBytes);
    if (length === 0) return { items: [], nextOffset: offset };
    const buffer = Buffer.alloc(length);
    fs.readSync(fd, buffer, 0, length, offset);
    const lastNewline = buffer.lastIndexOf(0x0a);
    if (lastNewline < 0) return { items: [], nextOffset: offset };
    const items: T[] = [];
    for (const line of buffer.toString('utf8', 0, lastNewline).split('\n')) {
      if (!line) continue;
      try {
        items.push(JSON.parse(line) as T);
      } catch {
        // A line torn by a crash followed by later writes: skip it, keep everything else.
      }
    }
    return { items, nextOffset: offset + lastNewline + 1 };
  } finally {
    fs.closeSync(fd);
  }
}

/** Appends one line; a last line torn by a writer that died is ended first, so this one is not merged into it (and lost with it). */
export function appendJsonLine(file: string, item: unknown): void {
  const fd = fs.openSync(file, 'a+', 0o600);
  try {
    const size = fs.fstatSync(fd).size;
    const last = Buffer.alloc(1);
    const torn = size > 0 && fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
    fs.writeSync(fd, `${torn ? '\n' : ''}${JSON.stringify(item)}\n`);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * A buffered appender: lines are queued and written together at most every `flushMs`,
 * so a chatty producer never costs one write per line.
 */
export class JsonLinesWriter {
  private queue: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private fd: number;

  constructor(
    file: string,
    private readonly flushMs = 50,
    private readonly onError: (error: Error) => void = () => {},
  ) {
    this.fd = fs.openSync(file, 'a', 0o600);
  }

  append(item: unknown): void {
    this.queue.push(JSON.stringify(item) + '\n');
    if (!this.timer) this.timer = setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const text = this.queue.join('');
    this.queue = [];
    try {
      fs.writeSync(this.fd, text);
    } catch (error) {
      this.onError(error as Error);
    }
  }

  close(): void {
    this.flush();
    try {
      fs.fsyncSync(this.fd);
    } catch {
      // fsync can fail on some filesystems; the data is already written.
    }
    fs.closeSync(this.fd);
  }
}
