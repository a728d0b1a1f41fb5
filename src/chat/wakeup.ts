/**
 * A wake-up for answers that follow something (a run's output, a team's tasks): listeners `ring`
 * it when what they watch changed; `wait` returns at once if it rang since the last wait, else
 * when it rings or the signal aborts. No timer.
 */
export class Wakeup {
  private rung = true;
  private wake: (() => void) | undefined;

  ring(): void {
    this.rung = true;
    this.wake?.();
  }

  async wait(signal: AbortSignal): Promise<void> {
    if (!this.rung && !signal.aborted) {
      const onAbort = (): void => this.wake?.();
      signal.addEventListener('abort', onAbort, { once: true });
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
      signal.removeEventListener('abort', onAbort);
    }
    this.rung = false;
  }
}
