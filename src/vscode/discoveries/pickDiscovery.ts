/**
 * The discovery a command acts on: the row it was invoked on (a goal's or a team's), the one a
 * notification names, else one the user picks among those that fit, across every goal and team
 * this window follows. With nothing that fits, the command fails with `none`, saying why.
 */
import * as vscode from 'vscode';
import type { Task } from '../../core/dag/task';
import type { Discovery, DiscoveryOwner } from '../../core/discoveries/discoveryStore';
import { SwitchboardError } from '../../core/errors';
import type { GoalWatcher } from '../goals/goalWatcher';
import type { TeamWatcher } from '../teams/teamWatcher';
import type { GoalsView } from '../views/goalsView';
import type { TeamsView } from '../views/teamsView';
import { discoveryDescription, goalTakesTasks, teamTakesTasks } from './discoveryRows';

/** What the discovery commands follow: the goals and teams (with their discoveries), and how to show a row. */
export interface DiscoveryUi {
  goals: GoalWatcher;
  teams: TeamWatcher;
  /** Shows the discovery's row in its view. */
  reveal(discovery: Discovery): Promise<void>;
}

export interface DiscoveryPickOptions {
  filter: (d: Discovery) => boolean;
  placeHolder: string;
  none: string;
}

/** The discovery id and owner a row or a caller hands a command (`{goal | team, discovery}`). */
export function givenDiscovery(arg: unknown): { id: string; owner: DiscoveryOwner } | undefined {
  const { discovery, goal, team } = (arg ?? {}) as Record<string, unknown>;
  if (typeof discovery !== 'string') return undefined;
  if (typeof goal === 'string') return { id: discovery, owner: { goal } };
  if (typeof team === 'string') return { id: discovery, owner: { team } };
  return undefined;
}

/** Where a discovery belongs, for people: `goal "<objective>"` or `team <name>`. */
export function ownerLabel(ui: DiscoveryUi, d: Discovery): string {
  if (d.goal) return `goal "${ui.goals.get(d.goal)?.view.goal.normalizedGoal ?? d.goal}"`;
  return `team ${d.team}`;
}

/** Whether the discovery's goal or team can take it as a task now. */
export function canPromote(ui: DiscoveryUi, d: Discovery): boolean {
  if (d.goal) {
    const goal = ui.goals.get(d.goal)?.view.goal;
    return !!goal && goalTakesTasks(goal);
  }
  const team = ui.teams.get(d.team!)?.view.team;
  return !!team && teamTakesTasks(team);
}

/** The tasks of the graph a discovery would join. */
export function graphOf(ui: DiscoveryUi, d: Discovery): Task[] {
  return (d.goal ? ui.goals.get(d.goal)?.view.goal.tasks : ui.teams.get(d.team!)?.view.team.tasks) ?? [];
}

function find(ui: DiscoveryUi, id: string, owner: DiscoveryOwner): Discovery {
  // A discovery told by the feed may be newer than the watcher's snapshot of its owner: read it again then.
  const inOwner = (fresh: boolean) => {
    const snapshot = 'goal' in owner ? (fresh ? ui.goals.reread(owner.goal) : ui.goals.get(owner.goal)) : fresh ? ui.teams.reread(owner.team) : ui.teams.get(owner.team);
    return snapshot?.discoveries.find((d) => d.id === id);
  };
  const found = inOwner(false) ?? inOwner(true);
  if (!found) throw new SwitchboardError('unknown_discovery', `There is no discovery ${id} in ${'goal' in owner ? `goal ${owner.goal}` : `team ${owner.team}`}.`);
  return found;
}

export async function pickDiscovery(ui: DiscoveryUi, arg: unknown, options: DiscoveryPickOptions): Promise<Discovery | undefined> {
  const given = givenDiscovery(arg);
  if (given) return find(ui, given.id, given.owner);
  const all = [...ui.goals.list().flatMap((s) => s.discoveries), ...ui.teams.list().flatMap((s) => s.discoveries)].filter(options.filter);
  if (all.length === 0) throw new SwitchboardError('invalid_argument', options.none);
  const items = all.map((d) => ({ label: `${d.id}: ${d.title}`, description: discoveryDescription(d), detail: ownerLabel(ui, d), d }));
  const picked = await vscode.window.showQuickPick(items, { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true });
  return picked?.d;
}

/** What the discovery commands work with: the watchers, and the views to show a discovery's row in. */
export function revealingDiscoveries(goals: GoalWatcher, teams: TeamWatcher, goalsView: GoalsView, teamsView: TeamsView): DiscoveryUi {
  return {
    goals,
    teams,
    reveal: (d) => (d.goal ? goalsView.reveal({ kind: 'discovery', goal: d.goal, discovery: d.id }) : teamsView.reveal({ kind: 'discovery', team: d.team!, discovery: d.id })),
  };
}
