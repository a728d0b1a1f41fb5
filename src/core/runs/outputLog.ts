/**
 * A run's output on disk: `output.log` holds every byte of stdout and stderr exactly as it arrived,
 * and `output.idx` (JSON lines `[offset, length, timestamp, "o"|"e"]`) says when each chunk came
 * and from which stream, so a reader can ask for everything after a byte cursor or a timestamp.
 */
import * as fs from 'node:fs';
import { JsonLinesWriter, readJsonLines } from '../store/jsonLines';
import type { RunPaths } from '../paths';

export type OutputStream = 'o' | 'e';
export type IndexEntry = [offset: number, length: number, ts: number, stream: OutputStream];

/** The first line of every index file: what it is, in which version. */
export const INDEX_HEADER = { version: 1, kind: 'switchboard-output-index' } as const;

export class OutputLogWriter {
  private readonly stream: fs.WriteStream;
  private readonly index: JsonLinesWriter;
  private offset: number;
  private lastError: Error | undefined;

  constructor(paths: RunPaths, onError: (error: Error) => void) {
    this.offset = fileSize(paths.output);
    this.stream = fs.createWriteStream(paths.output, { flags: 'a', mode: 0o600 });
    this.stream.on('error', (error) => {
      this.lastError = error;
      onError(error);
    });
    const isNew = fileSize(paths.outputIndex) === 0;
    this.index = new JsonLinesWriter(paths.outputIndex, 100, onError);
    if (isNew) this.index.append(INDEX_HEADER);
  }

  get bytes(): number {
    return this.offset;
  }

  /** Appends a chunk; returns false when the caller should pause its source until `drain`. */
  write(stream: OutputStream, chunk: Buffer): boolean {
    if (chunk.length === 0) return true;
    this.index.append([this.offset, chunk.length, Date.now(), stream] satisfies IndexEntry);
    this.offset += chunk.length;
    return this.lastError ? true : this.stream.write(chunk);
  }

  onceDrain(listener: () => void): void {
    this.stream.once('drain', listener);
  }

  async close(): Promise<void> {
    this.index.close();
    await new Promise<void>((resolve) => this.stream.end(resolve));
    try {
      const fd = fs.openSync(this.stream.path as string, 'r');
      fs.fsyncSync(fd);
      fs.closeSync(fd);
    } catch {
      // Best effort: the bytes are written even if fsync is refused.
    }
  }
}

export function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Reads up to `limit` bytes from `cursor`; the end is moved back so no UTF-8 character is cut. */
export function readOutput(paths: RunPaths, cursor: number, limit: number): { data: Buffer; nextCursor: number; size: number } {
  const size = fileSize(paths.output);
  const start = Math.min(Math.max(cursor, 0), size);
  const length = Math.min(limit, size - start);
  if (length <= 0) return { data: Buffer.alloc(0), nextCursor: start, size };
  const data = Buffer.alloc(length);
  const fd = fs.openSync(paths.output, 'r');
  try {
    fs.readSync(fd, data, 0, length, start);
  } finally {
    fs.closeSync(fd);
  }
  const end = start + length < size ? utf8SafeEnd(data) : length;
  return { data: data.subarray(0, end), nextCursor: start + end, size };
}

/** The last `bytes` bytes of the output (starting on a character boundary). */
export function readTail(paths: RunPaths, bytes: number): Buffer {
  const size = fileSize(paths.output);
  const { data } = readOutput(paths, Math.max(0, size - bytes), bytes);
  let start = 0;
  while (start < data.length && start < 4 && (data[start]! & 0xc0) === 0x80) start++;
  return data.subarray(start);
}

export function readIndex(paths: RunPaths): IndexEntry[] {
  return readJsonLines<IndexEntry>(paths.outputIndex, 0, Number.MAX_SAFE_INTEGER).items.filter((entry) => Array.isArray(entry));
}

/** The byte offset of the first chunk that arrived after `ts` (the end of the log if none did). */
export function offsetAfter(paths: RunPaths, ts: number): number {
  const entry = readIndex(paths).find((e) => e[2] > ts);
  return entry ? entry[0] : fileSize(paths.output);
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
