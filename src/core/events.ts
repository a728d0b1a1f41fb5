/** A tiny typed event emitter, the core's own port (the core never imports vscode). */
import type { Logger } from './logger';

export interface Disposable {
  dispose(): void;
}

export type Event<T> = (listener: (value: T) => void) => Disposable;

/** Where a listener's error goes when the emitter was given no logger: stderr, never nowhere. */
const stderrLogger: Pick<Logger, 'error'> = { error: (message) => console.error(message) };

export class Emitter<T> implements Disposable {
  private listeners = new Set<(value: T) => void>();

  /** `logger` hears of a listener that throws (the other listeners still run). */
  constructor(private readonly logger: Pick<Logger, 'error'> = stderrLogger) {}

  readonly event: Event<T> = (listener) => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  fire(value: T): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        // A faulty listener must not break the emitter or the other listeners, but it is told of.
        this.logger.error(`[events] a listener failed: ${(error as Error)?.stack ?? String(error)}`);
      }
    }
  }

  dispose(): void {
    this.listeners.clear();
  }
}
