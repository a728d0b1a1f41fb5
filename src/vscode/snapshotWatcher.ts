/**
 * Snapshots of the records of one state folder (teams, goals) as the views, the status bar and the
 * documents show them, followed through the live feed rather than by looking at files on a timer:
 * a subclass says which changes of the current Switchboard (its services' events, the registry, the
 * feed) make a record dirty; dirty records are read again in batches (250 ms), the folder listed
 * again only when records may have come or gone. Listeners hear which records were read again, and
 * whether the list itself changed. No `vscode` import: it is plain state over the core.
 */
import { Emitter, type Disposable, type Event } from '../core/events';
import { Lifecycle, toDisposable } from '../core/lifecycle';
import type { Switchboard } from '../core/switchboard';
import type { SwitchboardSlot } from '../core/switchboardSlot';

export interface SnapshotsChange {
  /** Records whose snapshot was read again. */
  changed: string[];
  /** Records came or went (the list itself changed). */
  listChanged: boolean;
}

const BATCH_MS = 250;

export abstract class SnapshotWatcher<S> extends Lifecycle {
  private readonly changes: Emitter<SnapshotsChange>;
  readonly onDidChange: Event<SnapshotsChange>;
  protected readonly snapshots = new Map<string, S>();
  /** Records to read again (they changed). */
  private readonly dirty = new Set<string>();
  /** Look for records that came or went. */
  private relist = false;
  private source: Switchboard | undefined;
  private listeners: Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;

  /** Follows the records of the current Switchboard (a subclass calls setSource(slot.current) once its own fields are set). */
  constructor(slot: SwitchboardSlot) {
    super();
    this.changes = this.register(new Emitter<SnapshotsChange>());
    this.onDidChange = this.changes.event;
    this.register(slot.onDidChange((sb) => this.setSource(sb)));
    this.register(toDisposable(() => {
      if (this.pending) clearTimeout(this.pending);
      for (const l of this.listeners) l.dispose();
    }));
  }

  /** The ids of the records in the state folder. */
  protected abstract listIds(source: Switchboard): string[];
  /** The record's snapshot, or undefined when it cannot be read (it is left out). */
  protected abstract read(source: Switchboard, id: string): S | undefined;
  /** What tells this watcher that records changed (each calls markDirty). */
  protected abstract listen(source: Switchboard): Disposable[];
  /** When the record was made (the list is newest first). */
  protected abstract createdAt(snapshot: S): number;
  /** Before the dirty records are read (a subclass drops what it keeps for one batch). */
  protected beforeRead(): void {}
  /** After a batch was read, before the listeners hear of it. */
  protected afterRefresh(): void {}

  /** Follows the records of this Switchboard (undefined: no state folder, no records). */
  protected setSource(source: Switchboard | undefined): void {
    for (const l of this.listeners) l.dispose();
    this.source = source;
    this.snapshots.clear();
    this.dirty.clear();
    this.listeners = source ? this.listen(source) : [];
    this.relist = true;
    this.refresh();
    this.changes.fire({ changed: [], listChanged: true });
  }

  /** Newest first. */
  list(): S[] {
    return [...this.snapshots.values()].sort((a, b) => this.createdAt(b) - this.createdAt(a));
  }

  get(id: string): S | undefined {
    return this.snapshots.get(id);
  }

  /** Reads the record again now (after a command changed it, or made it), and tells the listeners. */
  reread(id: string): S | undefined {
    this.dirty.add(id);
    this.relist ||= !this.snapshots.has(id);
    this.refresh();
    return this.snapshots.get(id);
  }

  /** The record changed: it is read again with the next batch (and the folder listed again when `relist`). */
  protected markDirty(id: string, relist = !this.snapshots.has(id)): void {
    this.dirty.add(id);
    this.relist ||= relist;
    if (this.isDisposed) return;
    this.pending ??= setTimeout(() => this.refresh(), BATCH_MS);
  }

  private refresh(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const source = this.source;
    const before = new Set(this.snapshots.keys());
    // The folder is listed only when records may have come or gone; otherwise only the changed ones are read.
    const ids = !source ? [] : this.relist ? this.listIds(source) : [...this.snapshots.keys()];
    const changed: string[] = [];
    this.beforeRead();
    for (const id of ids) {
      if (this.snapshots.has(id) && !this.dirty.has(id)) continue;
      const snapshot = source && this.read(source, id);
      if (!snapshot) continue;
      this.snapshots.set(id, snapshot);
      changed.push(id);
    }
    if (this.relist || !source) {
      const listed = new Set(ids);
      for (const id of this.snapshots.keys()) if (!listed.has(id)) this.snapshots.delete(id);
    }
    const listChanged = before.size !== this.snapshots.size || [...this.snapshots.keys()].some((id) => !before.has(id));
    this.dirty.clear();
    this.relist = false;
    this.afterRefresh();
    if (changed.length > 0 || listChanged) this.changes.fire({ changed, listChanged });
  }
}
