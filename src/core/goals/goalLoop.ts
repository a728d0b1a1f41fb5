/**
 * A goal's iteration loop: each iteration a team (at most max_agents workers) works its part of the
 * graph in worktrees made from the goal's branch, their work is merged into it, the gates run on it
 * and the iteration is measured; a failed required gate becomes fix tasks for the next iteration
 * while `until_ready` allows, and the goal ends with its proof, `ready` or `not_ready`. The loop
 * waits while an agent waits for a person, and stops when the goal stops running or its budget is spent.
 */
import { errorMessage, SwitchboardError } from '../errors';
import type { Disposable, Event } from '../events';
import type { Logger } from '../logger';
import type { RunGuard } from '../runs/types';
import { isSameProcessAlive } from '../proc/processTable';
import { isActiveTeam } from '../teams/teamStore';
import { checkpoint } from './budget';
import type { BudgetWatch } from './budgetWatch';
import type { GoalContext } from './goalContext';
import type { GoalFeed } from './goalFeed';
import type { GoalRecord, GoalStatus, Iteration } from './goalRecord';
import { measureIteration } from './iterationMetrics';
import { recordRecoveryPoint } from './recoveryPoints';
import { diagnose } from './stagnation';
import { verifyIteration } from './goalVerify';
import { writeProof } from './goalProof';
import { fixTasks, remainingSpecs, takeTeamTasks } from './goalTasks';
import { takeAddedWork } from './goalAddTask';
import { mergeTeamWork } from './goalWorkspace';
import { restoreGoalCheckout } from './goalCheckout';

/** What the loop works on: the goal's record and the parts of the goal it reports and saves through. */
export interface LoopedGoal {
  readonly ctx: GoalContext;
  readonly record: GoalRecord;
  readonly watch: BudgetWatch;
  readonly events: GoalFeed;
  readonly log: Logger;
  readonly onDidChange: Event<GoalRecord>;
  /** Asked before each run of the goal starts: refuses it, or gives its limits. */
  readonly guard: RunGuard;
  save(): void;
  /** This process let go of the goal (it closes): the loop does nothing more. */
  disposed(): boolean;
  /** Keeps `listener` until the goal is let go of. */
  register(listener: Disposable): void;
}

export class GoalLoop {
  private readonly ctx: GoalContext;
  private readonly record: GoalRecord;
  private readonly watch: BudgetWatch;
  private readonly events: GoalFeed;
  private readonly log: Logger;
  private driving: Promise<void> | undefined;
  /** The evaluator's run while it scores an iteration (a stop of the goal ends it). */
  private evaluatorRun: string | undefined;

  constructor(private readonly goal: LoopedGoal) {
    this.ctx = goal.ctx;
    this.record = goal.record;
    this.watch = goal.watch;
    this.events = goal.events;
    this.log = goal.log;
  }

  /** The loop while it runs. */
  get running(): Promise<void> | undefined {
    return this.driving;
  }

  /** Resolves once the loop is through (a stop waits for this; a rollback under way does not count). */
  async done(): Promise<void> {
    while (this.driving) await this.driving;
  }

  /** Runs the loop, unless it runs already. */
  drive(): Promise<void> {
    this.driving ??= this.loop().finally(() => (this.driving = undefined));
    return this.driving;
  }

  private async loop(): Promise<void> {
    try {
      // Its checkout was removed once it had ended (goal cleanup): made again from the goal branch.
      await restoreGoalCheckout(this.ctx.stateDir, this.record);
      while ((this.record.status === 'running' || this.record.status === 'blocked_on_human') && !this.goal.disposed()) {
        if (this.watch.check().exhausted.length) return;
        // An agent waits for a person: nothing new starts until it is answered.
        if (this.record.status === 'blocked_on_human') {
          await this.nextChange();
          continue;
        }
        const phase = this.record.phase;
        if (phase === 'intake') {
          this.record.phase = this.record.tasks.length ? 'decomposition' : 'planning';
          this.goal.save();
          continue;
        }
        // Work added while no team was at work (a promoted discovery) is done before anything is verified or proven.
        if ((phase === 'verification_design' || phase === 'proof') && takeAddedWork(this.record)) {
          this.record.phase = 'execution';
          this.goal.save();
        } else if (phase === 'verification_design') await this.verify();
        else if (phase === 'proof') await this.prove();
        else await this.iterate();
      }
    } catch (error) {
      if (this.goal.disposed()) return;
      this.log.error(`[goals] ${this.record.id} failed: ${(error as Error).stack ?? errorMessage(error)}`);
      this.record.failure = errorMessage(error);
      this.finish('failed_infra');
    }
  }

