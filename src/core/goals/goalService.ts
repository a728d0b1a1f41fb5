/**
 * Goals over one state folder, for every surface (CLI, MCP, the Goals view): creating them (they
 * run in this process), their records and budgets, pausing, resuming, cancelling and extending them
 * (asking the owning process when it is another one, acting directly on a goal nobody runs), and
 * taking over a goal whose process died.
 */
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
import { mergeRoles, type Role } from '../teams/roles';
import type { TeamService } from '../teams/teamService';
import * as fs from 'node:fs';
import { readJsonFile } from '../store/atomicFile';
import { budgetState, spendOf, type BudgetState } from './budget';
import { budgetReport, type BudgetReport } from './budgetReport';
import { replayGoal, type Replay } from './replay';
import { buildProof, type GoalProof } from './goalProof';
import { Goal } from './goal';
import type { GoalContext } from './goalContext';
import { createGoalRecord, type GoalCreateOptions } from './goalIntake';
import { isLiveGoal, isSettledGoal, type GoalRecord } from './goalRecord';
import { listGoals, loadGoal, saveGoal } from './goalStore';

export type GoalRequest = { op: 'pause' } | { op: 'resume' } | { op: 'cancel' } | { op: 'extend'; usd?: number; tokens?: number; timeMs?: number; time?: string };

export interface GoalStatusView {
  goal: GoalRecord;
  budget: BudgetState;
  /** False when the goal is at work but the process that ran it has exited. */
  owned: boolean;
}

const REPLY_TIMEOUT_MS = 120_000;

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
    options.owner.handle('goal', (id, request) => this.answer(id, request as GoalRequest));
    this.register(toDisposable(() => this.letGo()));
  }

  /** A breaker reset (by any process) lets goals blocked on it go on: followed once one is blocked. */
  private followBreakers(): void {
    if (this.breakerListener || !this.options.feed || this.isDisposed) return;
    this.breakerListener = this.register(this.options.feed.onDidAppend((e) => e.type === 'breaker.reset' && this.retryBlocked()));
  }

  private async context(): Promise<GoalContext> {
    if (this.isDisposed) throw new SwitchboardError('not_running', 'Switchboard is closing; it starts no goal now.');
    await this.options.owner.listen();
    return { stateDir: this.stateDir, runs: this.options.runs, teams: this.options.teams, feed: this.options.feed, logger: this.log, ownerSocket: this.options.owner.socket };
  }

  /** Creates a goal and starts working on it in this process; resolves once it is recorded (the work goes on). */
  async create(options: GoalCreateOptions): Promise<GoalRecord> {
    const ctx = await this.context();
    return this.hold(new Goal(ctx, await createGoalRecord(this.stateDir, options, this.roles())));
  }

  private roles(): Record<string, Role> {
    return mergeRoles(this.options.runs.config.teams.roles);
  }

  /** Records a goal without working on it here (a process of its own takes it over: `goal create --detach`). */
  async record(options: GoalCreateOptions): Promise<GoalRecord> {
    await this.context();
    return createGoalRecord(this.stateDir, options, this.roles());
  }

  private hold(goal: Goal): GoalRecord {
    const id = goal.record.id;
    this.live.set(id, goal);
    goal.onDidChange((record) => {
      this.changes.fire(record);
      if (record.status === 'blocked_on_external') this.followBreakers();
      // An ended goal is let go of once its loop is through (its record stays on disk).
      if (isSettledGoal(record.status)) void goal.settled().then(() => this.live.get(id) === goal && (this.live.delete(id), goal.dispose()));
    });
    goal.begin();
    return goal.record;
  }

  goal(id: string): Goal | undefined {
    return this.live.get(id);
  }

  list(): GoalRecord[] {
    return listGoals(this.stateDir).flatMap((id) => {
      try {
        return [this.get(id)];
      } catch {
        return [];
      }
    });
  }

  get(id: string): GoalRecord {
    return this.live.get(id)?.record ?? loadGoal(this.stateDir, id);
  }

  isOwned(record: GoalRecord): boolean {
    return this.live.has(record.id) || isSameProcessAlive(record.owner);
  }

  status(id: string): GoalStatusView {
    const goal = this.get(id);
    return { goal, budget: budgetState(goal, spendOf(goal, this.options.runs.list({ goal: id }))), owned: !isLiveGoal(goal.status) || this.isOwned(goal) };
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
  extend(id: string, more: Omit<Extract<GoalRequest, { op: 'extend' }>, 'op'>): Promise<GoalRecord> {
    if (!more.usd && !more.tokens && !more.timeMs) return Promise.reject(new SwitchboardError('invalid_argument', 'An extension needs at least one of usd, tokens or time, more than zero.'));
    return this.act(id, { op: 'extend', ...more });
  }

  /** Here when this process runs it; over its owner's socket when another does; taken over when nobody does. */
  private async act(id: string, request: GoalRequest): Promise<GoalRecord> {
    const live = this.live.get(id);
    if (live) return this.answer(id, request);
    const record = loadGoal(this.stateDir, id);
    if (isSameProcessAlive(record.owner) && record.ownerSocket) return askOwner<GoalRecord>(record.ownerSocket, 'goal', id, request, REPLY_TIMEOUT_MS);
    if (request.op === 'pause' || request.op === 'cancel') {
      // Nobody runs it: its team (if one still runs) is stopped from here.
      if (record.team) await this.options.teams.shutdown(record.team).catch(() => undefined);
      if (!isLiveGoal(record.status) && !(request.op === 'cancel' && record.status === 'paused') && record.status !== 'needs_more_budget') return record;
      const now = Date.now();
      Object.assign(record, request.op === 'pause' ? { status: 'paused', pausedAt: now } : { status: 'cancelled', completedAt: now }, { owner: undefined, updatedAt: now });
      saveGoal(this.stateDir, record);
      return record;
    }
    const goal = await this.takeOver(id);
    return this.answer(goal.record.id, request);
  }

  /** Does what was asked of a goal this process runs. */
  private async answer(id: string, request: GoalRequest): Promise<GoalRecord> {
    const goal = this.live.get(id);
    if (!goal) throw new SwitchboardError('not_running', `Goal ${id} is no longer run by the process that was asked.`, `See \`switchboard goal status ${id}\`.`);
    if (request.op === 'pause') return goal.stop('paused', 'paused by a person');
    if (request.op === 'cancel') return goal.stop('cancelled', 'cancelled by a person');
    if (request.op === 'resume') return goal.resume();
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
      if (isSameProcessAlive(record.owner)) throw new SwitchboardError('name_taken', `Goal ${id} is run by process ${record.owner!.pid}.`, 'Ask it from there, or through `switchboard goal …`.');
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

  private retryBlocked(): void {
    for (const goal of this.live.values()) {
      if (goal.record.status === 'blocked_on_external') {
        try {
          goal.resume();
        } catch (error) {
          this.log.warn(`${goal.record.id} could not go on after a breaker reset: ${(error as Error).message}`);
        }
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
