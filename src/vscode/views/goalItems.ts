/**
 * How a goal looks in the Goals view: the goal row (a status icon, the objective, `execution ·
 * iteration 2/5 · $2.50/$10 · 125k/500k tok · 20m/8h`, led by `stagnant (RepeatedFailure)` when it
 * was found going in circles) and its groups: Gates (each with its breaker's state and last result),
 * Tasks (as the Teams view shows them), Discoveries (work its agents found, to promote or dismiss),
 * Iterations (each with its gate results and score), Checkpoints (its recovery checkpoints and the
 * rollbacks made) and Artifacts (the proof). The rows of the groups are in goalPartItems.ts, the
 * tooltips in goalTooltip.ts. Every row has the accessible label "<label>, <state>, <description>",
 * which is what a screen reader says and what the tests find rows by.
 */
import * as vscode from 'vscode';
import { goalBudgetLine, goalPlace } from '../../core/goals/goalText';
import { hasWorktrees } from '../../core/goals/goalCheckout';
import { isLiveGoal, isSettledGoal, type GoalStatus } from '../../core/goals/goalRecord';
import { canRollBack, checkpointsSummary } from '../goals/checkpointRows';
import { budgetNow, type GoalSnapshot } from '../goals/goalWatcher';
import { discoveriesSummary } from '../discoveries/discoveryRows';
import { goalNodeKey, isGoalGroup, type GoalGroup, type GoalNode } from './goalNodes';
import { partTreeItem } from './goalPartItems';
import { icon } from './icon';

/** One icon per status, each of its own shape (colours alone do not carry in high contrast themes). */
const STATUS_ICONS: Record<GoalStatus, [string, string?]> = {
  running: ['sync~spin', 'charts.blue'],
  ready: ['pass-filled', 'testing.iconPassed'],
  not_ready: ['error', 'testing.iconFailed'],
  blocked_on_human: ['bell-dot', 'list.warningForeground'],
  blocked_on_external: ['circle-slash', 'list.warningForeground'],
  needs_more_budget: ['credit-card', 'list.warningForeground'],
  failed_infra: ['flame', 'testing.iconFailed'],
  paused: ['debug-pause', 'disabledForeground'],
  cancelled: ['stop-circle', 'disabledForeground'],
};

/** A goal that goes in circles while it works: a crossed-out sync instead of the spinning one. */
const STAGNANT_ICON: [string, string] = ['sync-ignored', 'list.warningForeground'];

const GROUPS: Record<GoalGroup, { label: string; icon: string; context: string }> = {
  gates: { label: 'Gates', icon: 'verified', context: 'goalGates' },
  tasks: { label: 'Tasks', icon: 'checklist', context: 'goalTasks' },
  discoveries: { label: 'Discoveries', icon: 'lightbulb', context: 'goalDiscoveries' },
  iterations: { label: 'Iterations', icon: 'history', context: 'goalIterations' },
  checkpoints: { label: 'Checkpoints', icon: 'milestone', context: 'goalCheckpoints' },
  artifacts: { label: 'Artifacts', icon: 'archive', context: 'goalArtifacts' },
};

/** The goal's status as a word: a live goal whose process has exited says so. */
export function goalState(snapshot: GoalSnapshot): string {
  const { goal, owned } = snapshot.view;
  return owned ? goal.status : `${goal.status}, orphaned`;
}

/** The kind of stagnation found after its last iteration, unless it was cancelled (nothing to recover then). */
export function stagnationOf({ view: { goal } }: GoalSnapshot): string | undefined {
  return goal.stagnation && goal.status !== 'cancelled' ? goal.stagnation.kind : undefined;
}

