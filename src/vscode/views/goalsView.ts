/**
 * The Goals view: each goal (newest first) with its Gates, Tasks, Discoveries, Iterations,
 * Checkpoints and Artifacts, kept current by the GoalWatcher and redrawn as SnapshotTreeView says.
 * While the view is visible, the row of a goal whose clock runs is looked at once a second for its
 * elapsed time (but while its tooltip shows: see HoverHold).
 */
import { isLiveGoal, isSettledGoal } from '../../core/goals/goalRecord';
import { toDisposable } from '../../core/lifecycle';
import type { GoalSnapshot, GoalWatcher } from '../goals/goalWatcher';
import { goalTreeItem } from './goalItems';
import { goalChildNodes, goalMembers, goalNodeKey, goalParentNode, type GoalNode } from './goalNodes';
import { goalTooltip } from './goalTooltip';
import { SnapshotTreeView, type RowSource } from './snapshotTreeView';

const TICK_MS = 1000;

const rows: RowSource<GoalNode, GoalSnapshot> = {
  recordOf: (node) => node.goal,
  idOf: (snapshot) => snapshot.view.goal.id,
  rootNode: (goal) => ({ kind: 'goal', goal }),
  key: goalNodeKey,
  item: (node, snapshot, expanded, now) => goalTreeItem(node, snapshot, expanded, now),
  tooltip: goalTooltip,
  children: goalChildNodes,
  parent: goalParentNode,
  members: goalMembers,
  isActive: (snapshot) => isLiveGoal(snapshot.view.goal.status),
  badge: (n) => `${n} goal${n === 1 ? '' : 's'} at work`,
};

export class GoalsView extends SnapshotTreeView<GoalNode, GoalSnapshot> {
  private ticker: NodeJS.Timeout | undefined;

  constructor(watcher: GoalWatcher) {
    super('switchboard.goals', watcher, rows);
    this.register(watcher.onDidChange(() => this.schedule()));
    this.register(this.view.onDidChangeVisibility(() => this.schedule()));
    this.register(toDisposable(() => this.ticker && clearInterval(this.ticker)));
  }

  /** Ticks while the view is visible and some goal's clock runs (not settled, not paused). */
  private schedule(): void {
    const ticking = this.view.visible && this.watcher.list().some((s) => clockRuns(s));
    if (ticking && !this.ticker) this.ticker = setInterval(() => this.tick(), TICK_MS);
    else if (!ticking && this.ticker) {
      clearInterval(this.ticker);
      this.ticker = undefined;
    }
  }

  private tick(): void {
    const redraw: GoalNode[] = [];
    for (const snapshot of this.watcher.list()) {
      const key = goalNodeKey({ kind: 'goal', goal: snapshot.view.goal.id });
      const node = this.nodes.get(key);
      if (node && clockRuns(snapshot) && !this.hover.holds(key) && this.differs(node, snapshot)) redraw.push(node);
    }
    if (redraw.length > 0) this.changed.fire(redraw);
    this.schedule();
  }
}

const clockRuns = (s: GoalSnapshot): boolean => !isSettledGoal(s.view.goal.status) && s.view.goal.status !== 'paused';
