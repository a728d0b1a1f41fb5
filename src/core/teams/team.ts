/**
 * A running team: workers from a spec, each in its own worktree on its own branch (or the shared
 * folder when the workspace is not a git repository), a task graph (given, or from a planner
 * agent) handed out by the scheduler, its runs admitted through the `teams` pool, and its record
 * kept on disk on every change. Before a worker starts a task, the branches of the workers that did
 * the task's dependencies are merged into its worktree, so it builds on their work.
 */
import * as path from 'node:path';
import { tasksFromSpecs } from '../dag/graph';
import type { Task, TaskSpec } from '../dag/task';
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Disposable } from '../events';
import { bringInBranches } from '../git/bringIn';
import { commitLeftovers } from '../git/commitLeftovers';
import { git } from '../git/gitCommand';
import { removeWorkerWorktree } from '../git/worktreeRemoval';
import { createWorkerWorktree } from '../git/worktrees';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import type { RunRegistry } from '../registry/registry';
import { isFinished, type RunRecord } from '../runs/types';
import { PLAN_ATTEMPTS, PLAN_TASK, plannerPrompt, readPlan } from './planner';
import { mergeRoles, type Role } from './roles';
import { Scheduler } from './scheduler';
import { parseTeamSpec, type WorkerSpec } from './spec';
import { answerRequest, takeRequests, type TeamRequest } from './teamRequests';
import { cancelUnfinished, checkTeamName, isActiveTeam, listTeams, loadTeam, saveTeam, teamsDir, type TeamRecord, type TeamStatus, type TeamWorker } from './teamStore';

export const TEAMS_POOL = 'teams';
const REQUEST_CHECK_MS = 500;
/** How long a shutdown waits for interrupted runs to end before it kills them. */
const SHUTDOWN_GRACE_MS = 10_000;

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
}

/** Roles that take only the tasks meant for them, while the team has workers of other roles. */
const SPECIALISTS: ReadonlySet<string> = new Set(['planner', 'reviewer']);

/** Whether a worker of role `role` takes `task`: a task for a role goes to that role; others to the team's generalists (executors, roles from settings). */
function takes(task: Task, role: string, workers: readonly TeamWorker[]): boolean {
  if (task.role) return task.role === role;
  if (workers.some((w) => !SPECIALISTS.has(w.role))) return !SPECIALISTS.has(role);
  return role !== 'planner' || workers.every((w) => w.role === 'planner');
}

export class Team implements Disposable {
  private readonly changes = new Emitter<TeamRecord>();
  /** The record changed (and was saved). */
  readonly onDidChange = this.changes.event;
  private readonly listener: Disposable;
  private readonly scheduler: Scheduler;
  private readonly roles: Record<string, Role>;
  private readonly requests: NodeJS.Timeout;
  /** The worktree's commit when each task's current attempt started, for its result. */
  private readonly startCommits = new Map<string, string>();
  /** Runs whose end was taken. */
  private readonly ended = new Set<string>();
  private planner: Promise<void> | undefined;
  /** Shutting down: the tasks' ends from now on are not the team's outcome. */
  private stopping = false;
  private stopped: Promise<TeamRecord> | undefined;
  private disposed = false;

  private constructor(
    private readonly registry: RunRegistry,
    readonly record: TeamRecord,
    options: Pick<TeamOptions, 'roles' | 'maxAttempts'>,
  ) {
    this.roles = mergeRoles({ ...registry.config.teams.roles, ...options.roles });
    const workerRole = new Map(record.workers.map((w) => [w.name, w.role]));
    this.scheduler = new Scheduler(
      record.tasks,
      record.workers.map((w) => w.name),
      {
        start: (task, worker) => this.start(task, worker),
        stop: async (runId) => void (await this.registry.kill(runId, { source: `team ${record.name}`, force: true })),
        changed: () => this.changed(),
      },
      { maxAttempts: options.maxAttempts ?? registry.config.teams.maxAttempts, canTake: (task, worker) => takes(task, workerRole.get(worker)!, record.workers) },
    );
    this.listener = registry.onDidChange(({ run }) => {
      if (run.links.team === record.name && run.links.task !== PLAN_TASK && isFinished(run.status)) void this.runEnded(run);
    });
    // Other processes (`switchboard team shutdown`, an MCP server) ask through files.
    this.requests = setInterval(() => this.answerRequests(), REQUEST_CHECK_MS);
  }

