/**
 * The CLI's stdout and stderr, whatever they are (terminal, file, pipe): writes that wait while the
 * stream's buffer is full, a reader that goes away (EPIPE) ending the output quietly instead of
 * throwing, and a flush before the process exits, so a pipe gets every byte.
 */

export class Sink {
  private closedFlag = false;
  private failure: Error | undefined;
  private readonly waiters = new Set<() => void>();
  /** Resolves once the stream cannot be written any more (its reader went away, or it failed). */
  readonly closed: Promise<void>;
  private markClosed!: () => void;

  constructor(private readonly stream: NodeJS.WritableStream & { writableLength?: number; isTTY?: boolean }) {
    this.closed = new Promise((resolve) => (this.markClosed = resolve));
    stream.on('error', (error: NodeJS.ErrnoException) => this.close(error.code === 'EPIPE' ? undefined : error));
  }

  get isTTY(): boolean {
    return !!this.stream.isTTY;
  }

  get isClosed(): boolean {
    return this.closedFlag;
  }

  /** Why writing failed, other than a reader that went away (which is no error). */
  get error(): Error | undefined {
    return this.failure;
  }

  /** Writes at once, without waiting (for small texts); dropped once the stream is closed. */
  put(data: string | Uint8Array): void {
    if (!this.closedFlag) this.stream.write(data);
  }

  /** Writes, then resolves when the stream takes more (at once when its buffer has room, or once it is closed). */
  write(data: string | Uint8Array): Promise<void> {
    if (this.closedFlag || this.stream.write(data)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.stream.off('drain', done);
        this.waiters.delete(done);
        resolve();
      };
      this.stream.once('drain', done);
      this.waiters.add(done);
    });
  }

  /** Resolves once everything written so far has left the process (or the stream is closed). */
  flush(): Promise<void> {
    if (this.closedFlag || !this.stream.writableLength) return Promise.resolve();
    return new Promise((resolve) => {
      // Writes go out in order: the callback of an empty write runs once those before it are out.
      const done = (): void => {
        this.waiters.delete(done);
        resolve();
      };
      this.stream.write('', done);
      this.waiters.add(done);
    });
  }

  private close(error: Error | undefined): void {
    if (this.closedFlag) return;
    this.closedFlag = true;
    this.failure = error;
    this.markClosed();
    for (const wake of [...this.waiters]) wake();
  }
}

export const stdout = new Sink(process.stdout);
export const stderr = new Sink(process.stderr);

/** Waits until stdout and stderr have written everything (a pipe's reader may be slow), so that exiting cuts nothing. */
export async function flushStdio(): Promise<void> {
  await Promise.all([stdout.flush(), stderr.flush()]);
}
