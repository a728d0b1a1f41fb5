/**
 * Goals over one state folder, for every surface (CLI, MCP, the Goals view): creating them (they
 * run in this process), their records and budgets, pausing, resuming, cancelling and extending them
 * (asking the owning process when it is another one, acting directly on a goal nobody runs), and
 * taking over a goal whose process died.
 */
import { workspaceKey } from '../gates/gatePaths';
import { SwitchboardError } from '../errors';
import { Emitter, type Disposable, type Event } from '../events';
import type { Feed } from '../feed/feed';
import { Lifecycle, toDisposable } from '../lifecycle';
import { silentLogger, tagged, type Logger } from '../logger';
import { askOwner, type OwnerServer } from '../owner/ownerServer';
import { isSameProcessAlive } from '../proc/processTable';
import type { RunRegistry } from '../registry/registry';
import type { RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { tryFileLock } from '../feed/fileLock';
import type { FeedEvent } from '../feed/feedEvent';
import { Breakers } from '../gates/breakers';
import type { BreakerEntity } from '../gates/breakerState';
import { mergeRoles, type Role } from '../teams/roles';
import type { TeamService } from '../teams/teamService';
import * as fs from 'node:fs';
import { readJsonFile } from '../store/atomicFile';
import { budgetState, checkpoint, spendOf, type BudgetState } from './budget';
import { budgetReport, type BudgetReport } from './budgetReport';
import { replayGoal, type Replay } from './replay';
import { buildProof, type GoalProof } from './goalProof';
import { Goal } from './goal';
import type { GoalContext } from './goalContext';
import { createGoalRecord, type GoalCreateOptions } from './goalIntake';
import { isLiveGoal, isSettledGoal, type GoalRecord, type RecoveryPoint, type Rollback } from './goalRecord';
import { recoveryPlan, type RecoveryPlan } from './recovery';
import { diagnose, type Diagnosis } from './stagnation';
import { findBinary } from '../runners/findBinary';
import { RUNNERS } from '../runners/runnerTable';
import { listGoals, loadGoal, saveGoal } from './goalStore';
import { readEach } from '../store/readEach';
import { addToGoalGraph } from './goalAddTask';
import type { Task, TaskSpec } from '../dag/task';

export type GoalRequest =
  | { op: 'pause' }
  | { op: 'resume' }
  | { op: 'cancel' }
  | { op: 'extend'; usd?: number; tokens?: number; timeMs?: number; time?: string }
  | { op: 'rollback'; to?: string; actor?: string }
  | { op: 'recover'; actor?: string };

/** What a rollback did: the checkpoint, and where the work it left is kept. */
export interface RollbackResult {
  goal: GoalRecord;
  point: RecoveryPoint;
  rollback: Rollback;
}

/** A recovery plan, and once applied what was done. */
export interface RecoveryResult {
  plan: RecoveryPlan;
  applied: boolean;
  results: string[];
  goal: GoalRecord;
}
/** Work added to a goal's graph (a promoted discovery), answered with the task. */
type AddTaskRequest = { op: 'add-task'; task: TaskSpec };

export interface GoalStatusView {
  goal: GoalRecord;
  budget: BudgetState;
  /** False when the goal is at work but the process that ran it has exited. */
  owned: boolean;
}

const REPLY_TIMEOUT_MS = 120_000;
/** Why a goal a person cancelled ended (its record's failure). */
const CANCELLED = 'cancelled by a person';

export interface GoalServiceOptions {
  runs: RunRegistry;
  teams: TeamService;
  owner: OwnerServer;
  feed?: Feed;
  logger?: Logger;
}

export class GoalService extends Lifecycle {
  private readonly live = new Map<string, Goal>();
  private readonly changes: Emitter<GoalRecord>;
  /** A goal run here changed. */
  readonly onDidChange: Event<GoalRecord>;
  private readonly log: Logger;
  private readonly stateDir: string;
  private breakerListener: Disposable | undefined;

  constructor(private readonly options: GoalServiceOptions) {
    super();
    this.stateDir = options.runs.stateDir;
    this.log = tagged(options.logger ?? silentLogger, 'goals');
    this.changes = this.register(new Emitter<GoalRecord>(this.log));
    this.onDidChange = this.changes.event;
    options.owner.handle('goal', (id, request) => ((request as AddTaskRequest).op === 'add-task' ? this.addTaskHere(id, (request as AddTaskRequest).task) : this.answer(id, request as GoalRequest)));
    this.register(toDisposable(() => this.letGo()));
  }

  /** A breaker reset (by any process) lets goals blocked on it go on: followed once one is blocked. */
  private followBreakers(): void {
    if (this.breakerListener || !this.options.feed || this.isDisposed) return;
    this.breakerListener = this.register(this.options.feed.onDidAppend((e) => e.type === 'breaker.reset' && this.retryBlocked(e)));
  }

  private async context(): Promise<GoalContext> {
    if (this.isDisposed) throw new SwitchboardError('not_running', 'Switchboard is closing; it starts no goal now.');
    await this.options.owner.listen();
    return { stateDir: this.stateDir, runs: this.options.runs, teams: this.options.teams, feed: this.options.feed, logger: this.log, ownerSocket: this.options.owner.socket };
  }

  /** Creates a goal and starts working on it in this process; resolves once it is recorded (the work goes on). */
  async create(options: GoalCreateOptions): Promise<GoalRecord> {
    const ctx = await this.context();
    return this.hold(new Goal(ctx, await createGoalRecord(this.stateDir, this.withConfiguredGates(options), this.roles())));
  }

  /** A goal given no gates gets the configured ones (`goals.gates`), when there are any; else those detected in its workspace. */
  private withConfiguredGates(options: GoalCreateOptions): GoalCreateOptions {
    const configured = this.options.runs.config.goals.gates;
    return options.gates || configured.length === 0 ? options : { ...options, gates: configured };
  }

  private roles(): Record<string, Role> {
    return mergeRoles(this.options.runs.config.teams.roles);
  }

  /** Records a goal without working on it here (a process of its own takes it over: `goal create --detach`). */
  async record(options: GoalCreateOptions): Promise<GoalRecord> {
    await this.context();
    return createGoalRecord(this.stateDir, this.withConfiguredGates(options), this.roles());
  }

  private hold(goal: Goal): GoalRecord {
    const id = goal.record.id;
    this.live.set(id, goal);
    let begun = false;
    goal.onDidChange((record) => {
      this.changes.fire(record);
      if (record.status === 'blocked_on_external') this.followBreakers();
      // A goal that ends here is let go of once its loop is through (its record stays on disk). One
      // taken over after it ended is held for what it was taken over for (a rollback that lets it go on).
      if (begun && isSettledGoal(record.status)) void goal.settled().then(() => this.live.get(id) === goal && isSettledGoal(goal.record.status) && (this.live.delete(id), goal.dispose()));
    });
    goal.begin();
    begun = true;
    return goal.record;
  }

  goal(id: string): Goal | undefined {
    return this.live.get(id);
  }

  list(): GoalRecord[] {
    return readEach(listGoals(this.stateDir), (id) => this.get(id), (message) => this.options.runs.warn(message));
  }

  get(id: string): GoalRecord {
    return this.live.get(id)?.record ?? loadGoal(this.stateDir, id);
  }

  isOwned(record: GoalRecord): boolean {
    return this.live.has(record.id) || isSameProcessAlive(record.owner);
  }

  status(id: string): GoalStatusView {
    const goal = this.get(id);
    return { goal, budget: budgetState(goal, spendOf(goal, this.options.runs.list({ goal: id })), this.options.runs.config.goals.budgetWarningAt), owned: !isLiveGoal(goal.status) || this.isOwned(goal) };
  }

  /** The goal's proof: the one written when it ended, else made now from its branch and last gate results. */
  async proof(id: string): Promise<GoalProof> {
    const goal = this.get(id);
    const file = new StateMap(this.stateDir).goal(id).proof;
    if (isSettledGoal(goal.status) && fs.existsSync(file)) {
      const read = readJsonFile<GoalProof>(file, (v) => ((v as GoalProof)?.version === 1 ? undefined : 'not a version 1 proof'));
      if (read.kind === 'ok') return read.value;
    }
    const { ready: _ready, ...proof } = await buildProof(goal);
    return proof;
  }

  /** The goal's timeline, from its own events and the feed's changes of its teams, runs and gates. */
  replay(id: string): Replay {
    if (!this.options.feed) throw new SwitchboardError('internal', 'This Switchboard has no feed to replay from.');
    return replayGoal(this.stateDir, this.options.feed, this.get(id));
  }

  /** The goal's budget report: limits, use, checkpoints, and where the spend went. */
  budgetReport(id: string): BudgetReport {
    const goal = this.get(id);
    const workerOf = (run: RunRecord): string | undefined => {
      if (!run.links.team || !run.links.task) return undefined;
      try {
        return this.options.teams.get(run.links.team).tasks.find((t) => t.id === run.links.task && t.runId === run.id)?.worker ?? this.options.teams.get(run.links.team).tasks.find((t) => t.id === run.links.task)?.worker;
      } catch {
        return undefined;
      }
    };
    return budgetReport(goal, this.options.runs.list({ goal: id }), workerOf);
  }

  /** Whether the goal goes in circles, from its measured iterations. */
  diagnose(id: string): Diagnosis {
    return diagnose(this.get(id));
  }

  /** What would get a stagnant goal going again, with its risk and likely cost (nothing is changed). */
  recoveryPlan(id: string): RecoveryPlan {
    const goal = this.get(id);
    const config = this.options.runs.config;
    const installed = RUNNERS.filter((r) => findBinary(config.runners[r.id]?.binary || r.defaultBinary, this.options.runs.env, goal.workspace).found).map((r) => r.id);
    const runs = this.options.runs.list({ goal: id });
    const budget = budgetState(goal, spendOf(goal, runs));
    // The model the writers' latest run reported (not the planner's or the evaluator's).
    const written = runs.filter((r) => r.model && r.links.task && r.links.task !== 'plan' && !r.links.task.startsWith('evaluate')).sort((a, b) => (a.startedAt ?? 0) - (b.startedAt ?? 0));
    return recoveryPlan(goal, diagnose(goal), {
      installed,
      defaultRunner: mergeRoles(config.teams.roles).executor?.runner ?? 'claude',
      usedModel: written.at(-1)?.model,
      prices: config.prices,
      ...(goal.budgetUsd !== undefined ? { remainingUsd: Math.max(0, goal.budgetUsd - budget.spend.usd) } : {}),
      ...(goal.budgetTokens !== undefined ? { remainingTokens: Math.max(0, goal.budgetTokens - budget.spend.tokens) } : {}),
    });
  }

  /** The recovery plan; with `apply`, carried out by the process that runs the goal (which makes the plan afresh). */
  async recover(id: string, apply: boolean, actor?: string): Promise<RecoveryResult> {
    if (!apply) return { plan: this.recoveryPlan(id), applied: false, results: [], goal: this.get(id) };
    return this.act<RecoveryResult>(id, { op: 'recover', ...(actor ? { actor } : {}) });
  }

  /** Puts the goal branch and state back to a recovery checkpoint (`to`, else the one the current iteration started from). */
  rollback(id: string, to?: string, actor?: string): Promise<RollbackResult> {
    return this.act<RollbackResult>(id, { op: 'rollback', ...(to ? { to } : {}), ...(actor ? { actor } : {}) });
  }

  /** Resolves when the goal is no longer at work in this process (ended, paused, out of budget, blocked, or let go). */
  async settled(id: string): Promise<GoalRecord> {
    const goal = this.live.get(id);
    return goal ? goal.settled() : this.get(id);
  }

  pause(id: string): Promise<GoalRecord> {
    return this.act(id, { op: 'pause' });
  }
  resume(id: string): Promise<GoalRecord> {
    return this.act(id, { op: 'resume' });
  }
  cancel(id: string): Promise<GoalRecord> {
    return this.act(id, { op: 'cancel' });
  }
  /**
   * Adds a task to a goal's graph (a promoted discovery): its team at work takes it, else its next
   * team. Asked of the process that runs the goal; a goal nobody runs keeps it for whoever resumes it.
   */
  async addTask(id: string, spec: TaskSpec): Promise<Task> {
    if (this.live.has(id)) return this.addTaskHere(id, spec);
    const record = loadGoal(this.stateDir, id);
    if (isSameProcessAlive(record.owner) && record.ownerSocket) return askOwner<Task>(record.ownerSocket, 'goal', id, { op: 'add-task', task: spec } satisfies AddTaskRequest, REPLY_TIMEOUT_MS);
    const added = tryFileLock(new StateMap(this.stateDir).goal(id).takeoverLock, () => {
      const latest = loadGoal(this.stateDir, id);
      const task = addToGoalGraph(latest, spec);
      saveGoal(this.stateDir, latest);
      return task;
    });
    if (!added) throw new SwitchboardError('name_taken', `Goal ${id} is being taken over by another process.`, 'Try again in a moment.');
    return added;
  }

  private addTaskHere(id: string, spec: TaskSpec): Promise<Task> {
    const goal = this.live.get(id);
    if (!goal) return Promise.reject(new SwitchboardError('not_running', `Goal ${id} is no longer run by the process that was asked.`, `See \`switchboard goal status ${id}\`.`));
    return goal.addTask(spec);
  }

  extend(id: string, more: Omit<Extract<GoalRequest, { op: 'extend' }>, 'op'>): Promise<GoalRecord> {
    if (!more.usd && !more.tokens && !more.timeMs) return Promise.reject(new SwitchboardError('invalid_argument', 'An extension needs at least one of usd, tokens or time, more than zero.'));
    return this.act(id, { op: 'extend', ...more });
  }

  /** Here when this process runs it; over its owner's socket when another does; taken over when nobody does. */
  private async act<T = GoalRecord>(id: string, request: GoalRequest): Promise<T> {
    const live = this.live.get(id);
    if (live) return (await this.answer(id, request)) as T;
    const record = loadGoal(this.stateDir, id);
    // A process holds a goal until it ends; an ended one (rolled back, say) is taken over by whoever asks.
    if (!isSettledGoal(record.status) && isSameProcessAlive(record.owner) && record.ownerSocket) return askOwner<T>(record.ownerSocket, 'goal', id, request, REPLY_TIMEOUT_MS);
    if (request.op === 'pause' || request.op === 'cancel') {
      // Nobody runs it: its team (if one still runs) is stopped from here.
      if (record.team) await this.options.teams.shutdown(record.team).catch(() => undefined);
      if (!isLiveGoal(record.status) && !(request.op === 'cancel' && record.status === 'paused') && record.status !== 'needs_more_budget') return record as T;
      const now = Date.now();
      Object.assign(record, request.op === 'pause' ? { status: 'paused', pausedAt: now } : { status: 'cancelled', completedAt: now, failure: CANCELLED }, { owner: undefined, updatedAt: now });
      // Its final figures, as a goal cancelled where it runs has them (Goal.stop).
      if (request.op === 'cancel') record.checkpoints.push(checkpoint(record, spendOf(record, this.options.runs.list({ goal: id }), now), 'goal_completed', now));
      saveGoal(this.stateDir, record);
      return record as T;
    }
    const goal = await this.takeOver(id);
    return (await this.answer(goal.record.id, request)) as T;
  }

  /** Does what was asked of a goal this process runs. */
  private async answer(id: string, request: GoalRequest): Promise<GoalRecord | RollbackResult | RecoveryResult> {
    const goal = this.live.get(id);
    if (!goal) throw new SwitchboardError('not_running', `Goal ${id} is no longer run by the process that was asked.`, `See \`switchboard goal status ${id}\`.`);
    if (request.op === 'rollback') {
      const { record, point, rollback } = await goal.rollback(request.to, request.actor);
      return { goal: record, point, rollback };
    }
    if (request.op === 'recover') {
      const plan = this.recoveryPlan(id);
      const { record, results } = await goal.recover(plan, request.actor);
      return { plan, applied: true, results, goal: record };
    }
    if (request.op === 'pause') return goal.stop('paused', 'paused by a person');
    if (request.op === 'cancel') return goal.stop('cancelled', CANCELLED);
    if (request.op === 'resume') return goal.resumeSettled();
    return goal.extend(request);
  }

  /** Takes over a goal whose process has exited; it goes on in this process. */
  async takeOver(id: string): Promise<Goal> {
    const existing = this.live.get(id);
    if (existing) return existing;
    const ctx = await this.context();
    const lock = new StateMap(this.stateDir).goal(id).takeoverLock;
    const goal = tryFileLock(lock, () => {
      const record = loadGoal(this.stateDir, id);
      if (!isSettledGoal(record.status) && isSameProcessAlive(record.owner)) throw new SwitchboardError('name_taken', `Goal ${id} is run by process ${record.owner!.pid}.`, 'Ask it from there, or through `switchboard goal …`.');
      const taken = new Goal(ctx, record);
      this.hold(taken);
      return taken;
    });
    if (!goal) throw new SwitchboardError('name_taken', `Goal ${id} is being taken over by another process.`, 'Wait a moment and look at `switchboard goal status`.');
    return goal;
  }

  /** Takes over every goal left at work without a process that `mine` accepts (a window's own workspace). */
  async adoptOrphans(mine: (record: GoalRecord) => boolean): Promise<GoalRecord[]> {
    const adopted: GoalRecord[] = [];
    for (const record of this.list()) {
      if (isLiveGoal(record.status) && !this.isOwned(record) && mine(record)) adopted.push((await this.takeOver(record.id)).record);
    }
    return adopted;
  }

  /** Resolves once the goal held here is no longer blocked on a gate (a breaker was reset, or it was paused or cancelled). */
  unblocked(id: string): Promise<GoalRecord> {
    return new Promise((resolve) => {
      const goal = this.live.get(id);
      if (!goal || goal.record.status !== 'blocked_on_external') return resolve(this.get(id));
      const listener = goal.onDidChange((record) => record.status !== 'blocked_on_external' && (listener.dispose(), resolve(record)));
    });
  }

  /** A breaker of a workspace was reset: its goals blocked on gates go on, unless a required gate of theirs is still Open. */
  private retryBlocked(reset: FeedEvent): void {
    const workspace = (reset.entity as BreakerEntity | undefined)?.workspace;
    if (!workspace) return;
    for (const goal of this.live.values()) {
      const record = goal.record;
      // The same folder however it is spelled (a symlink, a drive letter's case): as breakers are kept.
      if (record.status !== 'blocked_on_external' || workspaceKey(record.workspace) !== workspaceKey(workspace)) continue;
      const open = new Breakers(this.stateDir, workspace).status().filter((b) => b.state === 'Open' && record.gates.some((g) => g.name === b.gateName && g.required !== false));
      if (open.length) {
        this.log.info(`${record.id} stays blocked: the breaker of ${open.map((b) => `"${b.gateName}"`).join(', ')} is still open`);
        continue;
      }
      try {
        goal.resume();
      } catch (error) {
        this.log.warn(`${record.id} could not go on after a breaker reset: ${(error as Error).message}`);
      }
    }
  }

  private letGo(): void {
    for (const goal of this.live.values()) {
      goal.release();
      goal.dispose();
    }
    this.live.clear();
  }
}
