/**
 * A running team: workers from a spec, each in its own worktree on its own branch (or the shared
 * folder when the workspace is not a git repository), a task graph (given, or from a planner
 * agent) handed out by the scheduler, its runs admitted through the `teams` pool, and its record
 * kept on disk on every change. Before a worker starts a task, the branches of the workers that did
 * the task's dependencies are merged into its worktree, so it builds on their work.
 */
import * as fs from 'node:fs';
import { tasksFromSpecs } from '../dag/graph';
import type { Task, TaskSpec } from '../dag/task';
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Event } from '../events';
import type { Feed } from '../feed/feed';
import { Lifecycle, toDisposable } from '../lifecycle';
import { removeWorkerWorktree } from '../git/worktreeRemoval';
import { createWorkerWorktree } from '../git/worktrees';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import type { RunRegistry } from '../registry/registry';
import { isFinished, type RunRecord } from '../runs/types';
import { PLAN_ATTEMPTS, PLAN_TASK, plannerPrompt, readPlan } from './planner';
import { DISCOVERY_NOTE } from '../discoveries/discoveryFence';
import { checkTaskRoles, mergeRoles, takes, type Role } from './roles';
import { Scheduler } from './scheduler';
import { prepareTask, putAsideLeftovers, recordTaskWork } from './taskWorktree';
import { parseTeamSpec } from './spec';
import { TeamFeed } from './teamFeed';
import type { TeamRequest } from './teamRequests';
import { StateMap } from '../state/stateMap';
import { cancelUnfinished, checkTeamName, isActiveTeam, listTeams, loadTeam, saveTeam, type TeamRecord, type TeamStatus, type TeamWorker } from './teamStore';

export const TEAMS_POOL = 'teams';
/** How long a shutdown waits for interrupted runs to end before it kills them. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How much of each earlier task's report a task's prompt carries. */
const FINDINGS_CHARS = 4000;
const SUMMARY_BYTES = 2000;
/** The last whole lines of an output's tail (its first line may be cut), or undefined when it is empty. */
const outputEnd = (tail: string): string | undefined => (tail.length >= SUMMARY_BYTES ? tail.slice(tail.indexOf('\n') + 1) : tail).trim() || undefined;
const clipEnd = (text: string): string => (text.length > FINDINGS_CHARS ? `${text.slice(0, FINDINGS_CHARS)}…` : text);

export interface TeamOptions {
  name: string;
  spec: string;
  /** What the team is for: planned into tasks by a planner worker, or a single task when there is none. */
  task: string;
  /** The tasks, when given (no planner step then). */
  tasks?: TaskSpec[];
  workspace: string;
  /** Over the configured ones (config `teams`). */
  roles?: Record<string, Partial<Role>>;
  setup?: string;
  copyFiles?: string[];
  maxAttempts?: number;
  /** The goal this team works an iteration of. */
  goal?: string;
}

/** What a team works with: the runs, the feed it reports to, and where its owner takes requests. */
export interface TeamContext {
  registry: RunRegistry;
  feed?: Feed;
  /** The socket this process answers requests about its teams on (see teamRequests). */
  ownerSocket?: string;
  /** Asked before each run starts; throws to refuse it (a goal whose budget is spent). */
  guard?: () => void;
}

