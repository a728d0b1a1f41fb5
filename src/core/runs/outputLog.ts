/**
 * A run's output on disk: `output.log` holds every byte the agent wrote to stdout and stderr, in
 * the order written — the agent writes it itself (its stdout and stderr are this file, opened for
 * appending), so it never waits on us and keeps logging even if its supervisor dies. The
 * supervisor follows the file as it grows and writes `output.idx` (JSON lines
 * `[offset, length, timestamp, "o"]`), so a reader can ask for everything after a byte cursor or a time.
 */
import * as fs from 'node:fs';
import { JsonLinesWriter, readJsonLines } from '../store/jsonLines';
import { RunPaths } from '../state/stateMap';

/** `o`: the agent's combined stdout and stderr, as a terminal would show them (the only kind written today). */
export type OutputStream = 'o' | 'e';
export type IndexEntry = [offset: number, length: number, ts: number, stream: OutputStream];

/** The first line of every index file: what it is, in which version. */
export const INDEX_HEADER = { version: 1, kind: 'switchboard-output-index' } as const;

const FOLLOW_DELAY_MS = 20;
const SAFETY_POLL_MS = 250;
const READ_CHUNK = 4 * 1024 * 1024;

export class OutputFollower {
  /** The descriptor to hand the agent as its stdout and stderr. */
  readonly fd: number;
  private offset: number;
  private readonly index: JsonLinesWriter;
  private watcher: fs.FSWatcher | undefined;
  private poll: NodeJS.Timeout | undefined;
  private pending: NodeJS.Timeout | undefined;
  /** Set by resumeAt: where the next read's bytes for the parser begin (earlier than what is indexed). */
  private parseFrom: number | undefined;

  constructor(
    private readonly paths: RunPaths,
    /** Receives the new bytes and where they start, when the run's output is parsed (undefined: nobody needs to read them). */
    private readonly onChunk: ((chunk: Buffer, at: number) => void) | undefined,
    private readonly onGrow: (bytes: number) => void,
    private readonly onError: (error: Error) => void,
  ) {
    // Read and append: the agent appends through this descriptor, we read back through it.
    this.fd = fs.openSync(paths.output, 'a+', 0o600);
    this.offset = fs.fstatSync(this.fd).size;
    const isNew = fileSize(paths.outputIndex) === 0;
    this.index = new JsonLinesWriter(paths.outputIndex, 100, onError);
    if (isNew) this.index.append(INDEX_HEADER);
  }

  get bytes(): number {
    return this.offset;
  }

  /**
   * A supervisor that takes over a run whose supervisor died: the index goes on from where the dead
   * one's ended (bytes it never read get indexed now), and the parser is handed the output again from
   * `parsed`, where the dead one's parse stood when its record was last written.
   */
  resumeAt(parsed: number, indexed: number): void {
    this.offset = Math.min(indexed, this.offset);
    this.parseFrom = Math.min(parsed, fs.fstatSync(this.fd).size);
  }

  /** Starts following: file-change events, and a slow safety poll in case an event is missed. */
  start(): void {
    try {
      this.watcher ??= fs.watch(this.paths.output, () => this.schedule());
    } catch {
      // No file watching here: the safety poll alone follows the file.
    }
    this.poll ??= setInterval(() => this.catchUp(), SAFETY_POLL_MS);
  }

  private schedule(): void {
    this.pending ??= setTimeout(() => {
      this.pending = undefined;
      this.catchUp();
    }, FOLLOW_DELAY_MS);
  }

  /** Indexes (and hands on) whatever the agent has written since the last look. */
  catchUp(): void {
    try {
      this.readNew();
    } catch (error) {
      this.onError(error as Error);
    }
  }

  private readNew(): void {
    const size = fs.fstatSync(this.fd).size;
    const parseFrom = this.parseFrom ?? this.offset;
    this.parseFrom = undefined;
    if (size <= this.offset && parseFrom >= size) return;
    const from = this.offset;
    // Advance first: a reader that throws must not make the same bytes count twice.
    this.offset = Math.max(size, from);
    if (size > from) this.index.append([from, size - from, Date.now(), 'o'] satisfies IndexEntry);
    if (this.onChunk) {
      for (let at = parseFrom; at < size; at += READ_CHUNK) {
        const length = Math.min(READ_CHUNK, size - at);
        const chunk = Buffer.allocUnsafe(length);
        const read = fs.readSync(this.fd, chunk, 0, length, at);
        try {
          this.onChunk(chunk.subarray(0, read), at);
        } catch (error) {
          this.onError(error as Error);
        }
      }
    }
    this.onGrow(size);
  }

