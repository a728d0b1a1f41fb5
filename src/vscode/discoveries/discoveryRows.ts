/**
 * How discoveries look in the Goals and Teams views, as data (no `vscode` import, so plain tests
 * read it): a row per discovery (`DSC-001: <title>`, its status and what became of it, an icon of
 * its own per status, the words the menus match on: Promote only where the graph can take it now)
 * and the line of the Discoveries group.
 */
import { readDiscoveries, type Discovery, type DiscoveryOwner, type DiscoveryStatus } from '../../core/discoveries/discoveryStore';
import { isSettledGoal, type GoalRecord } from '../../core/goals/goalRecord';
import { isActiveTeam, type TeamRecord } from '../../core/teams/teamStore';

/** What a row shows: its label, its description, its state word, its codicon (and theme colour) and its menu words. */
export interface RowModel {
  label: string;
  description: string;
  state: string;
  icon: readonly [string, string?];
  contextValue: string;
}

const ICONS: Record<DiscoveryStatus, readonly [string, string?]> = {
  pending: ['lightbulb', 'list.warningForeground'],
  promoted: ['tasklist', 'charts.blue'],
  dismissed: ['circle-slash', 'disabledForeground'],
};

/** The discoveries of a goal or team, oldest first; none when they cannot be read (a corrupt file is set aside by the core). */
export function discoveriesOf(stateDir: string, owner: DiscoveryOwner): Discovery[] {
  try {
    return readDiscoveries(stateDir, owner);
  } catch {
    return [];
  }
}

/** `pending · from T2` / `promoted as task DSC-001` / `dismissed: known flake` (a reopened one says why it is pending again). */
export function discoveryDescription(d: Discovery): string {
  const from = d.sourceTaskId ? `from ${d.sourceTaskId}` : '';
  if (d.status === 'promoted') return [`promoted as task ${d.promotedTask ?? d.id}`, from].filter(Boolean).join(' · ');
  if (d.status === 'dismissed') return [`dismissed${d.reason ? `: ${d.reason}` : ''}`, from].filter(Boolean).join(' · ');
  return ['pending', from, d.reason ?? ''].filter(Boolean).join(' · ');
}

/** A row; `promotable` when its goal or team can take a task now (a pending one is offered Promote then). */
export function discoveryRow(d: Discovery, promotable: boolean): RowModel {
  return {
    label: `${d.id}: ${d.title}`,
    description: discoveryDescription(d),
    state: d.status,
    icon: ICONS[d.status],
    contextValue: `discovery ${d.status}${d.status === 'pending' && promotable ? ' promotable' : ''}`,
  };
}

/** A goal takes new tasks until it ends, once it has a graph (its first iteration began). */
export const goalTakesTasks = (goal: Pick<GoalRecord, 'status' | 'iterations'>): boolean => !isSettledGoal(goal.status) && goal.iterations.length > 0;

/** A team takes new tasks while it works, once it has planned. */
export const teamTakesTasks = (team: Pick<TeamRecord, 'status'>): boolean => isActiveTeam(team.status) && team.status !== 'planning';

/** The Discoveries group's line: `2 pending of 3`, `3`, or `none yet`. */
export function discoveriesSummary(list: readonly Discovery[]): string {
  if (list.length === 0) return 'none yet';
  const pending = list.filter((d) => d.status === 'pending').length;
  return pending ? `${pending} pending of ${list.length}` : String(list.length);
}
