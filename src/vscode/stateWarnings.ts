/**
 * What Switchboard finds wrong in the state folder while the window works (a record found corrupt
 * and set aside, a lock taken over from a frozen process), shown as it is found; those found as the
 * folder opened are shown as it opens. A burst (many corrupt records at once) is one notification
 * and a count, not one each: the log has them all.
 */
import * as vscode from 'vscode';
import type { Disposable } from '../core/events';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { SwitchboardSlot } from '../core/switchboardSlot';

/** At most one notification this often; what comes meanwhile is counted and told after. */
const QUIET_MS = 10_000;

export class StateWarnings extends Lifecycle {
  private listener: Disposable | undefined;
  private lastShown = 0;
  /** What came in the quiet time: how many, and the last. */
  private held = 0;
  private lastHeld = '';
  private timer: NodeJS.Timeout | undefined;

  constructor(slot: SwitchboardSlot) {
    super();
    this.register(slot.onDidChange((sb) => {
      this.listener?.dispose();
      this.listener = sb?.warnings.onDidWarn((message) => this.found(message));
    }));
    this.register(toDisposable(() => {
      this.listener?.dispose();
      clearTimeout(this.timer);
    }));
  }

  private found(message: string): void {
    if (Date.now() - this.lastShown >= QUIET_MS) return this.show(`Switchboard: ${message}`);
    this.held++;
    this.lastHeld = message;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      const held = this.held;
      this.held = 0;
      this.show(held === 1 ? `Switchboard: ${this.lastHeld}` : `Switchboard found ${held} more problems in its state folder; the Switchboard log (Output) has them all.`);
    }, this.lastShown + QUIET_MS - Date.now());
  }

  private show(text: string): void {
    this.lastShown = Date.now();
    void vscode.window.showWarningMessage(text);
  }
}
