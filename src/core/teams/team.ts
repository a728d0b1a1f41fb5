/**
 * A running team: workers from a spec, each in its own worktree on its own branch (or the shared
 * folder when the workspace is not a git repository), a task graph (given, or from a planner
 * agent) handed out by the scheduler, its runs admitted through the `teams` pool, and its record
 * kept on disk on every change. Before a worker starts a task, the branches of the workers that did
 * the task's dependencies are merged into its worktree, so it builds on their work. How it is made
 * or taken over is in teamStart, its planning step in teamPlanning, what its workers' runs are
 * given in workerRuns, its shutdown in teamShutdown.
 */
import * as fs from 'node:fs';
import { tasksFromSpecs } from '../dag/graph';
import type { Task, TaskSpec } from '../dag/task';
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Event } from '../events';
import { Lifecycle, toDisposable } from '../lifecycle';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import type { RunRegistry } from '../registry/registry';
import { isFinished, type RunGuard, type RunRecord } from '../runs/types';
import { PLAN_TASK } from './planner';
import { checkTaskRoles, mergeRoles, takes, type Role } from './roles';
import { Scheduler } from './scheduler';
import { prepareTask, putAsideLeftovers, recordTaskWork } from './taskWorktree';
import type { TeamContext, TeamOptions } from './teamContext';
import { TeamFeed } from './teamFeed';
import { planTeam } from './teamPlanning';
import type { TeamRequest } from './teamRequests';
import { killTeamRuns, stopTeam } from './teamShutdown';
import { newTeamRecord, takeOverTasks } from './teamStart';
import { isActiveTeam, saveTeam, type TeamRecord, type TeamStatus, type TeamWorker } from './teamStore';
import { runSummary, taskPrompt, workerRun } from './workerRuns';

export class Team extends Lifecycle {
  private readonly changes: Emitter<TeamRecord>;
  /** The record changed (and was saved). */
  readonly onDidChange: Event<TeamRecord>;
  private readonly registry: RunRegistry;
  private readonly scheduler: Scheduler;
  private readonly roles: Record<string, Role>;
  private readonly feed: TeamFeed;
  private readonly guard: RunGuard;
  /** Runs whose end was taken. */
  private readonly ended = new Set<string>();
  private planner: Promise<void> | undefined;
  /** The shutdown, once asked for: from then on the tasks' ends are not the team's outcome. */
  private stopped: Promise<TeamRecord> | undefined;
  /** A forced stop was asked while the shutdown was under way (a second Ctrl-C): what it finds still going is killed at once. */
  private forced = false;
  /** The planner's run while it is being started. */
  private planLaunch: Promise<RunRecord> | undefined;

  private constructor(
    context: TeamContext,
    readonly record: TeamRecord,
    options: Pick<TeamOptions, 'roles' | 'maxAttempts'>,
    /** The record was saved by another process before (a team taken over). */
    known: boolean,
  ) {
    super();
    const registry = (this.registry = context.registry);
    this.guard = context.guard ?? (() => undefined);
    this.changes = this.register(new Emitter<TeamRecord>());
    this.onDidChange = this.changes.event;
    this.feed = new TeamFeed(context.feed, known ? record : undefined);
    this.roles = record.roles ?? mergeRoles({ ...registry.config.teams.roles, ...options.roles });
    const workerRole = new Map(record.workers.map((w) => [w.name, w.role]));
    this.scheduler = new Scheduler(
      record.tasks,
      record.workers.map((w) => w.name),
      {
        start: (task, worker) => this.start(task, worker),
        stop: async (runId) => void (await this.registry.kill(runId, { source: `team ${record.name}`, force: true })),
        changed: () => this.changed(),
      },
      { maxAttempts: record.maxAttempts ?? options.maxAttempts ?? registry.config.teams.maxAttempts, canTake: (task, worker) => takes(task, workerRole.get(worker)!, record.workers) },
    );
    this.register(registry.onDidChange(({ run }) => {
      if (run.links.team === record.name && run.links.task !== PLAN_TASK && isFinished(run.status)) void this.runEnded(run).catch(() => undefined);
    }));
    this.register(toDisposable(() => void this.scheduler.halt()));
  }

