/**
 * A running team: workers from a spec, each in its own worktree on its own branch (or the shared
 * folder when the workspace is not a git repository), a task graph handed out by the scheduler,
 * its runs admitted through the `teams` pool, and its record kept on disk on every change.
 */
import * as path from 'node:path';
import { tasksFromSpecs } from '../dag/graph';
import type { Task, TaskSpec } from '../dag/task';
import type { Disposable } from '../events';
import { createWorkerWorktree } from '../git/worktrees';
import type { RunRegistry } from '../registry/registry';
import { isFinished } from '../runs/types';
import { mergeRoles, type Role } from './roles';
import { Scheduler } from './scheduler';
import { parseTeamSpec } from './spec';
import { cancelUnfinished, checkTeamName, listTeams, loadTeam, saveTeam, takeShutdownRequest, type TeamRecord, type TeamStatus } from './teamStore';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { SwitchboardError } from '../errors';

export const TEAMS_POOL = 'teams';
const SHUTDOWN_CHECK_MS = 500;

export interface TeamOptions {
  name: string;
  spec: string;
  /** What the team is for; a single task when no tasks are given. */
  task: string;
  tasks?: TaskSpec[];
  workspace: string;
  roles?: Record<string, Partial<Role>>;
  /** Run in each new worktree (e.g. `npm ci`). */
  setup?: string;
  /** Files copied from the workspace into each worktree (e.g. `.env`). */
  copyFiles?: string[];
  maxAttempts?: number;
}

export class Team implements Disposable {
  private readonly listener: Disposable;
  private readonly scheduler: Scheduler;
  private readonly roles: Record<string, Role>;
  private readonly requests: NodeJS.Timeout;
  private disposed = false;

  private constructor(
    private readonly registry: RunRegistry,
    readonly record: TeamRecord,
    options: TeamOptions,
  ) {
    this.roles = mergeRoles(options.roles);
    this.scheduler = new Scheduler(record.tasks, record.workers.map((w) => w.name), {
      start: (task, worker) => this.start(task, worker),
      stop: async (runId) => void (await this.registry.kill(runId, { source: `team ${record.name}`, force: true })),
      changed: () => this.changed(),
    }, { maxAttempts: options.maxAttempts });
    this.listener = registry.onDidChange(({ run }) => {
      if (run.links.team === record.name && isFinished(run.status)) this.scheduler.runEnded(run.id, run.status === 'done', run.lastError ?? run.resultText);
    });
    // `switchboard team shutdown` from another terminal asks through a file.
    this.requests = setInterval(() => {
      const request = this.record.status === 'running' ? takeShutdownRequest(registry.stateDir, record.name) : undefined;
      if (request) void this.shutdown(request);
    }, SHUTDOWN_CHECK_MS);
  }

  /** Makes the team (workers, worktrees, tasks) and starts the tasks that are ready. */
  static async start(registry: RunRegistry, options: TeamOptions): Promise<Team> {
    const name = checkTeamName(options.name);
    if (listTeams(registry.stateDir).includes(name)) {
      const existing = loadTeam(registry.stateDir, name);
      if (existing.status === 'running' && isSameProcessAlive(existing.owner)) throw new SwitchboardError('name_taken', `Team ${name} is running.`, 'Choose another name, or shut it down first.');
    }
    const roles = mergeRoles(options.roles);
    const workerSpecs = parseTeamSpec(options.spec, roles);
    const tasks = tasksFromSpecs(options.tasks?.length ? options.tasks : [{ title: options.task }]);
    const owner = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
    const record: TeamRecord = { version: 1, name, spec: options.spec, task: options.task, workspace: options.workspace, status: 'running', workers: [], tasks, createdAt: Date.now(), owner };
    for (const worker of workerSpecs) {
      const place = await createWorkerWorktree({
        workspace: options.workspace,
        team: name,
        worker: worker.name,
        folder: path.join(registry.stateDir, 'worktrees', name, worker.name),
        setup: options.setup,
        copyFiles: options.copyFiles,
      });
      if (place.isolated) record.workers.push({ ...worker, cwd: place.cwd, branch: place.branch, folder: place.folder });
      else {
        record.workers.push({ ...worker, cwd: place.cwd });
        record.warning = place.warning;
      }
    }
    saveTeam(registry.stateDir, record);
    const team = new Team(registry, record, options);
    await team.scheduler.pump();
    return team;
  }

  get settled(): boolean {
    return this.scheduler.settled;
  }

  addTasks(specs: TaskSpec[]): Task[] {
    return this.scheduler.add(specs);
  }

  cancelTask(id: string): Promise<Task> {
    return this.scheduler.cancel(id);
  }

  /** Interrupts every worker's run, waits up to `graceMs`, then kills what is left (force: at once). */
  async shutdown(options: { force?: boolean; graceMs?: number } = {}): Promise<TeamRecord> {
    const running = this.record.tasks.filter((t) => t.status === 'running' && t.runId).map((t) => t.runId!);
    // Settled first, so that the runs' ends below are not taken for failures to retry.
    cancelUnfinished(this.record.tasks);
    saveTeam(this.registry.stateDir, this.record);
    const source = `team ${this.record.name} shutdown`;
    for (const runId of running) await this.registry.kill(runId, { source, force: options.force ?? false }).catch(() => undefined);
    await Promise.all(running.map((runId) => this.registry.wait(runId, options.force ? 5_000 : (options.graceMs ?? 30_000))));
    this.finish(running.length > 0 ? 'interrupted' : 'shutdown');
    return this.record;
  }

  private async start(task: Task, workerName: string): Promise<string> {
    const worker = this.record.workers.find((w) => w.name === workerName)!;
    const role = this.roles[worker.role]!;
    const prompt = [role.preamble, `Team goal: ${this.record.task}`, `Your task (${task.id}): ${task.title}`, task.description ?? ''].filter(Boolean).join('\n\n');
    const run = await this.registry.run({ runner: worker.runner, prompt, cwd: worker.cwd, links: { team: this.record.name, task: task.id }, pool: TEAMS_POOL });
    return run.id;
  }

  private changed(): void {
    // A team let go of (its process is closing) writes nothing more.
    if (this.disposed) return;
    if (this.record.status === 'running' && this.scheduler.settled) {
      this.finish(this.record.tasks.every((t) => t.status === 'done' || t.status === 'cancelled') ? 'done' : 'failed');
      return;
    }
    saveTeam(this.registry.stateDir, this.record);
  }

  private finish(status: TeamStatus): void {
    if (this.record.status !== 'running' || this.disposed) return;
    this.record.status = status;
    this.record.endedAt = Date.now();
    saveTeam(this.registry.stateDir, this.record);
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.requests);
    this.listener.dispose();
  }
}