/** `execution · iteration 2/5 · $2.50/$10 · 125k/500k tok · 20m/8h`, led by the status when it is not running and by its stagnation. */
export function goalDescription(snapshot: GoalSnapshot, now = Date.now()): string {
  const { goal } = snapshot.view;
  const state = goalState(snapshot);
  const stagnant = stagnationOf(snapshot);
  return [state === 'running' ? '' : state, stagnant ? `stagnant (${stagnant})` : '', goalPlace(goal), goalBudgetLine(goal, budgetNow(snapshot, now))].filter(Boolean).join(' · ');
}

/** A goal Resume Goal takes on: paused, out of budget, blocked on a gate, or at work with its process gone. */
export function isResumable({ view: { goal, owned } }: GoalSnapshot): boolean {
  return goal.status === 'paused' || goal.status === 'needs_more_budget' || goal.status === 'blocked_on_external' || (isLiveGoal(goal.status) && !owned);
}

/** Words the menus match on (`viewItem =~ /\bpausable\b/`). */
export function goalContextValue(snapshot: GoalSnapshot): string {
  const { goal } = snapshot.view;
  const words = ['goal', goal.status];
  if (isLiveGoal(goal.status)) words.push('pausable');
  if (isResumable(snapshot)) words.push('resumable');
  if (!isSettledGoal(goal.status)) words.push('cancellable', 'extendable');
  if (goal.team) words.push('hasTeam');
  if (goal.gates.length) words.push('hasGates');
  if (stagnationOf(snapshot)) words.push('stagnant');
  if (canRollBack(goal)) words.push('rollbackable');
  if (hasWorktrees(goal)) words.push('hasWorktrees');
  return words.join(' ');
}

/** The row, without its tooltip; undefined when the goal (or its part) is gone. */
export function goalTreeItem(node: GoalNode, snapshot: GoalSnapshot, expanded: boolean, now = Date.now()): vscode.TreeItem | undefined {
  const { goal } = snapshot.view;
  let item: vscode.TreeItem | undefined;
  let state: string;
  if (node.kind === 'goal') {
    item = new vscode.TreeItem(goal.normalizedGoal, expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
    item.description = goalDescription(snapshot, now);
    const [id, color] = !snapshot.view.owned ? ['warning', 'list.warningForeground'] : goal.status === 'running' && stagnationOf(snapshot) ? STAGNANT_ICON : STATUS_ICONS[goal.status];
    item.iconPath = icon(id, color);
    item.contextValue = goalContextValue(snapshot);
    state = goalState(snapshot);
  } else if (isGoalGroup(node)) {
    const group = GROUPS[node.kind];
    // An empty Discoveries group is a plain row saying so (no twistie that opens onto nothing).
    const empty = node.kind === 'discoveries' && snapshot.discoveries.length === 0;
    item = new vscode.TreeItem(group.label, empty ? vscode.TreeItemCollapsibleState.None : vscode.TreeItemCollapsibleState.Expanded);
    const counts: Record<GoalGroup, () => string> = {
      gates: () => String(goal.gates.length),
      tasks: () => String(goal.tasks.length),
      discoveries: () => discoveriesSummary(snapshot.discoveries),
      iterations: () => String(goal.iterations.length),
      checkpoints: () => checkpointsSummary(goal),
      artifacts: () => String(goal.artifacts.length),
    };
    item.description = counts[node.kind]();
    item.iconPath = icon(group.icon);
    const open = node.kind === 'gates' && [...snapshot.breakers.values()].some((b) => b.state !== 'Closed' && goal.gates.some((g) => g.name === b.gateName));
    const rollbackable = node.kind === 'checkpoints' && canRollBack(goal);
    item.contextValue = `${group.context}${open ? ' hasOpen' : ''}${rollbackable ? ' rollbackable' : ''}`;
    state = item.description;
  } else {
    const part = partTreeItem(node, snapshot);
    if (!part) return undefined;
    ({ item, state } = part);
  }
  item.id = goalNodeKey(node);
  item.accessibilityInformation = { label: `${String(item.label)}, ${state}, ${String(item.description ?? '')}` };
  return item;
}
