/**
 * The lifecycle every owner of resources shares: what it registers (listeners, timers, watchers,
 * child objects, servers that close asynchronously) is disposed in reverse order, once. No
 * hand-kept lists and `disposed` flags.
 */
import type { Disposable } from './events';
import type { Logger } from './logger';

/** Something released asynchronously: a server that closes, a transport that flushes. */
export interface AsyncDisposable {
  dispose(): Promise<void> | void;
}

export const toDisposable = (dispose: () => void): Disposable => ({ dispose });

/** An asynchronous release as a disposable. */
export const toAsyncDisposable = (dispose: () => Promise<void> | void): AsyncDisposable => ({ dispose });

/** A timer as a disposable (cleared on dispose). */
export const timerDisposable = (timer: NodeJS.Timeout): Disposable => toDisposable(() => clearTimeout(timer));

/** Where the failure of a release nobody waits for goes when the store was given no logger: stderr, never nowhere. */
const stderrLogger: Pick<Logger, 'error'> = { error: (message) => console.error(message) };

const isPromise = (value: unknown): value is Promise<void> => typeof (value as Promise<void> | undefined)?.then === 'function';

/** One error, or several as an AggregateError. */
function thrown(errors: unknown[]): unknown {
  return errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} disposables failed`);
}

export class DisposableStore implements Disposable {
  private readonly items: AsyncDisposable[] = [];
  private done = false;
  private released: Promise<void> | undefined;

  /** `logger` hears of an asynchronous release that fails when nobody waits for it (see `dispose`). */
  constructor(private readonly logger: Pick<Logger, 'error'> = stderrLogger) {}

  get isDisposed(): boolean {
    return this.done;
  }

  /** Keeps `item` to dispose with the store; once the store is disposed, it is disposed at once. */
  add<T extends Disposable | AsyncDisposable>(item: T): T {
    if (!this.done) this.items.push(item);
    else this.unwaited(item.dispose());
    return item;
  }

  /**
   * Disposes every item, newest first, without waiting: an item that throws does not keep the others
   * from being disposed (the errors are thrown after); an asynchronous release is started and its
   * failure logged (`disposeAsync`, called after, waits for them to settle).
   */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    const errors: unknown[] = [];
    const started: Promise<void>[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        const result = this.unwaited(item.dispose());
        if (result) started.push(result);
      } catch (error) {
        errors.push(error);
      }
    }
    this.released = Promise.allSettled(started).then(() => undefined);
    if (errors.length) throw thrown(errors);
  }

  /**
   * Disposes every item, newest first, each asynchronous release awaited before the next item is
   * disposed; one that fails does not keep the others from being released, and the failures reject
   * the promise after all. Called again (or after `dispose`), it gives the same promise.
   */
  disposeAsync(): Promise<void> {
    if (this.released) return this.released;
    this.done = true;
    const items = this.items.splice(0).reverse();
    this.released = (async () => {
      const errors: unknown[] = [];
      for (const item of items) {
        try {
          await item.dispose();
        } catch (error) {
          errors.push(error);
        }
      }
      if (errors.length) throw thrown(errors);
    })();
    return this.released;
  }

  /** A release nobody waits for: its failure is logged. */
  private unwaited(result: Promise<void> | void): Promise<void> | undefined {
    if (!isPromise(result)) return undefined;
    return result.catch((error: unknown) => this.logger.error(`[lifecycle] an asynchronous release failed: ${(error as Error)?.stack ?? String(error)}`));
  }
}

/**
 * Disposables replaced as a whole (the listeners on the current Switchboard): `renew` disposes the
 * set held and gives a new, empty one; once this is disposed, what is added to it is disposed at once.
 */
export class RenewableStore implements Disposable {
  private current = new DisposableStore();
  private done = false;

  renew(): DisposableStore {
    this.current.dispose();
    if (!this.done) this.current = new DisposableStore();
    return this.current;
  }

  dispose(): void {
    this.done = true;
    this.current.dispose();
  }
}

/** A base for classes that own resources: `register` what you own; `dispose` releases it all, once. */
export abstract class Lifecycle implements Disposable {
  protected readonly store = new DisposableStore();

  protected register<T extends Disposable | AsyncDisposable>(item: T): T {
    return this.store.add(item);
  }

  protected get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** A Lifecycle its owner waits for: `dispose` resolves once all it registered is released, newest first, each release awaited before the next. */
export abstract class AsyncLifecycle extends Lifecycle {
  override dispose(): Promise<void> {
    return this.store.disposeAsync();
  }
}
