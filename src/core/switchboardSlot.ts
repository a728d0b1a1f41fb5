/**
 * The Switchboard a long-lived host (the extension) works with now. Opening another state folder
 * replaces the whole object, and one change event tells every follower (views, status bar,
 * notifier, MCP hosting), which rebind to the new one; nothing is re-pointed piece by piece.
 */
import { SwitchboardError } from './errors';
import { Emitter, type Event } from './events';
import { Lifecycle, toDisposable } from './lifecycle';
import { openSwitchboard, type Switchboard, type SwitchboardOptions } from './switchboard';

export class SwitchboardSlot extends Lifecycle {
  private value: Switchboard | undefined;
  private problem: string | undefined;
  private readonly changes: Emitter<Switchboard | undefined>;
  /** Fires once per replacement, with the new object (undefined: the state folder could not be opened). */
  readonly onDidChange: Event<Switchboard | undefined>;

  constructor() {
    super();
    this.changes = this.register(new Emitter<Switchboard | undefined>());
    this.onDidChange = this.changes.event;
    this.register(toDisposable(() => this.value?.dispose()));
  }

  get current(): Switchboard | undefined {
    return this.value;
  }

  /** The current object, or an error saying why there is none. */
  require(): Switchboard {
    if (this.value) return this.value;
    throw new SwitchboardError('state_unwritable', this.problem ?? 'Switchboard has not opened its state folder yet.', 'See the Switchboard log; fix the switchboard.stateDirectory setting if it points somewhere unusable.');
  }

  /** Closes the current object and opens one over `options`; rejects (with nothing open) when it cannot. */
  async open(options: SwitchboardOptions): Promise<Switchboard> {
    const old = this.value;
    this.value = undefined;
    old?.dispose();
    try {
      const opened = await openSwitchboard(options);
      // Closed while it opened: what was opened goes too.
      if (this.isDisposed) opened.dispose();
      else this.value = opened;
      this.problem = undefined;
      return opened;
    } catch (error) {
      this.problem = `Switchboard could not open its state folder ${options.stateDir}: ${(error as Error).message}`;
      throw error;
    } finally {
      if (!this.isDisposed) this.changes.fire(this.value);
    }
  }
}