  /** Stops following once the agent has exited, after a last look. */
  close(): void {
    this.catchUp();
    this.watcher?.close();
    if (this.poll) clearInterval(this.poll);
    if (this.pending) clearTimeout(this.pending);
    this.watcher = this.poll = this.pending = undefined;
    this.index.close();
    fs.closeSync(this.fd);
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Reads up to `limit` bytes from `cursor`; the end is moved back so no UTF-8 character is cut —
 * also at the end of a live log, whose last character may be half written. `final`: the log will
 * not grow, so its last bytes are returned as they are.
 */
export function readOutput(paths: RunPaths, cursor: number, limit: number, final = false, file = paths.output): { data: Buffer; nextCursor: number; size: number } {
  const size = fileSize(file);
  const start = Math.min(Math.max(cursor, 0), size);
  const length = Math.min(limit, size - start);
  if (length <= 0) return { data: Buffer.alloc(0), nextCursor: start, size };
  const data = Buffer.alloc(length);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, data, 0, length, start);
  } finally {
    fs.closeSync(fd);
  }
  const end = final && start + length >= size ? length : utf8SafeEnd(data);
  return { data: data.subarray(0, end), nextCursor: start + end, size };
}

/** The last `bytes` bytes of the output (starting on a character boundary); `file`: the redacted copy instead. */
export function readTail(paths: RunPaths, bytes: number, file = paths.output): Buffer {
  const size = fileSize(file);
  const { data } = readOutput(paths, Math.max(0, size - bytes), bytes, false, file);
  let start = 0;
  while (start < data.length && start < 4 && (data[start]! & 0xc0) === 0x80) start++;
  return data.subarray(start);
}

export function readIndex(paths: RunPaths): IndexEntry[] {
  return readJsonLines<IndexEntry>(paths.outputIndex, 0, Number.MAX_SAFE_INTEGER).items.filter((entry) => Array.isArray(entry));
}

/** The byte the index covers the output up to. */
export function indexedBytes(paths: RunPaths, index = readIndex(paths)): number {
  const last = index.at(-1);
  return last ? last[0] + last[1] : 0;
}

/** The start of the line that byte `offset` of the output is in (0, or just after a newline). */
export function lineStart(paths: RunPaths, offset: number): number {
  const step = 64 * 1024;
  const fd = fs.openSync(paths.output, 'r');
  try {
    for (let end = offset; end > 0; end -= step) {
      const start = Math.max(0, end - step);
      const chunk = Buffer.alloc(end - start);
      fs.readSync(fd, chunk, 0, chunk.length, start);
      const newline = chunk.lastIndexOf(0x0a);
      if (newline >= 0) return start + newline + 1;
    }
    return 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The byte offset of the first chunk that arrived after `ts`. Bytes written after the last indexed
 * chunk (by an agent that outlived its supervisor) have no time, so they count as after any `ts`.
 */
export function offsetAfter(paths: RunPaths, ts: number): number {
  const index = readIndex(paths);
  const entry = index.find((e) => e[2] > ts);
  return entry ? entry[0] : indexedBytes(paths, index);
}

/** Length of the longest prefix of `data` that does not end inside a multi-byte UTF-8 character. */
export function utf8SafeEnd(data: Buffer): number {
  let i = data.length - 1;
  let continuation = 0;
  while (i >= 0 && (data[i]! & 0xc0) === 0x80 && continuation < 3) {
    i--;
    continuation++;
  }
  if (i < 0) return data.length;
  const lead = data[i]!;
  const needed = lead >= 0xf0 ? 3 : lead >= 0xe0 ? 2 : lead >= 0xc0 ? 1 : 0;
  return needed > continuation ? i : data.length;
}
