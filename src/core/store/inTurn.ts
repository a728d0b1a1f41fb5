/**
 * Callers of one process served one at a time, in the order they asked, per key (a lock file or
 * folder): each task starts once the one before it has settled, however that went.
 */
export class InTurn {
  private readonly last = new Map<string, Promise<unknown>>();

  /** Whether a task for `key` waits or runs now. */
  busy(key: string): boolean {
    return this.last.has(key);
  }

  /** Resolves once no task waits or runs. */
  async idle(): Promise<void> {
    while (this.last.size > 0) await Promise.all(this.last.values());
  }

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const turn = (this.last.get(key) ?? Promise.resolve()).then(task);
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.last.set(key, settled);
    void settled.then(() => {
      if (this.last.get(key) === settled) this.last.delete(key);
    });
    return turn;
  }
}