  /** Makes the team (workers, worktrees, tasks) and starts what is ready, or the planner when no tasks are given. */
  static async start(context: TeamContext, options: TeamOptions): Promise<Team> {
    const record = await newTeamRecord(context, options);
    const team = new Team(context, record, options, false);
    team.save();
    if (record.status === 'planning') team.planner = team.plan();
    else team.scheduler.pump();
    return team;
  }

  /**
   * Takes over an active team whose process exited (a window reloaded, a terminal closed): this
   * process becomes its owner, tasks whose runs ended meanwhile are settled, tasks whose start was
   * cut short go back in line, a plan that was being made is made again, and the rest goes on.
   */
  static async resume(context: TeamContext, record: TeamRecord): Promise<Team> {
    const { registry } = context;
    if (!isActiveTeam(record.status)) throw new SwitchboardError('not_running', `Team ${record.name} is ${record.status}; there is nothing to resume.`);
    if (isSameProcessAlive(record.owner)) throw new SwitchboardError('name_taken', `Team ${record.name} is run by process ${record.owner!.pid}.`, 'Shut it down from there, or ask it through `switchboard team …`.');
    const team = new Team(context, { ...record }, {}, true);
    team.record.owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    if (context.ownerSocket) team.record.ownerSocket = context.ownerSocket;
    record = team.record;
    const runs = registry.list({ team: record.name });
    const ended = takeOverTasks(record, runs);
    if (record.status === 'planning') {
      for (const run of runs.filter((r) => r.links.task === PLAN_TASK && !isFinished(r.status))) await registry.kill(run.id, { source: `team ${record.name} resume`, force: true });
      team.planner = team.plan();
    }
    team.save();
    for (const run of ended) await team.runEnded(run);
    team.scheduler.pump();
    // Everything may have settled while nobody ran it.
    team.changed();
    return team;
  }

  /** Every task has settled (and the planner, if any, is through). */
  get settled(): boolean {
    return !isActiveTeam(this.record.status) || (this.record.status === 'running' && this.scheduler.settled);
  }

  addTasks(specs: TaskSpec[]): Task[] {
    if (!isActiveTeam(this.record.status) || this.stopped) throw new SwitchboardError('not_running', `Team ${this.record.name} is ${this.record.status}; it takes no more tasks.`, 'Start a new team.');
    if (this.record.status === 'planning') throw new SwitchboardError('not_running', `Team ${this.record.name} is still planning.`, 'Add tasks once its plan is in (team status shows it).');
    checkTaskRoles(tasksFromSpecs(specs, this.record.tasks), this.record.workers);
    return this.scheduler.add(specs);
  }

  cancelTask(id: string): Promise<Task> {
    return this.scheduler.cancel(id);
  }

  retryTask(id: string): Task {
    if (!isActiveTeam(this.record.status) || this.stopped) throw new SwitchboardError('not_running', `Team ${this.record.name} is ${this.record.status}; it retries no task.`, 'Add the task again to a new team.');
    return this.scheduler.retry(id);
  }

  /** Interrupts every worker's run, waits up to `graceMs` (10 s), then kills what is left (force: at once). A force during a shutdown hurries it. */
  shutdown(options: { force?: boolean; graceMs?: number } = {}): Promise<TeamRecord> {
    if (this.stopped && options.force) {
      this.forced = true;
      void killTeamRuns(this.registry, this.record.name, true);
    }
    // Set before the shutdown begins, so that everything it sets off sees the team stopping.
    return (this.stopped ??= Promise.resolve().then(() => this.stop(options)));
  }

  private stop(options: { force?: boolean; graceMs?: number }): Promise<TeamRecord> {
    return stopTeam(
      {
        record: this.record,
        registry: this.registry,
        halt: () => Promise.allSettled([this.scheduler.halt(), this.planLaunch]),
        save: () => this.save(),
        finish: (status) => this.finish(status),
        forced: () => this.forced,
      },
      options,
    );
  }

  private plan(): Promise<void> {
    return planTeam({
      record: this.record,
      registry: this.registry,
      roles: this.roles,
      launch: (worker, prompt) => (this.planLaunch = this.launch(worker, prompt, PLAN_TASK)),
      stopping: () => !!this.stopped,
      add: (specs) => void this.scheduler.add(specs),
      changed: () => this.changed(),
      finish: (status) => this.finish(status),
    });
  }

