/**
 * The teams of one state folder as the Teams view and the team documents show them, kept current:
 * a team is read again when this process's TeamService says it changed, when one of its runs
 * changes, or when its `team.json` changed on disk (teams run by a `switchboard team run` in a
 * terminal). The disk is looked at once a second while a team is active, every five seconds while
 * someone watches (the view is visible) and none is, and never otherwise; a look costs one `readdir`
 * and one `stat` per team, and only the teams whose file moved are parsed. Listeners hear which
 * teams changed, and whether teams came or went. No `vscode` import: it is plain state over the core.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Emitter, type Disposable } from '../../core/events';
import type { RunRegistry } from '../../core/registry/registry';
import type { RunRecord } from '../../core/runs/types';
import type { TeamService, TeamStatusView } from '../../core/teams/teamService';
import { isActiveTeam, listTeams, teamsDir } from '../../core/teams/teamStore';

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
const ACTIVE_POLL_MS = 1000;
const IDLE_POLL_MS = 5000;

export class TeamWatcher implements Disposable {
  private readonly changes = new Emitter<TeamsChange>();
  readonly onDidChange = this.changes.event;
  private readonly snapshots = new Map<string, TeamSnapshot>();
  /** Each team file's identity (inode, mtime, size) when it was last read. */
  private readonly stamps = new Map<string, string>();
  /** Teams to read again whatever their file says (their runs changed, or the service said so). */
  private readonly dirty = new Set<string>();
  private source: { teams: TeamService; registry: RunRegistry } | undefined;
  private listeners: Disposable[] = [];
  private pending: NodeJS.Timeout | undefined;
  private poller: { timer: NodeJS.Timeout; ms: number } | undefined;
  private watched = false;

  /** Follows the teams of this service (undefined: no state folder, no teams). */
  setSource(teams: TeamService | undefined, registry: RunRegistry | undefined): void {
    for (const l of this.listeners) l.dispose();
    this.listeners = [];
    this.source = teams && registry ? { teams, registry } : undefined;
    this.snapshots.clear();
    this.stamps.clear();
    this.dirty.clear();
    if (this.source) {
      this.listeners = [
        this.source.teams.onDidChange((record) => this.markDirty(record.name)),
        this.source.registry.onDidChange(({ run }) => run.links.team && this.markDirty(run.links.team)),
      ];
    }
    this.refresh();
    this.changes.fire({ changed: [], listChanged: true });
  }

  /** Someone looks (the view is visible): teams started elsewhere are looked for even while none is active. */
  setWatched(watched: boolean): void {
    this.watched = watched;
    if (watched) this.refresh();
    this.schedulePoll();
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

  private markDirty(name: string): void {
    this.dirty.add(name);
    this.pending ??= setTimeout(() => this.refresh(), BATCH_MS);
  }

  private refresh(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = undefined;
    const source = this.source;
    const names = source ? listTeams(source.registry.stateDir) : [];
    const before = new Set(this.snapshots.keys());
    const changed: string[] = [];
    for (const name of names) {
      const stamp = source ? fileStamp(source.registry.stateDir, name) : '';
      if (this.snapshots.has(name) && !this.dirty.has(name) && stamp === this.stamps.get(name)) continue;
      const snapshot = source && read(source, name);
      if (!snapshot) continue;
      this.snapshots.set(name, snapshot);
      this.stamps.set(name, stamp);
      changed.push(name);
    }
    const listed = new Set(names);
    for (const name of this.snapshots.keys()) {
      if (listed.has(name)) continue;
      this.snapshots.delete(name);
      this.stamps.delete(name);
    }
    const listChanged = before.size !== this.snapshots.size || [...this.snapshots.keys()].some((name) => !before.has(name));
    this.dirty.clear();
    this.schedulePoll();
    if (changed.length > 0 || listChanged) this.changes.fire({ changed, listChanged });
  }

  /** Polls fast while a team is active, slowly while watched, not at all otherwise. */
  private schedulePoll(): void {
    const active = [...this.snapshots.values()].some((s) => isActiveTeam(s.view.team.status));
    const ms = active ? ACTIVE_POLL_MS : this.watched && this.source ? IDLE_POLL_MS : 0;
    if (this.poller?.ms === ms) return;
    if (this.poller) clearInterval(this.poller.timer);
    this.poller = ms ? { timer: setInterval(() => this.refresh(), ms), ms } : undefined;
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    if (this.poller) clearInterval(this.poller.timer);
    for (const l of this.listeners) l.dispose();
    this.changes.dispose();
  }
}

function fileStamp(stateDir: string, name: string): string {
  const stat = fs.statSync(path.join(teamsDir(stateDir), name, 'team.json'), { throwIfNoEntry: false });
  return stat ? `${stat.ino}:${stat.mtimeMs}:${stat.size}` : '';
}

/** The team's status and runs, or undefined when its record cannot be read (it is left out). */
function read(source: { teams: TeamService; registry: RunRegistry }, name: string): TeamSnapshot | undefined {
  try {
    const view = source.teams.status(name);
    return { view, runs: new Map(source.registry.list({ team: name }).map((r) => [r.id, r])) };
  } catch {
    return undefined;
  }
}
