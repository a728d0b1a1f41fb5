/**
 * A goal at work in this process: each iteration a team (at most max_agents workers) works its part
 * of the graph in worktrees made from the goal's branch, their work is merged into it, the gates
 * run on it; a failed required gate becomes fix tasks for the next iteration while `until_ready`
 * allows, and the goal ends with its proof, `ready` or `not_ready`. Its budget is watched as its
 * runs report: a warning at 80%, and at 100% no run starts and the team is stopped. It can be
 * paused, resumed, extended and cancelled, and taken over by another process after this one died.
 */
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Event } from '../events';
import { Lifecycle } from '../lifecycle';
import { silentLogger, type Logger } from '../logger';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { isActiveTeam } from '../teams/teamStore';
import type { BudgetDimension } from './budget';
import { checkpoint } from './budget';
import { formatBudgetTime } from './duration';
import { BudgetWatch } from './budgetWatch';
import type { GoalContext } from './goalContext';
import { GoalFeed } from './goalFeed';
import { isLiveGoal, isSettledGoal, type GoalRecord, type GoalStatus, type Iteration, type RecoveryPoint, type Rollback } from './goalRecord';
import { measureIteration } from './iterationMetrics';
import { findRecoveryPoint, recordRecoveryPoint, rollBack } from './recoveryPoints';
import { addReviewTask, specWithReviewer, specWithRunner, splitTask, type RecoveryPlan } from './recovery';
import { diagnose } from './stagnation';
import { verifyIteration } from './goalVerify';
import { writeProof } from './goalProof';
import { saveGoal } from './goalStore';
import { fixTasks, remainingSpecs, takeTeamTasks } from './goalTasks';
import { addGoalTask, takeAddedWork } from './goalAddTask';
import type { Task, TaskSpec } from '../dag/task';
import { mergeTeamWork } from './goalWorkspace';

