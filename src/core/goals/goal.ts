/**
 * A goal at work in this process, and what may be done to it: taken (new, or taken over after the
 * process that ran it died), paused, resumed, extended, cancelled, rolled back, recovered, given a
 * task, let go of. Its iterations run in goalLoop; its budget is watched as its runs report: a
 * warning at 80%, and at 100% no run starts and the team is stopped. Each run starts with its part of
 * the budget as hard limits its supervisor holds, so the budget holds with nobody running the goal
 * (goalRunLimits). Each change is saved and told.
 */
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Event } from '../events';
import { Lifecycle } from '../lifecycle';
import { silentLogger, type Logger } from '../logger';
import { startTokenOf } from '../proc/processTable';
import type { BudgetDimension } from './budget';
import { checkpoint } from './budget';
import { formatBudgetTime } from './duration';
import { BudgetWatch } from './budgetWatch';
import type { GoalContext } from './goalContext';
import { GoalFeed } from './goalFeed';
import { GoalLoop } from './goalLoop';
import { recoverGoal, rollbackGoal, type RecoveredGoal } from './goalRecover';
import { isLiveGoal, isSettledGoal, type GoalRecord, type RecoveryPoint, type Rollback } from './goalRecord';
import { findRecoveryPoint } from './recoveryPoints';
import type { RecoveryPlan } from './recovery';
import { saveGoal } from './goalStore';
import { addGoalTask } from './goalAddTask';
import { goalRunLimits, raiseGoalRunLimits } from './goalRunLimits';
import type { RunLimits } from '../runs/types';
import type { Task, TaskSpec } from '../dag/task';

export class Goal extends Lifecycle {
  private readonly changes: Emitter<GoalRecord>;
  readonly onDidChange: Event<GoalRecord>;
  private readonly watch: BudgetWatch;
  private readonly events: GoalFeed;
  private readonly loop: GoalLoop;
  /** A rollback or a recovery under way (the goal is not let go of meanwhile). */
  private acting: Promise<unknown> | undefined;
  private readonly log: Logger;

  constructor(private readonly ctx: GoalContext, readonly record: GoalRecord) {
    super();
    this.log = ctx.logger ?? silentLogger;
    this.changes = this.register(new Emitter<GoalRecord>(this.log));
    this.onDidChange = this.changes.event;
    this.events = new GoalFeed(ctx, record);
    this.watch = this.register(
      new BudgetWatch(() => this.record, ctx.runs, {
        warn: (dims, state) => this.warned(dims, state.used),
        // Held as an act, so whoever waits for the goal to settle (a takeover's answer) waits for its agents to stop.
        exhausted: (dims, _state, why) => void this.act(() => this.stop('needs_more_budget', why ?? `its ${dims.join(' and ')} budget is spent`)),
        waiting: (run) => this.waiting(run && `${run.name} waits for ${run.waiting!.reason}`),
      }),
    );
    this.loop = new GoalLoop({
      ctx,
      record,
      watch: this.watch,
      events: this.events,
      log: this.log,
      onDidChange: this.onDidChange,
      guard: this.guard,
      save: () => this.save(),
      disposed: () => this.isDisposed,
      register: (listener) => void this.register(listener),
    });
  }