  private launch(worker: TeamWorker, prompt: string, task: string, model?: string): Promise<RunRecord> {
    // A goal's team: the run gets its part of the goal's budget as hard limits, held by its supervisor.
    const limits = this.guard();
    return this.registry.run({ ...workerRun(this.record, this.roles[worker.role]!, worker, prompt, task, model), ...(limits ? { limits } : {}) });
  }

  private async start(task: Task, workerName: string): Promise<string> {
    const worker = this.record.workers.find((w) => w.name === workerName)!;
    if (worker.branch) await prepareTask(this.record, task, worker);
    if (this.stopped) throw new SwitchboardError('not_running', `Team ${this.record.name} is shutting down.`);
    return (await this.launch(worker, taskPrompt(this.record, this.roles[worker.role]!, task), task.id, task.model)).id;
  }

  /** A task's run ended: what it left is committed (done) or put aside (not done), then the scheduler hears of it. */
  private async runEnded(run: RunRecord): Promise<void> {
    // A finished run's record can change again (its exit details): the first news of its end counts.
    if (this.ended.has(run.id)) return;
    this.ended.add(run.id);
    const task = this.scheduler.runningTask(run.id, run.links.task);
    const worker = task && this.record.workers.find((w) => w.name === task.worker);
    const ok = run.status === 'done';
    let detail = runSummary(this.registry, run);
    if (task && worker?.branch && task.startCommit && fs.existsSync(worker.cwd)) {
      try {
        if (ok) task.result = { ...task.result, ...(await recordTaskWork(this.record, task, worker)) };
        else {
          const aside = await putAsideLeftovers(this.record, task, worker, run.status);
          if (aside) detail = `${detail ?? `its run ended ${run.status}`}; ${aside}`;
        }
      } catch (error) {
        // The work is done but not recorded on the branch: the task did not succeed.
        if (ok) return this.scheduler.runEnded(run.id, false, `its work could not be committed: ${errorMessage(error)}`, run.links.task);
      }
    }
    this.scheduler.runEnded(run.id, ok, detail, run.links.task);
  }

  /** Does what another process asked (see teamRequests). */
  handle(request: TeamRequest): Promise<unknown> {
    if (request.op === 'shutdown') return this.shutdown({ force: request.force });
    if (request.op === 'add') return Promise.resolve().then(() => this.addTasks(request.tasks));
    if (request.op === 'cancel') return this.cancelTask(request.taskId);
    if (request.op === 'retry') return Promise.resolve().then(() => this.retryTask(request.taskId));
    return Promise.reject(new SwitchboardError('invalid_argument', `Unknown team request "${(request as { op: string }).op}".`, 'Use the same Switchboard version in every process.'));
  }

  private changed(): void {
    // A team let go of (its process is closing) writes nothing more.
    if (this.isDisposed) return;
    if (this.record.status === 'running' && this.scheduler.settled && !this.stopped) {
      const tasks = this.record.tasks;
      // Every task cancelled is a team stopped, not one that did its work.
      this.finish(tasks.every((t) => t.status === 'cancelled') ? 'shutdown' : tasks.every((t) => t.status === 'done' || t.status === 'cancelled') ? 'done' : 'failed');
      return;
    }
    this.save();
  }

  private finish(status: TeamStatus): void {
    if (!isActiveTeam(this.record.status) || this.isDisposed) return;
    this.record.status = status;
    this.record.endedAt = Date.now();
    this.save();
  }

  private save(): void {
    saveTeam(this.registry.stateDir, this.record);
    this.feed.saved(this.record);
    this.changes.fire(this.record);
  }

  /**
   * This process lets go of a team still at work (its window closes, its state folder changes): the
   * record says nobody runs it, so another process (or this one, later) can resume it.
   */
  release(): void {
    if (!isActiveTeam(this.record.status) || this.isDisposed) return;
    this.record.owner = undefined;
    this.record.ownerSocket = undefined;
    saveTeam(this.registry.stateDir, this.record);
    this.feed.saved(this.record);
  }
}