export class Goal extends Lifecycle {
  private readonly changes: Emitter<GoalRecord>;
  readonly onDidChange: Event<GoalRecord>;
  private readonly watch: BudgetWatch;
  private readonly events: GoalFeed;
  private driving: Promise<void> | undefined;
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
        exhausted: (dims) => void this.stop('needs_more_budget', `its ${dims.join(' and ')} budget is spent`),
        waiting: (run) => this.waiting(run && `${run.name} waits for ${run.waiting!.reason}`),
      }),
    );
  }

  /** Takes the goal as this process's, and goes on with it (a new goal, or one taken over). */
  begin(): void {
    if (this.record.checkpoints.length === 0) {
      const spend = this.watch.state().spend;
      this.record.checkpoints.push(checkpoint(this.record, spend, 'goal_created'), checkpoint(this.record, spend, 'iteration_started'));
    }
    this.record.owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    if (this.ctx.ownerSocket) this.record.ownerSocket = this.ctx.ownerSocket;
    this.save();
    if (this.record.status === 'running') void this.drive();
    else this.watch.check();
  }

  /** Resolves once the goal is no longer at work here (it ended, was paused, stopped or let go). */
  async settled(): Promise<GoalRecord> {
    while (this.driving || this.acting) await (this.driving ?? this.acting)?.catch(() => undefined);
    return this.record;
  }

  /** Resolves once the loop is through (a stop waits for this; a rollback under way does not count). */
  private async loopDone(): Promise<void> {
    while (this.driving) await this.driving;
  }

  /** No run may start when the goal is not running, or its budget is spent. */
  readonly guard = (): void => {
    if (this.record.status !== 'running') throw new SwitchboardError('not_running', `Goal ${this.record.id} is ${this.record.status}; it starts no run now.`);
    const state = this.watch.state();
    if (state.exhausted.length) throw new SwitchboardError('budget_exhausted', `Goal ${this.record.id} has spent its ${state.exhausted.join(' and ')} budget; it starts no run.`, `Extend it: switchboard goal extend ${this.record.id} …`);
  };

  private drive(): Promise<void> {
    this.driving ??= this.loop().finally(() => (this.driving = undefined));
    return this.driving;
  }

  private async loop(): Promise<void> {
    try {
      while ((this.record.status === 'running' || this.record.status === 'blocked_on_human') && !this.isDisposed) {
        if (this.watch.check().exhausted.length) return;
        // An agent waits for a person: nothing new starts until it is answered.
        if (this.record.status === 'blocked_on_human') {
          await this.nextChange();
          continue;
        }
        const phase = this.record.phase;
        // Work added while no team was at work (a promoted discovery) is done before anything is verified or proven.
        if ((phase === 'verification_design' || phase === 'proof') && takeAddedWork(this.record)) {
          this.record.phase = 'execution';
          this.save();
        } else if (phase === 'verification_design') await this.verify();
        else if (phase === 'proof') await this.prove();
        else await this.iterate();
      }
    } catch (error) {
      if (this.isDisposed) return;
      this.log.error(`[goals] ${this.record.id} failed: ${(error as Error).stack ?? errorMessage(error)}`);
      this.record.failure = errorMessage(error);
      this.finish('failed_infra');
    }
  }

  /** Resolves at the goal's next change. */
  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const listener = this.onDidChange(() => (listener.dispose(), resolve()));
    });
  }

  private get current(): Iteration {
    return this.record.iterations.at(-1)!;
  }

  /** Runs (or waits for, or takes over) the current iteration's team, then brings its work onto the goal branch. */
  private async iterate(): Promise<void> {
    const iteration = this.current;
    await this.startIteration(iteration);
    const teams = this.ctx.teams;
    let team = this.record.team;
    const existing = team ? teams.list().find((t) => t.name === team) : undefined;
    if (existing && isActiveTeam(existing.status) && !teams.team(existing.name)) {
      if (isSameProcessAlive(existing.owner)) throw new SwitchboardError('name_taken', `Team ${existing.name} of goal ${this.record.id} is run by another process.`);
      await teams.resume(existing.name, this.guard);
    } else if (!existing || !isActiveTeam(existing.status)) {
      const specs = remainingSpecs(this.record, iteration);
      if (existing && specs.length === 0) return this.toVerification();
      // A team stopped midway (a pause, the budget) is followed by another for what it left: -2.2, -2.3…
      iteration.teams = (iteration.teams ?? 0) + 1;
      team = `${this.record.id}-${iteration.n}${iteration.teams > 1 ? `.${iteration.teams}` : ''}`;
      const planned = iteration.n === 1 && specs.length === 0 && !existing;
      this.record.team = team;
      iteration.team = team;
      this.record.phase = planned ? 'planning' : 'execution';
      this.save();
      await teams.run({
        name: team,
        spec: planned ? this.record.spec : this.record.spec.replace(/(^|,)\d+:planner(:[\w-]+)?,?/, '$1').replace(/,$/, '') || `${this.record.maxAgents}:executor`,
        task: iteration.n === 1 ? this.record.normalizedGoal : `Iteration ${iteration.n} of: ${this.record.normalizedGoal}`,
        ...(planned ? {} : { tasks: specs }),
        workspace: this.record.checkout,
        goal: this.record.id,
        guard: this.guard,
      });
    }
    this.follow(team!);
    const ended = await teams.finished(team!);
    // This process let go of the goal meanwhile (it closes): whoever takes it over goes on from here.
    if (this.isDisposed) return;
    takeTeamTasks(this.record, iteration, ended.tasks);
    if (ended.tasks.length && this.record.phase === 'planning') this.record.phase = 'execution';
    const { problems } = await mergeTeamWork(teams, team!);
    iteration.problems = [...(iteration.problems ?? []), ...problems];
    this.save();
    // Stopped from outside (pause, budget, cancel): the rest waits for whoever resumes it.
    if (this.record.status !== 'running') return;
    if (ended.status === 'done' || ended.status === 'failed' || remainingSpecs(this.record, iteration).length === 0) this.toVerification();
  }

  /** As an iteration's work starts: its recovery checkpoint (once), and what the goal had spent by then. */
  private async startIteration(iteration: Iteration): Promise<void> {
    if (iteration.checkpoint && iteration.spentBefore) return;
    const spend = this.watch.state().spend;
    iteration.spentBefore ??= { usd: spend.usd, tokens: spend.tokens };
    if (!iteration.checkpoint) {
      const point = await recordRecoveryPoint(this.ctx.stateDir, this.record, iteration);
      this.events.told(undefined, 'checkpoint_recorded', `${point.id}: iteration ${iteration.n} starts from ${point.commit.slice(0, 12)} (kept as ${point.ref})`);
    }
    this.save();
  }

  /** Passes the team's changes on as the goal's (the views follow the goal as its tasks move). */
  private follow(team: string): void {
    const listener = this.ctx.teams.onDidChange((t) => {
      if (t.name !== team || this.isDisposed) return;
      takeTeamTasks(this.record, this.current, t.tasks);
      this.save();
      if (!isActiveTeam(t.status)) listener.dispose();
    });
    this.register(listener);
  }

  private toVerification(): void {
    this.record.phase = 'verification_design';
    this.save();
  }

  private async verify(): Promise<void> {
    const iteration = this.current;
    const outcome = await verifyIteration(this.ctx, this.record, iteration);
    this.events.iteration(iteration);
    if (outcome.blockedOn) {
      this.record.status = 'blocked_on_external';
      this.record.blockedOn = outcome.blockedOn;
      this.save();
      return;
    }
    await this.measure(iteration);
    const spend = this.watch.state().spend;
    this.record.checkpoints.push(checkpoint(this.record, spend, 'iteration_ended'));
    if (iteration.passed) this.record.phase = 'proof';
    else if (this.record.untilReady && iteration.n < this.record.maxIterations) {
      const fixes = fixTasks(this.record, iteration);
      if (fixes.length === 0) this.record.phase = 'proof';
      else {
        const next: Iteration = { n: iteration.n + 1, startedAt: Date.now(), tasks: fixes.map((f) => f.id!) };
        for (const fix of fixes) this.record.tasks.push({ id: fix.id!, title: fix.title, description: fix.description, dependsOn: [], status: 'pending', attempts: 0 });
        this.record.iterations.push(next);
        this.record.iteration = next.n;
        this.record.checkpoints.push(checkpoint(this.record, spend, 'iteration_started'));
        this.record.team = undefined;
        this.record.phase = 'execution';
      }
    } else this.record.phase = 'proof';
    this.save();
  }

  /** Measures the verified iteration and checks the goal for stagnation (told, never acted on: a person decides). */
  private async measure(iteration: Iteration): Promise<void> {
    const point = this.record.recoveryPoints?.find((p) => p.id === iteration.checkpoint);
    const before = this.record.iterations.filter((i) => i.n < iteration.n && i.metrics).at(-1)?.metrics?.endCommit;
    try {
      iteration.metrics = await measureIteration(this.record.checkout, iteration, point?.commit ?? before ?? this.record.baseCommit, this.watch.state().spend);
    } catch (error) {
      this.log.warn(`[goals] ${this.record.id}: iteration ${iteration.n} could not be measured: ${errorMessage(error)}`);
      return;
    }
    const diagnosis = diagnose(this.record);
    const found = diagnosis.stagnant ? diagnosis.primary : null;
    this.record.stagnation = found ? { iteration: iteration.n, kind: found.kind, confidence: found.confidence, evidence: found.evidence, at: diagnosis.evaluatedAt } : undefined;
    if (found) this.events.told('goal.stagnation', 'stagnation_detected', `${found.kind} after iteration ${iteration.n} (confidence ${found.confidence}): ${found.evidence}; recommended: ${diagnosis.recommendedAction}`);
  }

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
    return this.act(async () => {
      const wasLive = isLiveGoal(this.record.status);
      if (wasLive) await this.stop('paused', `paused to roll back to ${point.id}`);
      const rollback = await this.rollBackTo(point, actor);
      this.save();
      if (wasLive) this.resume();
      return { record: this.record, point, rollback };
    });
  }

  private async rollBackTo(point: RecoveryPoint, actor: string): Promise<Rollback> {
    const rollback = await rollBack(this.ctx.stateDir, this.record, point);
    if (isSettledGoal(this.record.status)) {
      // It goes on only when a person resumes it; the time until then is not counted.
      this.record.status = 'paused';
      this.record.pausedAt = this.record.completedAt ?? Date.now();
      this.record.completedAt = undefined;
    }
    this.record.failure = undefined;
    const kept = rollback.abandonedRef ? `; the work after it is kept at ${rollback.abandonedRef} (${rollback.abandonedCommit!.slice(0, 12)})` : '';
    this.events.told('goal.rollback', 'rollback', `to ${point.id} (iteration ${point.iteration}, ${point.commit.slice(0, 12)})${kept}${rollback.uncommittedRef ? `; uncommitted changes at ${rollback.uncommittedRef}` : ''}${rollback.reopened?.length ? `; ${rollback.reopened.join(', ')} pending again` : ''}`, actor);
    return rollback;
  }

  /** Carries out a recovery plan: paused for it, then goes on (unless it asks a person). */
  recover(plan: RecoveryPlan, actor = 'a person'): Promise<{ record: GoalRecord; results: string[] }> {
    if (plan.actions.length === 0) return Promise.reject(new SwitchboardError('invalid_argument', `Goal ${this.record.id} is not stagnant; there is nothing to recover.`, `See \`switchboard goal diagnose ${this.record.id}\`.`));
    if (this.record.status === 'cancelled' || (isSettledGoal(this.record.status) && !plan.actions.some((a) => a.kind === 'rollback'))) {
      return Promise.reject(new SwitchboardError('not_running', `Goal ${this.record.id} has ended (${this.record.status}); a recovery without a rollback cannot go on with it.`, `Roll it back first: switchboard goal rollback ${this.record.id}`));
    }
    return this.act(async () => {
      const wasLive = isLiveGoal(this.record.status);
      if (wasLive) await this.stop('paused', 'paused to recover');
      const evidence = plan.diagnosis.primary?.evidence ?? 'stagnant';
      const results: string[] = [];
      let asks = false;
      for (const action of plan.actions) {
        if (action.kind === 'rollback') {
          const done = await this.rollBackTo(findRecoveryPoint(this.record, action.target ?? undefined), actor);
          results.push(`rolled back to ${done.to}${done.abandonedRef ? ` (the work after it is kept at ${done.abandonedRef})` : ''}`);
        } else if (action.kind === 'switch_runner' && action.target) {
          this.record.spec = specWithRunner(this.record.spec, action.target);
          results.push(`the writers now use ${action.target} (${this.record.spec})`);
        } else if (action.kind === 'add_reviewer') {
          const spec = specWithReviewer(this.record.spec, this.record.maxAgents);
          if (!spec) results.push('no reviewer added: max_agents leaves no room for one');
          else {
            this.record.spec = spec;
            results.push(`reviewer task ${addReviewTask(this.record, evidence).id} added before the pending tasks (${spec})`);
          }
        } else if (action.kind === 'split_task' && action.target && this.record.tasks.some((t) => t.id === action.target)) {
          const reviewer = /(^|,)\d+:reviewer\b/.test(this.record.spec);
          results.push(`${action.target} now starts from ${splitTask(this.record, action.target, plan.diagnosis.primary?.gate ?? '', evidence, reviewer).id}, which finds the cause`);
        } else if (action.kind === 'ask_human') {
          asks = true;
          if (isLiveGoal(this.record.status) || this.record.status === 'paused') this.record.status = 'paused';
          this.record.blockedOn = `a person to look at it: ${evidence}`;
          results.push('paused for a person to look at it');
        }
      }
      if (!asks) this.record.stagnation = undefined;
      this.events.told(undefined, 'recovery_applied', results.join('; '), actor);
      this.save();
      if (wasLive && !asks) this.resume();
      return { record: this.record, results };
    });
  }

  private async prove(): Promise<void> {
    const proof = await writeProof(this.ctx, this.record);
    this.record.artifacts = this.record.artifacts.filter((a) => a.kind !== 'proof');
    this.record.artifacts.push({ kind: 'proof', path: proof.path, createdAt: Date.now() });
    if (proof.ready) this.record.failure = undefined;
    else this.record.failure = proof.readiness;
    this.finish(proof.ready ? 'ready' : 'not_ready');
  }

  private finish(status: GoalStatus): void {
    this.record.status = status;
    this.record.completedAt = Date.now();
    this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'goal_completed'));
    this.save();
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
    await this.loopDone();
    // What running agents spent before they stopped.
    if (status === 'needs_more_budget') this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'stopped'));
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
    void this.drive();
    return this.record;
  }

  /** Raises the budget (recorded as a checkpoint); a goal stopped by its budget goes on. */
  extend(more: { usd?: number; tokens?: number; timeMs?: number; time?: string }): GoalRecord {
    if (more.usd) this.record.budgetUsd = (this.record.budgetUsd ?? 0) + more.usd;
    if (more.tokens) this.record.budgetTokens = (this.record.budgetTokens ?? 0) + more.tokens;
    if (more.timeMs) {
      this.record.budgetTimeMs = (this.record.budgetTimeMs ?? 0) + more.timeMs;
      this.record.budgetTime = formatBudgetTime(this.record.budgetTimeMs);
    }
    const state = this.watch.state();
    this.record.warned = this.record.warned.filter((d) => (state.used[d as BudgetDimension] ?? 0) >= 0.8);
    this.record.checkpoints.push(checkpoint(this.record, state.spend, 'budget_extended'));
    this.events.budget('budget.extended', [more.usd && `+$${more.usd}`, more.tokens && `+${more.tokens} tokens`, more.timeMs && `+${formatBudgetTime(more.timeMs)}`].filter(Boolean).join(', '));
    this.save();
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
