/**
 * The teams of one state folder as the Teams view and the team documents show them, kept current
 * without looking at files on a timer: a team is read again when this process's TeamService says it
 * changed, when one of its runs changes, or when the live feed tells of a change to it made by
 * another process (a `switchboard team run` in a terminal, another window, an MCP server), a
 * discovery of its included. Reads are batched (SnapshotWatcher). No `vscode` import: it is plain
 * state over the core.
 */
import type { Disposable } from '../../core/events';
import type { Discovery } from '../../core/discoveries/discoveryStore';
import type { FeedEvent } from '../../core/feed/feedEvent';
import type { RunRecord } from '../../core/runs/types';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import type { TeamStatusView } from '../../core/teams/teamService';
import { listTeams } from '../../core/teams/teamStore';
import { discoveriesOf } from '../discoveries/discoveryRows';
import { SnapshotWatcher, type SnapshotsChange } from '../snapshotWatcher';

/** One team as last read: its status view, its runs by id, and its discoveries (none for a goal's team: they are the goal's). */
export interface TeamSnapshot {
  view: TeamStatusView;
  runs: ReadonlyMap<string, RunRecord>;
  /** Oldest first. */
  discoveries: readonly Discovery[];
}

export type TeamsChange = SnapshotsChange;

/** The team a feed event is about, if any (a discovery's, when it belongs to a team rather than a goal). */
function teamOf(event: FeedEvent): string | undefined {
  const match = /^(?:team|task):([^/]+)/.exec(event.key);
  if (match) return match[1];
  if (event.key.startsWith('discovery:')) return (event.entity as { team?: string } | undefined)?.team;
  return (event.entity as { links?: { team?: string } } | undefined)?.links?.team;
}

export class TeamWatcher extends SnapshotWatcher<TeamSnapshot> {
  constructor(slot: SwitchboardSlot) {
    super(slot);
    if (slot.current) this.setSource(slot.current);
  }

  protected listIds(source: Switchboard): string[] {
    return listTeams(source.stateDir);
  }

  protected createdAt(snapshot: TeamSnapshot): number {
    return snapshot.view.team.createdAt;
  }

  protected listen(source: Switchboard): Disposable[] {
    return [
      source.teams.onDidChange((record) => this.markDirty(record.name)),
      source.runs.onDidChange(({ run }) => run.links.team && this.markDirty(run.links.team)),
      source.feed.onDidAppend((event) => {
        const team = teamOf(event);
        if (team) this.markDirty(team, event.type === 'team.started');
      }),
    ];
  }

  protected read(source: Switchboard, name: string): TeamSnapshot | undefined {
    try {
      const view = source.teams.status(name);
      const discoveries = view.team.goal ? [] : discoveriesOf(source.stateDir, { team: name });
      return { view, runs: new Map(source.runs.list({ team: name }).map((r) => [r.id, r])), discoveries };
    } catch {
      return undefined;
    }
  }
}