  /** Resolves at the goal's next change. */
  private nextChange(): Promise<void> {
    return new Promise((resolve) => {
      const listener = this.goal.onDidChange(() => (listener.dispose(), resolve()));
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
      await teams.resume(existing.name, this.goal.guard);
    } else if (!existing || !isActiveTeam(existing.status)) {
      const specs = remainingSpecs(this.record, iteration);
      if (existing && specs.length === 0) return this.toVerification();
      // A team stopped midway (a pause, the budget) is followed by another for what it left: -2.2, -2.3…
      // A name a team had before is skipped: after a rollback an iteration is worked again, and the
      // teams (and branches) of the iterations it undid are still there.
      const taken = new Set(teams.list().map((t) => t.name));
      do {
        iteration.teams = (iteration.teams ?? 0) + 1;
        team = `${this.record.id}-${iteration.n}${iteration.teams > 1 ? `.${iteration.teams}` : ''}`;
      } while (taken.has(team));
      const planned = iteration.n === 1 && specs.length === 0 && !existing;
      this.record.team = team;
      iteration.team = team;
      this.record.phase = planned ? 'planning' : 'execution';
      // The budget's checkpoint as a team starts on it (its first, or one going on after a pause, an extension or a rollback), in the phase it works in.
      this.record.checkpoints.push(checkpoint(this.record, this.watch.state().spend, 'iteration_started'));
      this.goal.save();
      await teams.run({
        name: team,
        spec: planned ? this.record.spec : this.record.spec.replace(/(^|,)\d+:planner(:[\w-]+)?,?/, '$1').replace(/,$/, '') || `${this.record.maxAgents}:executor`,
        task: iteration.n === 1 ? this.record.normalizedGoal : `Iteration ${iteration.n} of: ${this.record.normalizedGoal}`,
        ...(planned ? {} : { tasks: specs }),
        workspace: this.record.checkout,
        goal: this.record.id,
        guard: this.goal.guard,
      });
    }
    this.follow(team!);
    const ended = await teams.finished(team!);
    // This process let go of the goal meanwhile (it closes): whoever takes it over goes on from here.
    if (this.goal.disposed()) return;
    takeTeamTasks(this.record, iteration, ended.tasks);
    if (ended.tasks.length && this.record.phase === 'planning') this.record.phase = 'execution';
    // Its planner made no usable plan: nothing was done, and gates passing on untouched code prove nothing.
    if (this.record.phase === 'planning' && ended.status === 'failed') {
      this.record.failure = `no work was planned: ${ended.reason ?? 'the planner made no usable plan'}`;
      return this.finish('not_ready');
    }
    const { problems } = await mergeTeamWork(teams, team!);
    iteration.problems = [...(iteration.problems ?? []), ...problems];
    this.goal.save();
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
    this.goal.save();
  }

  /** Passes the team's changes on as the goal's (the views follow the goal as its tasks move). */
  private follow(team: string): void {
    const listener = this.ctx.teams.onDidChange((t) => {
      if (t.name !== team || this.goal.disposed()) return;
      takeTeamTasks(this.record, this.current, t.tasks);
      this.goal.save();
      if (!isActiveTeam(t.status)) listener.dispose();
    });
    this.goal.register(listener);
  }

  private toVerification(): void {
    this.record.phase = 'verification_design';
    this.goal.save();
  }

  private async verify(): Promise<void> {
    const iteration = this.current;
    const outcome = await verifyIteration(this.ctx, this.record, iteration, { guard: this.goal.guard, started: (id) => this.evaluating(id) });
    if (outcome.stopped) return void this.watch.check();
    this.events.iteration(iteration);
    if (outcome.blockedOn) {
      this.record.status = 'blocked_on_external';
      this.record.blockedOn = outcome.blockedOn;
      this.goal.save();
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
        for (const fix of fixes) this.record.tasks.push({ id: fix.id!, title: fix.title, description: fix.description, dependsOn: fix.dependsOn ?? [], status: 'pending', attempts: 0, ...(fix.role ? { role: fix.role } : {}), ...(fix.model ? { model: fix.model } : {}) });
        this.record.iterations.push(next);
        this.record.iteration = next.n;
        this.record.team = undefined;
        this.record.phase = 'execution';
      }
    } else this.record.phase = 'proof';
    this.goal.save();
  }

  private evaluating(runId: string | undefined): void {
    this.evaluatorRun = runId;
    // Stopped while its run was starting: it ends at once.
    if (runId && this.record.status !== 'running') void this.stopEvaluator();
  }

  /** Ends the evaluator's run, if one is at work (the goal stops: paused, out of budget, cancelled). */
  async stopEvaluator(): Promise<void> {
    const run = this.evaluatorRun;
    if (run) await this.ctx.runs.kill(run, { source: `goal ${this.record.id} stopped` }).catch(() => undefined);
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
    this.goal.save();
  }
}
