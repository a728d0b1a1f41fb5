/**
 * The teams of one state folder as the Teams view and the team documents show them, kept current
 * without looking at files on a timer: a team is read again when this process's TeamService says it
 * changed, when one of its runs changes, or when the live feed tells of a change to it made by
 * another process (a `switchboard team run` in a terminal, another window, an MCP server). Reads are
 * batched (250 ms). Listeners hear which teams changed, and whether teams came or went. No `vscode`
 * import: it is plain state over the core.
 */
import { Emitter, type Disposable, type Event } from '../../core/events';
import type { FeedEvent } from '../../core/feed/feedEvent';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import type { RunRecord } from '../../core/runs/types';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import type { TeamStatusView } from '../../core/teams/teamService';
import { listTeams } from '../../core/teams/teamStore';

/** One team as last read: its status view, and its runs by id. */
export interface TeamSnapshot {
  view: TeamStatusView;
  runs: ReadonlyMap<string, RunRecord>;
}

export interface TeamsChange {
  /** Teams whose snapshot was read again. */
  changed: string[];
  /** Teams came or went (the list itself changed). */
  listChanged: boolean;
}

const BATCH_MS = 250;

/** The team a feed event is about, if any. */
function teamOf(event: FeedEvent): string | undefined {
  const match = /^(?:team|task):([^/]+)/.exec(event.key);
  if (match) return match[1];
  return (event.entity as { links?: { team?: string } } | undefined)?.links?.team;
}

export class TeamWatcher extends Lifecycle {
  private readonly changes: Emitter<TeamsChange>;
  readonly onDidChange: Event<TeamsChange>;
  private readonly snapshots = new Map<string, TeamSnapshot>();
  /** Teams to read again (they changed). */
  private readonly dirty = new Set<string>();
  /** Look for teams that came or went. */
  private relist = false;
  private source: Switchboard | undefined;
  private listeners: Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;

  /** Follows the teams of the current Switchboard. */
  constructor(slot: SwitchboardSlot) {
    super();
    this.register(slot.onDidChange((sb) => this.setSource(sb)));
    this.changes = this.register(new Emitter<TeamsChange>());
    this.onDidChange = this.changes.event;
    this.register(toDisposable(() => {
      if (this.pending) clearTimeout(this.pending);
      for (const l of this.listeners) l.dispose();
    }));
  }

  /** Follows the teams of this Switchboard (undefined: no state folder, no teams). */
  private setSource(source: Switchboard | undefined): void {
    for (const l of this.listeners) l.dispose();
    this.source = source;
    this.snapshots.clear();
    this.dirty.clear();
    this.listeners = source
      ? [
          source.teams.onDidChange((record) => this.markDirty(record.name)),
          source.runs.onDidChange(({ run }) => run.links.team && this.markDirty(run.links.team)),
          source.feed.onDidAppend((event) => {
            const team = teamOf(event);
            if (team) this.markDirty(team, event.type === 'team.started');
          }),
        ]
      : [];
    this.relist = true;
    this.refresh();
    this.changes.fire({ changed: [], listChanged: true });
  }

  /** Newest first. */
  list(): TeamSnapshot[] {
    return [...this.snapshots.values()].sort((a, b) => b.view.team.createdAt - a.view.team.createdAt);
  }

  get(name: string): TeamSnapshot | undefined {
    return this.snapshots.get(name);
  }

  /** Reads the team again now (after a command changed it), and tells the listeners. */
  reread(name: string): TeamSnapshot | undefined {
    this.dirty.add(name);
    this.refresh();
    return this.snapshots.get(name);
  }

  private markDirty(name: string, relist = !this.snapshots.has(name)): void {
    this.dirty.add(name);
    this.relist ||= relist;
    if (this.isDisposed) return;
    this.pending ??= setTimeout(() => this.refresh(), BATCH_MS);
  }

  private refresh(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const source = this.source;
    const before = new Set(this.snapshots.keys());
    // The folder is listed only when teams may have come or gone; otherwise only the changed ones are read.
    const names = !source ? [] : this.relist ? listTeams(source.stateDir) : [...this.snapshots.keys()];
    const changed: string[] = [];
    for (const name of names) {
      if (this.snapshots.has(name) && !this.dirty.has(name)) continue;
      const snapshot = source && read(source, name);
      if (!snapshot) continue;
      this.snapshots.set(name, snapshot);
      changed.push(name);
    }
    if (this.relist || !source) {
      const listed = new Set(names);
      for (const name of this.snapshots.keys()) if (!listed.has(name)) this.snapshots.delete(name);
    }
    const listChanged = before.size !== this.snapshots.size || [...this.snapshots.keys()].some((name) => !before.has(name));
    this.dirty.clear();
    this.relist = false;
    if (changed.length > 0 || listChanged) this.changes.fire({ changed, listChanged });
  }
}

/** The team's status and runs, or undefined when its record cannot be read (it is left out). */
function read(source: Switchboard, name: string): TeamSnapshot | undefined {
  try {
    const view = source.teams.status(name);
    return { view, runs: new Map(source.runs.list({ team: name }).map((r) => [r.id, r])) };
  } catch {
    return undefined;
  }
}
