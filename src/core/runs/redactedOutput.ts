/**
 * `output.redacted.log`: a plain-text runner's output (custom) as answers show it — the bytes of
 * `output.log` with secrets redacted by the run's redactor, written by its supervisor whole line by
 * whole line (a secret cut in two by a read is never half written). It reads `output.log` itself,
 * into one buffer, from the end of what it has passed on: what it could not pass on yet (the end
 * of a line, a key block) is read again with what follows, never copied or held.
 */
import * as fs from 'node:fs';
import type { Redactor } from '../redact';
import { StreamRedactor } from '../redactStream';
import type { RunPaths } from '../state/stateMap';

const READ_CHUNK = 4 * 1024 * 1024;

export class RedactedOutputWriter {
  private readonly out: number;
  private readonly log: number;
  private readonly buffer = Buffer.allocUnsafe(READ_CHUNK);
  private readonly stream: StreamRedactor;

  constructor(
    paths: RunPaths,
    redactor: Redactor,
    /** Where in `output.log` the copy goes on from (its size when the supervisor started). */
    private done: number,
    private readonly onError: (error: Error) => void,
  ) {
    this.out = fs.openSync(paths.outputRedacted, 'a', 0o600);
    this.log = fs.openSync(paths.output, 'r');
    this.stream = new StreamRedactor(redactor, (piece) => {
      try {
        writeAll(this.out, piece);
      } catch (error) {
        onError(error as Error);
      }
    });
  }

  /** Copies what it can of `output.log` up to `size` (the bytes the supervisor has seen); `final`: all of it. */
  catchUp(size: number, final = false): void {
    try {
      while (this.done < size) {
        const read = fs.readSync(this.log, this.buffer, 0, Math.min(READ_CHUNK, size - this.done), this.done);
        if (read <= 0) break;
        const taken = this.stream.take(this.buffer.subarray(0, read), final && this.done + read >= size);
        this.done += taken;
        if (taken === 0) break;
      }
    } catch (error) {
      this.onError(error as Error);
    }
  }

  /** The output has ended at `size`: what was held is written, and the files closed. */
  close(size: number): void {
    this.catchUp(size, true);
    fs.closeSync(this.log);
    fs.closeSync(this.out);
  }
}

function writeAll(fd: number, piece: Buffer | string): void {
  const bytes = typeof piece === 'string' ? Buffer.from(piece) : piece;
  for (let at = 0; at < bytes.length; ) at += fs.writeSync(fd, bytes, at);
}
