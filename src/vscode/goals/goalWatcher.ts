/**
 * The goals of one state folder as the Goals view, the status bar and the goal documents show them,
 * kept current without looking at files on a timer: a goal is read again when this process's
 * GoalService says it changed, when one of its runs changes, or when the live feed tells of a change
 * made by another process (its record, its budget, its team's tasks, its gates and their breakers,
 * its discoveries). Reads are batched (SnapshotWatcher). The one timer it keeps is for the moment an
 * open breaker turns half-open, which no process writes down. No `vscode` import: it is plain state
 * over the core.
 */
import type { Disposable } from '../../core/events';
import type { FeedEvent } from '../../core/feed/feedEvent';
import type { BreakerView } from '../../core/gates/breakerState';
import { Breakers } from '../../core/gates/breakers';
import { spendOf, budgetState, type BudgetState } from '../../core/goals/budget';
import type { GoalStatusView } from '../../core/goals/goalService';
import { listGoals } from '../../core/goals/goalStore';
import { toDisposable } from '../../core/lifecycle';
import type { RunRecord } from '../../core/runs/types';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import type { Discovery } from '../../core/discoveries/discoveryStore';
import { discoveriesOf } from '../discoveries/discoveryRows';
import { SnapshotWatcher, type SnapshotsChange } from '../snapshotWatcher';

/** One goal as last read: its status view, its runs by id, the breakers of its workspace by gate, and its discoveries. */
export interface GoalSnapshot {
  view: GoalStatusView;
  runs: ReadonlyMap<string, RunRecord>;
  breakers: ReadonlyMap<string, BreakerView>;
  /** The short hash naming its workspace's gates (`gate:<key>/<gate>` in the feed). */
  gatesKey: string;
  /** Oldest first. */
  discoveries: readonly Discovery[];
}

export type GoalsChange = SnapshotsChange;

/** A goal's team is named `<goal>-<iteration>` (`-2.3` for the third team of iteration 2). */
const GOAL_TEAM = /^(goal-\d{8}-[a-z0-9]{6})-\d+(?:\.\d+)?$/;

/** The budget as it stands at `now` (the elapsed time moves; the spend is what the runs last reported). */
export function budgetNow(snapshot: GoalSnapshot, now = Date.now()): BudgetState {
  const { goal } = snapshot.view;
  return budgetState(goal, spendOf(goal, [...snapshot.runs.values()], now));
}

/** A workspace's breakers, read once per batch however many goals work on it. */
interface WorkspaceGates {
  key: string;
  breakers: ReadonlyMap<string, BreakerView>;
}

export class GoalWatcher extends SnapshotWatcher<GoalSnapshot> {
  /** Wakes the watcher when an open breaker of a goal's gates turns half-open. */
  private halfOpen: NodeJS.Timeout | undefined;
  private readonly gates = new Map<string, WorkspaceGates>();

  constructor(slot: SwitchboardSlot) {
    super(slot);
    this.register(toDisposable(() => this.halfOpen && clearTimeout(this.halfOpen)));
    if (slot.current) this.setSource(slot.current);
  }

  protected listIds(source: Switchboard): string[] {
    return listGoals(source.stateDir);
  }

  protected createdAt(snapshot: GoalSnapshot): number {
    return snapshot.view.goal.createdAt;
  }

  protected listen(source: Switchboard): Disposable[] {
    return [
      source.goals.onDidChange((record) => this.markDirty(record.id)),
      source.runs.onDidChange(({ run }) => run.links.goal && this.markDirty(run.links.goal)),
      source.feed.onDidAppend((event) => this.heard(event)),
    ];
  }

  /** What a change in the feed is about: a goal, a goal's team, run, budget or discovery, or the gates of a workspace. */
  private heard(event: FeedEvent): void {
    const at = event.key.indexOf(':');
    const family = event.key.slice(0, at);
    const rest = event.key.slice(at + 1);
    if (family === 'goal') return this.markDirty(rest, event.type === 'goal.created' || !this.snapshots.has(rest));
    if (family === 'gate') {
      const key = rest.slice(0, rest.indexOf('/'));
      for (const snapshot of this.snapshots.values()) if (snapshot.gatesKey === key) this.markDirty(snapshot.view.goal.id, false);
      return;
    }
    const team = family === 'team' || family === 'task' ? rest.split('/')[0]! : undefined;
    const goal = team ? GOAL_TEAM.exec(team)?.[1] : (event.entity as { links?: { goal?: string } } | undefined)?.links?.goal;
    if (goal) this.markDirty(goal);
  }

  protected override beforeRead(): void {
    this.gates.clear();
  }

  protected read(source: Switchboard, id: string): GoalSnapshot | undefined {
    try {
      const view = source.goals.status(id);
      const workspace = view.goal.workspace;
      let gates = this.gates.get(workspace);
      if (!gates) {
        const breakers = new Breakers(source.stateDir, workspace);
        gates = { key: breakers.paths.key, breakers: new Map(breakers.status().map((b) => [b.gateName, b])) };
        this.gates.set(workspace, gates);
      }
      return { view, runs: new Map(source.runs.list({ goal: id }).map((r) => [r.id, r])), breakers: gates.breakers, gatesKey: gates.key, discoveries: discoveriesOf(source.stateDir, { goal: id }) };
    } catch {
      return undefined;
    }
  }

  /** An open breaker turns half-open by the clock alone: its goals are read again then. */
  protected override afterRefresh(): void {
    if (this.halfOpen) clearTimeout(this.halfOpen);
    this.halfOpen = undefined;
    let next = Infinity;
    const due: string[] = [];
    for (const snapshot of this.snapshots.values()) {
      for (const b of snapshot.breakers.values()) {
        if (b.state !== 'Open' || b.lastFailureAt === undefined) continue;
        const at = b.lastFailureAt + b.recoveryTimeoutSecs * 1000;
        if (at < next) {
          next = at;
          due.splice(0);
        }
        if (at === next) due.push(snapshot.view.goal.id);
      }
    }
    if (next === Infinity || this.isDisposed) return;
    this.halfOpen = setTimeout(() => due.forEach((id) => this.markDirty(id, false)), Math.min(Math.max(0, next - Date.now()) + 50, 2 ** 31 - 1));
    this.halfOpen.unref?.();
  }
}