export class Team extends Lifecycle {
  private readonly changes: Emitter<TeamRecord>;
  /** The record changed (and was saved). */
  readonly onDidChange: Event<TeamRecord>;
  private readonly registry: RunRegistry;
  private readonly scheduler: Scheduler;
  private readonly roles: Record<string, Role>;
  private readonly feed: TeamFeed;
  private readonly guard: () => void;
  /** Runs whose end was taken. */
  private readonly ended = new Set<string>();
  private planner: Promise<void> | undefined;
  /** The shutdown, once asked for: from then on the tasks' ends are not the team's outcome. */
  private stopped: Promise<TeamRecord> | undefined;
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
    const { registry } = context;
    const name = checkTeamName(options.name);
    if (listTeams(registry.stateDir).includes(name)) {
      const existing = loadTeam(registry.stateDir, name);
      if (isActiveTeam(existing.status) && isSameProcessAlive(existing.owner)) throw new SwitchboardError('name_taken', `Team ${name} is running.`, 'Choose another name, or shut it down first.');
    }
    const config = registry.config.teams;
    const roles = mergeRoles({ ...config.roles, ...options.roles });
    const workerSpecs = parseTeamSpec(options.spec, roles);
    const planned = !options.tasks?.length && workerSpecs.some((w) => w.role === 'planner');
    const tasks = planned ? [] : tasksFromSpecs(options.tasks?.length ? options.tasks : [{ title: options.task }]);
    checkTaskRoles(tasks, workerSpecs);
    const owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    const copyFiles = options.copyFiles ?? config.copyFiles;
    const used = Object.fromEntries(workerSpecs.map((w) => [w.role, roles[w.role]!]));
    const maxAttempts = options.maxAttempts ?? config.maxAttempts;
    const record: TeamRecord = { version: 1, name, spec: options.spec, task: options.task, workspace: options.workspace, status: planned ? 'planning' : 'running', workers: [], tasks, createdAt: Date.now(), owner, ...(context.ownerSocket ? { ownerSocket: context.ownerSocket } : {}), copyFiles, roles: used, maxAttempts, ...(options.goal ? { goal: options.goal } : {}) };
    try {
      for (const worker of workerSpecs) {
        const place = await createWorkerWorktree({
          workspace: options.workspace,
          team: name,
          worker: worker.name,
          folder: new StateMap(registry.stateDir).worktree(name, worker.name),
          setup: options.setup ?? config.setup,
          copyFiles,
        });
        if (place.isolated) {
          record.workers.push({ ...worker, cwd: place.cwd, branch: place.branch, folder: place.folder });
          record.base ??= place.baseBranch ?? place.baseCommit;
        } else {
          record.workers.push({ ...worker, cwd: place.cwd });
          record.warning = place.warning;
        }
      }
    } catch (error) {
      // A team that could not be made leaves no worktrees or branches behind.
      for (const worker of record.workers.filter((w) => w.folder)) {
        await removeWorkerWorktree({ workspace: options.workspace, team: name, worker: worker.name, folder: worker.folder!, force: true, deleteBranch: true }).catch(() => undefined);
      }
      throw error;
    }
    const team = new Team(context, record, options, false);
    team.save();
    if (planned) team.planner = team.plan();
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
    const ended: RunRecord[] = [];
    for (const task of record.tasks.filter((t) => t.status === 'running')) {
      // Its run: the one recorded, or one started just before the process went (same task, this attempt).
      const run = runs.find((r) => r.id === task.runId) ?? (task.runId ? undefined : runs.filter((r) => r.links.task === task.id && r.createdAt >= (task.startedAt ?? 0) - 1000).at(-1));
      if (!run) Object.assign(task, { status: 'pending', attempts: Math.max(0, task.attempts - 1), worker: undefined, reason: 'its start was cut short; started again' });
      else {
        task.runId = run.id;
        if (isFinished(run.status)) ended.push(run);
      }
    }
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
    if (this.stopped && options.force) void this.killAll(true);
    // Set before the shutdown begins, so that everything it sets off sees the team stopping.
    return (this.stopped ??= Promise.resolve().then(() => this.stop(options)));
  }

  private async stop(options: { force?: boolean; graceMs?: number }): Promise<TeamRecord> {
    if (!isActiveTeam(this.record.status)) return this.record;
    const wasPlanning = this.record.status === 'planning';
    // Work cut short makes the team interrupted, even when a forced stop has ended its runs before they are looked at below.
    const cutShort = this.activeRuns().length > 0;
    // Settled first, so that the runs' ends below are not taken for failures to retry.
    this.record.status = 'running';
    cancelUnfinished(this.record.tasks);
    this.save();
    // Starts under way finish first (their runs are then in the registry, to be stopped below).
    await Promise.allSettled([this.scheduler.halt(), this.planLaunch]);
    const running = this.activeRuns();
    if (!options.force) {
      // Interrupted first: an agent ends its turn and may leave its work in order. A run still in
      // its pool's line has nothing to interrupt: it is taken out of the line below.
      const started = running.filter((id) => this.registry.resolve(id).status === 'running');
      for (const runId of started) await this.registry.interrupt(runId, `team ${this.record.name} shutdown`).catch(() => undefined);
      await Promise.all(started.map((runId) => this.registry.wait(runId, options.graceMs ?? SHUTDOWN_GRACE_MS)));
    }
    const killed = await this.killAll(options.force ?? false);
    await Promise.all(killed.map((runId) => this.registry.wait(runId, this.registry.config.killGraceMs + 5_000)));
    this.finish(cutShort || running.length > 0 || wasPlanning ? 'interrupted' : 'shutdown');
    return this.record;
  }

  private activeRuns(): string[] {
    return this.registry.list({ team: this.record.name }).filter((r) => !isFinished(r.status)).map((r) => r.id);
  }

  /** Stops every run of the team that has not ended; resolves with their ids. */
  private async killAll(force: boolean): Promise<string[]> {
    const running = this.activeRuns();
    const source = `team ${this.record.name} shutdown`;
    for (const runId of running) await this.registry.kill(runId, { source, force }).catch(() => undefined);
    return running;
  }

  private async plan(): Promise<void> {
    const planner = this.record.workers.find((w) => w.role === 'planner')!;
    const roles = [...new Set(this.record.workers.filter((w) => w.role !== 'planner').map((w) => w.role))];
    const planFile = new StateMap(this.registry.stateDir).team(this.record.name).plan;
    const plan: NonNullable<TeamRecord['plan']> = (this.record.plan = { runIds: [], rejected: [] });
    for (let attempt = 1; attempt <= PLAN_ATTEMPTS && this.record.status === 'planning'; attempt++) {
      // A plan file from an earlier run must not be taken for this one's.
      fs.rmSync(planFile, { force: true });
      const since = Date.now();
      let answer: RunRecord;
      try {
        const prompt = plannerPrompt(this.roles.planner!.preamble, { goal: this.record.task, planFile, roles: roles.length ? roles : ['planner'], rejected: plan.rejected!.at(-1) });
        this.planLaunch = this.launch(planner, prompt, PLAN_TASK);
        const run = await this.planLaunch;
        plan.runIds.push(run.id);
        if (this.stopped) await this.registry.kill(run.id, { source: `team ${this.record.name} shutdown`, force: true });
        this.changed();
        answer = (await this.registry.wait(run.id)).record;
      } catch (error) {
        plan.rejected!.push(errorMessage(error));
        break;
      }
      if (this.record.status !== 'planning') return; // shut down meanwhile
      if (answer.status !== 'done') {
        plan.rejected!.push(`The planner's run ended ${answer.status}${answer.lastError ? `: ${answer.lastError}` : ''}.`);
        continue;
      }
      try {
        const specs = readPlan(answer.resultText ?? this.registry.tail(answer.id), { planFile, roles: roles.length ? roles : ['planner'] }, since);
        plan.from = answer.id;
        this.scheduler.add(specs);
        this.record.status = 'running';
        this.changed();
        return;
      } catch (error) {
        plan.rejected!.push(errorMessage(error));
        this.changed();
      }
    }
    if (this.record.status !== 'planning') return;
    this.record.reason = `No usable plan after ${plan.runIds.length} planner run(s): ${plan.rejected!.at(-1) ?? 'the planner did not run'}`;
    this.record.status = 'running';
    this.finish('failed');
  }

  private launch(worker: TeamWorker, prompt: string, task: string, model?: string): Promise<RunRecord> {
    const role = this.roles[worker.role]!;
    // A role's permission mode is its runner's word: it applies only when the worker uses that runner.
    const permissionMode = worker.runner === role.runner ? role.permissionMode : undefined;
    this.guard();
    const links = { team: this.record.name, task, ...(this.record.goal ? { goal: this.record.goal } : {}) };
    return this.registry.run({ runner: worker.runner, prompt, cwd: worker.cwd, links, pool: TEAMS_POOL, ...(worker.backend ? { backend: worker.backend } : {}), ...(permissionMode ? { permissionMode } : {}), ...(model ? { model } : {}) });
  }

  private async start(task: Task, workerName: string): Promise<string> {
    const worker = this.record.workers.find((w) => w.name === workerName)!;
    if (worker.branch) await prepareTask(this.record, task, worker);
    if (this.stopped) throw new SwitchboardError('not_running', `Team ${this.record.name} is shutting down.`);
    const role = this.roles[worker.role]!;
    const prompt = [role.preamble, DISCOVERY_NOTE, `Team goal: ${this.record.task}`, `Your task (${task.id}): ${task.title}`, task.description ?? '', this.findingsBefore(task)].filter(Boolean).join('\n\n');
    return (await this.launch(worker, prompt, task.id, task.model)).id;
  }

  /** What the tasks this one waited for reported (a reviewer's findings, an investigation), for the agent to start from. */
  private findingsBefore(task: Task): string {
    const reports = task.dependsOn
      .map((id) => this.record.tasks.find((t) => t.id === id))
      .filter((t): t is Task => !!t?.result?.summary?.trim())
      .map((t) => `${t.id} (${t.title}) reported:\n${clipEnd(t.result!.summary!.trim())}`);
    return reports.length ? `What the tasks before yours found:\n\n${reports.join('\n\n')}` : '';
  }

  /** A task's run ended: what it left is committed (done) or put aside (not done), then the scheduler hears of it. */
  private async runEnded(run: RunRecord): Promise<void> {
    // A finished run's record can change again (its exit details): the first news of its end counts.
    if (this.ended.has(run.id)) return;
    this.ended.add(run.id);
    const task = this.scheduler.runningTask(run.id, run.links.task);
    const worker = task && this.record.workers.find((w) => w.name === task.worker);
    const ok = run.status === 'done';
    // An agent that reports no result (a plain command) is summed up by the end of what it printed.
    let detail = run.lastError ?? run.resultText ?? (ok ? outputEnd(this.registry.tail(run.id, SUMMARY_BYTES, { redacted: true })) : undefined);
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
