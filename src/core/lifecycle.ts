/**
 * The lifecycle every owner of resources shares: what it registers (listeners, timers, watchers,
 * child objects) is disposed in reverse order, once. No hand-kept lists and `disposed` flags.
 */
import type { Disposable } from './events';

export const toDisposable = (dispose: () => void): Disposable => ({ dispose });

/** A timer as a disposable (cleared on dispose). */
export const timerDisposable = (timer: NodeJS.Timeout): Disposable => toDisposable(() => clearTimeout(timer));

export class DisposableStore implements Disposable {
  private readonly items: Disposable[] = [];
  private done = false;

  get isDisposed(): boolean {
    return this.done;
  }

  /** Keeps `item` to dispose with the store; once the store is disposed, it is disposed at once. */
  add<T extends Disposable>(item: T): T {
    if (this.done) item.dispose();
    else this.items.push(item);
    return item;
  }

  /** Disposes every item, newest first; an item that throws does not keep the others from being disposed. */
  dispose(): void {
    if (this.done) return;
    this.done = true;
    const errors: unknown[] = [];
    for (const item of this.items.splice(0).reverse()) {
      try {
        item.dispose();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new AggregateError(errors, `${errors.length} disposables failed`);
  }
}

/** A base for classes that own resources: `register` what you own; `dispose` releases it all, once. */
export abstract class Lifecycle implements Disposable {
  private readonly store = new DisposableStore();

  protected register<T extends Disposable>(item: T): T {
    return this.store.add(item);
  }

  protected get isDisposed(): boolean {
    return this.store.isDisposed;
  }

  dispose(): void {
    this.store.dispose();
  }
}