  /** Makes the team (workers, worktrees, tasks) and starts what is ready, or the planner when no tasks are given. */
  static async start(registry: RunRegistry, options: TeamOptions): Promise<Team> {
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
    const record: TeamRecord = { version: 1, name, spec: options.spec, task: options.task, workspace: options.workspace, status: planned ? 'planning' : 'running', workers: [], tasks, createdAt: Date.now(), owner, copyFiles };
    try {
      for (const worker of workerSpecs) {
        const place = await createWorkerWorktree({
          workspace: options.workspace,
          team: name,
          worker: worker.name,
          folder: path.join(registry.stateDir, 'worktrees', name, worker.name),
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
    saveTeam(registry.stateDir, record);
    const team = new Team(registry, record, options);
    if (planned) team.planner = team.plan();
    else team.scheduler.pump();
    return team;
  }

  /**
   * Takes over an active team whose process exited (a window reloaded, a terminal closed): this
   * process becomes its owner, tasks whose runs ended meanwhile are settled, tasks whose start was
   * cut short go back in line, a plan that was being made is made again, and the rest goes on.
   */
  static async resume(registry: RunRegistry, record: TeamRecord): Promise<Team> {
    if (!isActiveTeam(record.status)) throw new SwitchboardError('not_running', `Team ${record.name} is ${record.status}; there is nothing to resume.`);
    if (isSameProcessAlive(record.owner)) throw new SwitchboardError('name_taken', `Team ${record.name} is run by process ${record.owner!.pid}.`, 'Shut it down from there, or ask it through `switchboard team …`.');
    record.owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    const team = new Team(registry, record, {});
    const ended: RunRecord[] = [];
    for (const task of record.tasks.filter((t) => t.status === 'running')) {
      const run = task.runId ? registry.list({ team: record.name }).find((r) => r.id === task.runId) : undefined;
      if (!run) Object.assign(task, { status: 'pending', attempts: Math.max(0, task.attempts - 1), worker: undefined, reason: 'its start was cut short; started again' });
      else if (isFinished(run.status)) ended.push(run);
    }
    if (record.status === 'planning') {
      for (const run of registry.list({ team: record.name }).filter((r) => r.links.task === PLAN_TASK && !isFinished(r.status))) await registry.kill(run.id, { source: `team ${record.name} resume`, force: true });
      team.planner = team.plan();
    }
    team.save();
    for (const run of ended) await team.runEnded(run);
    team.scheduler.pump();
    return team;
  }

  /** Every task has settled (and the planner, if any, is through). */
  get settled(): boolean {
    return !isActiveTeam(this.record.status) || (this.record.status === 'running' && this.scheduler.settled);
  }

  /** Resolves once the planner step is over (at once when there is none). */
  async planned(): Promise<void> {
    await this.planner;
  }

  addTasks(specs: TaskSpec[]): Task[] {
    if (!isActiveTeam(this.record.status)) throw new SwitchboardError('not_running', `Team ${this.record.name} is ${this.record.status}; it takes no more tasks.`, 'Start a new team.');
    if (this.record.status === 'planning') throw new SwitchboardError('not_running', `Team ${this.record.name} is still planning.`, 'Add tasks once its plan is in (team status shows it).');
    checkTaskRoles(tasksFromSpecs(specs, this.record.tasks), this.record.workers);
    return this.scheduler.add(specs);
  }

  cancelTask(id: string): Promise<Task> {
    return this.scheduler.cancel(id);
  }

  /** Interrupts every worker's run, waits up to `graceMs` (10 s), then kills what is left (force: at once). A force during a shutdown hurries it. */
  shutdown(options: { force?: boolean; graceMs?: number } = {}): Promise<TeamRecord> {
    if (this.stopped && options.force) void this.killAll(true);
    return (this.stopped ??= this.stop(options));
  }

  private async stop(options: { force?: boolean; graceMs?: number }): Promise<TeamRecord> {
    if (!isActiveTeam(this.record.status)) return this.record;
    this.stopping = true;
    const wasPlanning = this.record.status === 'planning';
    // Settled first, so that the runs' ends below are not taken for failures to retry.
    this.record.status = 'running';
    cancelUnfinished(this.record.tasks);
    this.save();
    const running = this.activeRuns();
    if (!options.force) {
      // Interrupted first: an agent ends its turn and may leave its work in order.
      for (const runId of running) await this.registry.interrupt(runId, `team ${this.record.name} shutdown`).catch(() => undefined);
      await Promise.all(running.map((runId) => this.registry.wait(runId, options.graceMs ?? SHUTDOWN_GRACE_MS)));
    }
    const killed = await this.killAll(options.force ?? false);
    await Promise.all(killed.map((runId) => this.registry.wait(runId, this.registry.config.killGraceMs + 5_000)));
    this.finish(running.length > 0 || wasPlanning ? 'interrupted' : 'shutdown');
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
    const planFile = path.join(teamsDir(this.registry.stateDir), this.record.name, 'plan.json');
    const plan: NonNullable<TeamRecord['plan']> = (this.record.plan = { runIds: [], rejected: [] });
    for (let attempt = 1; attempt <= PLAN_ATTEMPTS && this.record.status === 'planning'; attempt++) {
      const since = Date.now();
      let answer: RunRecord;
      try {
        const prompt = plannerPrompt(this.roles.planner!.preamble, { goal: this.record.task, planFile, roles: roles.length ? roles : ['planner'], rejected: plan.rejected!.at(-1) });
        const run = await this.launch(planner, prompt, PLAN_TASK);
        plan.runIds.push(run.id);
        if (this.stopping) await this.registry.kill(run.id, { source: `team ${this.record.name} shutdown`, force: true });
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

  private launch(worker: TeamWorker, prompt: string, task: string): Promise<RunRecord> {
    const role = this.roles[worker.role]!;
    // A role's permission mode is its runner's word: it applies only when the worker uses that runner.
    const permissionMode = worker.runner === role.runner ? role.permissionMode : undefined;
    return this.registry.run({ runner: worker.runner, prompt, cwd: worker.cwd, links: { team: this.record.name, task }, pool: TEAMS_POOL, ...(permissionMode ? { permissionMode } : {}) });
  }

  private async start(task: Task, workerName: string): Promise<string> {
    const worker = this.record.workers.find((w) => w.name === workerName)!;
    if (worker.branch) {
      // The work this task builds on, from the branches of the workers that did its dependencies.
      const theirs = task.dependsOn.map((id) => this.record.tasks.find((t) => t.id === id)?.worker).filter((w): w is string => !!w && w !== worker.name);
      const branches = theirs.map((w) => this.record.workers.find((x) => x.name === w)?.branch).filter((b): b is string => !!b);
      await bringInBranches(worker.cwd, branches, `the work ${task.id} depends on`);
      this.startCommits.set(task.id, (await git(worker.cwd, ['rev-parse', 'HEAD'])).stdout.trim());
    }
    const role = this.roles[worker.role]!;
    const prompt = [role.preamble, `Team goal: ${this.record.task}`, `Your task (${task.id}): ${task.title}`, task.description ?? ''].filter(Boolean).join('\n\n');
    return (await this.launch(worker, prompt, task.id)).id;
  }

  /** A task's run ended: what it committed becomes the task's result, then the scheduler hears of it. */
  private async runEnded(run: RunRecord): Promise<void> {
    // A finished run's record can change again (its exit details): the first news of its end counts.
    if (this.ended.has(run.id)) return;
    this.ended.add(run.id);
    const task = this.scheduler.runningTask(run.id, run.links.task);
    const worker = task && this.record.workers.find((w) => w.name === task.worker);
    const since = task && this.startCommits.get(task.id);
    if (task && worker?.branch && since && run.status === 'done') {
      try {
        const message = `${task.id}: ${task.title}\n\nCommitted by Switchboard: worker ${worker.name} left these changes uncommitted when its task ended.`;
        const committed = await commitLeftovers(worker.cwd, message, this.record.copyFiles, worker.folder);
        const head = committed ?? (await git(worker.cwd, ['rev-parse', 'HEAD'])).stdout.trim();
        const changed = (await git(worker.cwd, ['diff', '--name-only', '-z', '--no-ext-diff', since, head, '--'])).stdout.split('\0').filter(Boolean);
        task.result = { ...task.result, ...(head !== since ? { commit: head } : {}), changedFiles: changed };
      } catch {
        // The worktree went away: the task's result is its summary alone.
      }
    }
    this.scheduler.runEnded(run.id, run.status === 'done', run.lastError ?? run.resultText, run.links.task);
  }

  private answerRequests(): void {
    if (!isActiveTeam(this.record.status) || this.disposed) return;
    for (const { id, request } of takeRequests(this.registry.stateDir, this.record.name)) {
      void this.handle(request).then(
        (value) => answerRequest(this.registry.stateDir, this.record.name, id, { ok: true, value }),
        (error: unknown) => {
          const e = error instanceof SwitchboardError ? error : new SwitchboardError('internal', errorMessage(error));
          answerRequest(this.registry.stateDir, this.record.name, id, { ok: false, code: e.code, message: e.message, hint: e.hint });
        },
      );
    }
  }

  /** Does what another process asked (see teamRequests). */
  handle(request: TeamRequest): Promise<unknown> {
    if (request.op === 'shutdown') return this.shutdown({ force: request.force });
    if (request.op === 'add') return Promise.resolve().then(() => this.addTasks(request.tasks));
    return this.cancelTask(request.taskId);
  }

  private changed(): void {
    // A team let go of (its process is closing) writes nothing more.
    if (this.disposed) return;
    if (this.record.status === 'running' && this.scheduler.settled && !this.stopping) {
      this.finish(this.record.tasks.every((t) => t.status === 'done' || t.status === 'cancelled') ? 'done' : 'failed');
      return;
    }
    this.save();
  }

  private finish(status: TeamStatus): void {
    if (!isActiveTeam(this.record.status) || this.disposed) return;
    this.record.status = status;
    this.record.endedAt = Date.now();
    this.save();
  }

  private save(): void {
    saveTeam(this.registry.stateDir, this.record);
    this.changes.fire(this.record);
  }

  dispose(): void {
    this.disposed = true;
    this.changes.dispose();
    clearInterval(this.requests);
    this.listener.dispose();
  }
}

/** Refuses tasks meant for a role no worker of the team has (they could never start). */
function checkTaskRoles(tasks: readonly Task[], workers: readonly Pick<WorkerSpec, 'role'>[]): void {
  const roles = new Set(workers.map((w) => w.role));
  const orphan = tasks.find((t) => t.role && !roles.has(t.role));
  if (orphan) throw new SwitchboardError('invalid_argument', `Task ${orphan.id} is for role ${orphan.role}, which no worker of the team has.`, `The team's roles: ${[...roles].join(', ')}.`);
}
