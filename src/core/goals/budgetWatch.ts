/**
 * Watching a goal's budget as its runs report: each change of one of its runs (a usage report
 * arrives within milliseconds of the CLI printing it) is measured against the limits, and the time
 * budget has a timer of its own. Past 80% (configurable) of a dimension it warns once; at 100% it says exhausted,
 * as it does when a run of the goal was stopped by its supervisor at its part of the goal's budget (see goalRunLimits).
 * It also tells when an agent of the goal waits for a person, and when none does any more.
 */
import { Lifecycle, toDisposable } from '../lifecycle';
import type { RunRegistry } from '../registry/registry';
import type { RunRecord } from '../runs/types';
import { goalBudgetStop } from '../supervisor/runLimits';
import { budgetState, spendOf, timeLeftMs, type BudgetDimension, type BudgetState } from './budget';
import type { GoalRecord } from './goalRecord';

export interface BudgetWatchHooks {
  warn(dimensions: BudgetDimension[], state: BudgetState): void;
  /** `why`: said when it is not the goal's figures that say so (a run stopped at its part of the budget). */
  exhausted(dimensions: BudgetDimension[], state: BudgetState, why?: string): void;
  /** The first waiting run of the goal (undefined: none waits). */
  waiting(run: RunRecord | undefined): void;
}

export class BudgetWatch extends Lifecycle {
  private timer: NodeJS.Timeout | undefined;
  private waitingRun: string | undefined;
  /** Runs stopped at the goal's budget that were told as exhaustion; those that ended before this watch began are not. */
  private readonly budgetStops = new Set<string>();
  private readonly since = Date.now();

  constructor(
    private readonly goal: () => GoalRecord,
    private readonly runs: RunRegistry,
    private readonly hooks: BudgetWatchHooks,
  ) {
    super();
    this.register(
      runs.onDidChange(({ run }) => {
        if (run.links.goal !== goal().id) return;
        this.stoppedAtBudget(run);
        this.check();
      }),
    );
    this.register(toDisposable(() => this.timer && clearTimeout(this.timer)));
  }

  /** The goal's runs, as the registry knows them now. */
  goalRuns(): RunRecord[] {
    return this.runs.list({ goal: this.goal().id });
  }

  /** The part of a budget past which the goal warns (configured; 0.8). */
  get warnAt(): number {
    return this.runs.config.goals.budgetWarningAt;
  }

  state(now = Date.now()): BudgetState {
    return budgetState(this.goal(), spendOf(this.goal(), this.goalRuns(), now), this.warnAt);
  }

  /** Measures now; arms the time budget's timer for when it runs out (re-armed by each check). */
  check(): BudgetState {
    const goal = this.goal();
    const state = this.state();
    const fresh = state.warnings.filter((d) => !goal.warned.includes(d));
    if (fresh.length) this.hooks.warn(fresh, state);
    if (state.exhausted.length) this.hooks.exhausted(state.exhausted, state);
    const waiting = this.goalRuns().find((r) => r.status === 'running' && r.waiting);
    if (waiting?.id !== this.waitingRun) {
      this.waitingRun = waiting?.id;
      this.hooks.waiting(waiting);
    }
    this.armTimer();
    return state;
  }

  /**
   * A run its supervisor stopped at its part of the goal's budget: the goal's budget is spent as far
   * as that run could tell (its figures may not say so yet, or its limit had not been raised), and
   * the goal stops as when its own figures say so, rather than its team trying the task again.
   */
  private stoppedAtBudget(run: RunRecord): void {
    const dimension = goalBudgetStop(run);
    if (!dimension || this.budgetStops.has(run.id) || (run.endedAt ?? 0) < this.since) return;
    this.budgetStops.add(run.id);
    this.hooks.exhausted([dimension], this.state(), `${run.name} was ${run.lastError!}`);
  }

  private armTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const goal = this.goal();
    const left = timeLeftMs(goal);
    if (left === undefined || this.isDisposed || goal.status !== 'running') return;
    // Woken at the warning mark and at the end; a little after, so the figures are past them.
    const toWarn = goal.warned.includes('time') ? Infinity : left - goal.budgetTimeMs! * (1 - this.warnAt);
    const wait = Math.max(0, Math.min(toWarn > 0 ? toWarn : Infinity, left)) + 20;
    this.timer = setTimeout(() => this.check(), Math.min(wait, 2 ** 31 - 1));
    this.timer.unref();
  }
}