  /** Takes the goal as this process's, and goes on with it (a new goal, or one taken over). */
  begin(): void {
    if (this.record.checkpoints.length === 0) {
      this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'goal_created'));
    }
    this.record.owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    if (this.ctx.ownerSocket) this.record.ownerSocket = this.ctx.ownerSocket;
    this.save();
    if (this.record.status === 'running') void this.loop.drive();
    else this.watch.check();
  }

  /** Resolves once the goal is no longer at work here (it ended, was paused, stopped or let go). */
  async settled(): Promise<GoalRecord> {
    while (this.loop.running || this.acting) await (this.loop.running ?? this.acting)?.catch(() => undefined);
    return this.record;
  }

  /** No run may start when the goal is not running, or its budget is spent; one that starts gets its part of the budget as hard limits. */
  readonly guard = (): RunLimits | undefined => {
    if (this.record.status !== 'running') throw new SwitchboardError('not_running', `Goal ${this.record.id} is ${this.record.status}; it starts no run now.`);
    const state = this.watch.state();
    if (state.exhausted.length) throw new SwitchboardError('budget_exhausted', `Goal ${this.record.id} has spent its ${state.exhausted.join(' and ')} budget; it starts no run.`, `Extend it: switchboard goal extend ${this.record.id} …`);
    return goalRunLimits(this.record, state);
  };

  /** Runs `work` with the goal held here (not let go of while it runs). */
  private async act<T>(work: () => Promise<T>): Promise<T> {
    const done = work();
    this.acting = done;
    try {
      return await done;
    } finally {
      if (this.acting === done) this.acting = undefined;
    }
  }

  /**
   * Puts the goal branch and state back to a recovery checkpoint (`to`, else the one the current iteration started from). A goal at work
   * is paused for it and goes on from there; one that had ended is left paused, to be resumed.
   */
  rollback(to?: string, actor = 'a person'): Promise<{ record: GoalRecord; point: RecoveryPoint; rollback: Rollback }> {
    if (this.record.status === 'cancelled') return Promise.reject(new SwitchboardError('not_running', `Goal ${this.record.id} was cancelled; it is not rolled back.`, 'Create a new goal for more work.'));
    const point = findRecoveryPoint(this.record, to);
    return this.act(() => rollbackGoal(this.recovered(), point, actor));
  }

  /** Carries out a recovery plan: paused for it, then goes on (unless it asks a person). */
  recover(plan: RecoveryPlan, actor = 'a person'): Promise<{ record: GoalRecord; results: string[] }> {
    if (plan.actions.length === 0) return Promise.reject(new SwitchboardError('invalid_argument', `Goal ${this.record.id} is not stagnant; there is nothing to recover.`, `See \`switchboard goal diagnose ${this.record.id}\`.`));
    if (this.record.status === 'cancelled' || (isSettledGoal(this.record.status) && !plan.actions.some((a) => a.kind === 'rollback'))) {
      return Promise.reject(new SwitchboardError('not_running', `Goal ${this.record.id} has ended (${this.record.status}); a recovery without a rollback cannot go on with it.`, `Roll it back first: switchboard goal rollback ${this.record.id}`));
    }
    return this.act(() => recoverGoal(this.recovered(), plan, actor));
  }

  /** What a rollback or a recovery works on. */
  private recovered(): RecoveredGoal {
    return { stateDir: this.ctx.stateDir, record: this.record, events: this.events, save: () => this.save(), pause: (why) => this.stop('paused', why), resume: () => this.resume() };
  }

  private warned(dims: BudgetDimension[], used: Partial<Record<BudgetDimension, number>>): void {
    this.record.warned.push(...dims);
    this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'budget_warning'));
    this.events.budget('budget.warning', dims.map((d) => `${d} ${Math.round((used[d] ?? 0) * 100)}%`).join(', '));
    this.save();
  }

  private waiting(reason: string | undefined): void {
    if (!this.record.terminalCriteria.humanBlockersStop) return;
    if (reason && this.record.status === 'running') {
      this.record.status = 'blocked_on_human';
      this.record.blockedOn = reason;
    } else if (!reason && this.record.status === 'blocked_on_human') {
      this.record.status = 'running';
      this.record.blockedOn = undefined;
    } else return;
    this.save();
  }

  /** Stops the work (its team interrupted, then killed after the grace time) and leaves the goal `status`. */
  async stop(status: 'paused' | 'needs_more_budget' | 'cancelled', why: string): Promise<GoalRecord> {
    if (!isLiveGoal(this.record.status) && !(status === 'cancelled' && this.record.status !== 'cancelled' && this.record.status !== 'ready' && this.record.status !== 'not_ready')) return this.record;
    const before = this.record.status;
    this.record.status = status;
    this.record.blockedOn = undefined;
    // Nobody works while it is paused or waits for more budget: that time does not count against it.
    if (status === 'paused' || status === 'needs_more_budget') this.record.pausedAt = Date.now();
    if (status === 'cancelled') this.record.completedAt = Date.now();
    if (status === 'needs_more_budget') {
      this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'budget_exhausted'));
      this.events.budget('budget.exhausted', why);
    }
    this.record.failure = status === 'paused' ? undefined : why;
    this.save();
    const team = this.record.team;
    if (team && isLiveGoal(before)) await this.ctx.teams.shutdown(team).catch((error: unknown) => this.log.warn(`[goals] stopping team ${team}: ${errorMessage(error)}`));
    await this.loop.stopEvaluator();
    await this.loop.done();
    // What running agents spent before they stopped; a cancelled goal's are its final figures.
    if (status === 'needs_more_budget') this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'stopped'));
    if (status === 'cancelled') this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'goal_completed'));
    this.save();
    return this.record;
  }

  /** Goes on after a pause, a budget extension, or a gate's breaker reset. */
  resume(): GoalRecord {
    if (this.record.status === 'running') return this.record;
    if (this.record.status === 'ready' || this.record.status === 'not_ready' || this.record.status === 'cancelled' || this.record.status === 'failed_infra') {
      throw new SwitchboardError('not_running', `Goal ${this.record.id} has ended (${this.record.status}).`, 'Create a new goal for more work.');
    }
    if (this.record.pausedAt) this.record.pausedMs += Date.now() - this.record.pausedAt;
    this.record.pausedAt = undefined;
    const state = this.watch.state();
    if (state.exhausted.length) {
      this.record.status = 'needs_more_budget';
      this.save();
      throw new SwitchboardError('budget_exhausted', `Goal ${this.record.id} has spent its ${state.exhausted.join(' and ')} budget.`, `Extend it first: switchboard goal extend ${this.record.id} --usd +5 --tokens +100000 --time +1h`);
    }
    if (this.record.status === 'blocked_on_external') this.record.phase = 'verification_design';
    this.record.status = 'running';
    this.record.blockedOn = undefined;
    this.record.failure = undefined;
    this.save();
    void this.loop.drive();
    return this.record;
  }

  /**
   * resume(), but a refusal is told once the goal has settled: taken over with its budget spent, its agents
   * are being stopped, and a `goal resume` exiting at once would leave them (and its team) running.
   */
  async resumeSettled(): Promise<GoalRecord> {
    try {
      return this.resume();
    } catch (error) {
      await this.settled();
      throw error;
    }
  }

  /** Raises the budget (recorded as a checkpoint) and the limits of its runs at work with it; a goal stopped by its budget goes on. */
  async extend(more: { usd?: number; tokens?: number; timeMs?: number; time?: string }): Promise<GoalRecord> {
    if (more.usd) this.record.budgetUsd = (this.record.budgetUsd ?? 0) + more.usd;
    if (more.tokens) this.record.budgetTokens = (this.record.budgetTokens ?? 0) + more.tokens;
    if (more.timeMs) {
      this.record.budgetTimeMs = (this.record.budgetTimeMs ?? 0) + more.timeMs;
      this.record.budgetTime = formatBudgetTime(this.record.budgetTimeMs);
    }
    const state = this.watch.state();
    this.record.warned = this.record.warned.filter((d) => (state.used[d as BudgetDimension] ?? 0) >= this.watch.warnAt);
    this.record.checkpoints.push(checkpoint(this.record, state.spend, 'budget_extended'));
    this.events.budget('budget.extended', [more.usd && `+$${more.usd}`, more.tokens && `+${more.tokens} tokens`, more.timeMs && `+${formatBudgetTime(more.timeMs)}`].filter(Boolean).join(', '));
    this.save();
    await raiseGoalRunLimits(this.ctx.stateDir, this.record, state, this.watch.goalRuns(), this.log);
    if (this.record.status === 'needs_more_budget' && state.exhausted.length === 0) return this.resume();
    return this.record;
  }

  /** Adds a task to the graph (a promoted discovery): the team at work takes it when it can, else the goal's next team does. */
  async addTask(spec: TaskSpec): Promise<Task> {
    const task = await addGoalTask(this.record, this.ctx.teams, spec);
    this.save();
    return task;
  }

  save(): void {
    if (this.isDisposed) return;
    this.record.updatedAt = Date.now();
    saveGoal(this.ctx.stateDir, this.record);
    this.events.saved(this.record);
    this.changes.fire(this.record);
  }

  /** This process lets go of the goal (it closes): the record says nobody runs it, so it can be taken over. */
  release(): void {
    if (!isLiveGoal(this.record.status)) return;
    this.record.owner = undefined;
    this.record.ownerSocket = undefined;
    saveGoal(this.ctx.stateDir, this.record);
  }
}
