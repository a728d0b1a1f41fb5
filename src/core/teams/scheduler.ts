/**
 * The task scheduler of a team: hands each ready task (every dependency done) to a free worker,
 * starts a finished task's dependents at once, retries a failed task up to `maxAttempts`, then
 * blocks everything that depends on it. Tasks can be added while it runs, cancelled, and a failed or
 * cancelled one tried again (what it blocked waits for it once more). It knows
 * nothing of processes: `start` and `stop` are the team's, and it is told when a run ends.
 */
import { SwitchboardError } from '../errors';
import { checkGraph, dependentsOf, readyTasks, tasksFromSpecs } from '../dag/graph';
import { SETTLED_TASK_STATUSES, type Task, type TaskSpec } from '../dag/task';

export interface SchedulerHooks {
  /** Starts `task` (attempt `attempt`, from 1) on `worker`; resolves with its run id. */
  start(task: Task, worker: string, attempt: number): Promise<string>;
  /** Stops the run of a cancelled task. */
  stop(runId: string): Promise<void>;
  /** The tasks changed (to persist them, redraw a view). */
  changed(tasks: readonly Task[]): void;
}

export interface SchedulerOptions {
  /** Attempts a task gets before it fails for good (default 2: one retry). */
  maxAttempts?: number;
  /** Whether `worker` may take `task` (its role, say); by default any worker takes any task. */
  canTake?(task: Task, worker: string): boolean;
}

export class Scheduler {
  private readonly maxAttempts: number;
  private readonly canTake: (task: Task, worker: string) => boolean;
  private dispatching = false;
  /** Starts under way, by worker: the worker stays busy until its start has settled. */
  private readonly starting = new Map<string, Promise<void>>();
  private halted = false;

  constructor(
    private readonly tasks: Task[],
    private readonly workers: readonly string[],
    private readonly hooks: SchedulerHooks,
    options: SchedulerOptions = {},
  ) {
    if (workers.length === 0) throw new SwitchboardError('invalid_argument', 'A team needs at least one worker.');
    checkGraph(tasks);
    this.maxAttempts = options.maxAttempts ?? 2;
    this.canTake = options.canTake ?? (() => true);
  }

  get all(): readonly Task[] {
    return this.tasks;
  }

  /** Every task is done, failed, blocked or cancelled. */
  get settled(): boolean {
    return this.tasks.every((t) => SETTLED_TASK_STATUSES.has(t.status));
  }

  freeWorkers(): string[] {
    const busy = new Set(this.tasks.filter((t) => t.status === 'running').map((t) => t.worker));
    return this.workers.filter((w) => !busy.has(w) && !this.starting.has(w));
  }

  /** Starts nothing more; resolves once the starts under way have settled (their runs are in the registry then). */
  async halt(): Promise<void> {
    this.halted = true;
    await Promise.allSettled([...this.starting.values()]);
  }

  /**
   * Hands ready tasks to free workers, in the order the tasks were given. Each start goes on by
   * itself (merging dependencies, spawning), so one slow start does not hold up the others.
   */
  pump(): void {
    if (this.dispatching || this.halted) return;
    this.dispatching = true;
    try {
      for (let next = this.nextStart(readyTasks(this.tasks)); next; next = this.nextStart(readyTasks(this.tasks))) {
        const { task, worker } = next;
        task.status = 'running';
        task.worker = worker;
        task.attempts++;
        task.startedAt = Date.now();
        task.endedAt = undefined;
        // Until the new run has an id, late news of the previous attempt's run must not match this one.
        task.runId = undefined;
        this.hooks.changed(this.tasks);
        const start = this.launch(task, worker, task.attempts).finally(() => {
          this.starting.delete(worker);
          this.pump();
        });
        this.starting.set(worker, start);
      }
      // What could start but has no worker yet shows as ready.
      const waiting = readyTasks(this.tasks).filter((t) => t.status === 'pending');
      for (const t of waiting) t.status = 'ready';
      if (waiting.length) this.hooks.changed(this.tasks);
    } finally {
      this.dispatching = false;
    }
  }

  /** The first ready task (in the order given) with a free worker that may take it. */
  private nextStart(ready: readonly Task[]): { task: Task; worker: string } | undefined {
    const free = this.freeWorkers();
    for (const task of ready) {
      const worker = free.find((w) => this.canTake(task, w));
      if (worker) return { task, worker };
    }
    return undefined;
  }

  /** Whether `task` is still on the attempt `attempt` started. */
  private current(task: Task, attempt: number): boolean {
    return task.status === 'running' && task.attempts === attempt;
  }

  private async launch(task: Task, worker: string, attempt: number): Promise<void> {
    let runId: string;
    try {
      runId = await this.hooks.start(task, worker, attempt);
    } catch (error) {
      // A task that cannot even start (a missing CLI, a refused run, a conflicting dependency) fails like one that ran.
      if (this.current(task, attempt)) this.ended(task, false, (error as Error).message);
      return;
    }
    if (this.current(task, attempt)) {
      // Its end may have been taken already (a run that ended before its start returned).
      task.runId ??= runId;
      this.hooks.changed(this.tasks);
    } else if (task.runId !== runId) {
      // Cancelled (or its team shut down, or moved on) while its run was starting: that run must not go on.
      await this.hooks.stop(runId).catch(() => undefined);
    }
  }

  /**
   * A task's run ended: done starts its dependents; failed retries it, or blocks its dependents.
   * `taskId` matches a run that ended before its start returned (its id not yet stored).
   */
  runEnded(runId: string, ok: boolean, detail?: string, taskId?: string): void {
    const task = this.runningTask(runId, taskId);
    if (!task) return;
    task.runId = runId;
    this.ended(task, ok, detail);
    this.pump();
  }

  /** The running task of a run: by its id, or by its task while the run's id is not yet known. */
  runningTask(runId: string, taskId?: string): Task | undefined {
    return this.tasks.find((t) => t.status === 'running' && (t.runId === runId || (t.runId === undefined && t.id === taskId)));
  }

  private ended(task: Task, ok: boolean, detail?: string): void {
    task.endedAt = Date.now();
    if (ok) {
      task.status = 'done';
      task.result = { ...task.result, summary: detail };
    } else if (task.attempts < this.maxAttempts) {
      task.status = 'pending';
      task.reason = `attempt ${task.attempts} failed${detail ? `: ${detail}` : ''}; retrying`;
    } else {
      task.status = 'failed';
      task.reason = detail ?? 'its run failed';
      this.blockDependents(task, `${task.id} failed`);
    }
    this.hooks.changed(this.tasks);
  }

  private blockDependents(task: Task, reason: string): void {
    for (const dependent of dependentsOf(this.tasks, task.id)) {
      if (SETTLED_TASK_STATUSES.has(dependent.status)) continue;
      dependent.status = 'blocked';
      dependent.reason = reason;
    }
  }

  /** Adds tasks while the team runs (their dependencies may be any task); ready ones start at once. */
  add(specs: readonly TaskSpec[]): Task[] {
    if (this.halted) throw new SwitchboardError('not_running', 'The team is shutting down; it takes no more tasks.', 'Start a new team.');
    const added = tasksFromSpecs(specs, this.tasks);
    const byId = new Map([...this.tasks, ...added].map((t) => [t.id, t]));
    for (const task of added) {
      // In order, so that a new task after a new blocked one is blocked too.
      const failed = task.dependsOn.find((d) => ['failed', 'blocked', 'cancelled'].includes(byId.get(d)!.status));
      if (failed) Object.assign(task, { status: 'blocked', reason: `${failed} will not be done` });
    }
    this.tasks.push(...added);
    this.hooks.changed(this.tasks);
    this.pump();
    return added;
  }

  /** Cancels a task that has not settled (stopping its run) and blocks what depends on it. */
  async cancel(taskId: string): Promise<Task> {
    const task = this.tasks.find((t) => t.id === taskId);
    if (!task) throw new SwitchboardError('invalid_argument', `There is no task ${taskId}.`, `Tasks: ${this.tasks.map((t) => t.id).join(', ')}.`);
    if (SETTLED_TASK_STATUSES.has(task.status)) throw new SwitchboardError('invalid_argument', `Task ${taskId} is already ${task.status}.`);
    const runId = task.status === 'running' ? task.runId : undefined;
    task.status = 'cancelled';
    task.endedAt = Date.now();
    this.blockDependents(task, `${task.id} was cancelled`);
    this.hooks.changed(this.tasks);
    if (runId) await this.hooks.stop(runId);
    this.pump();
    return task;
  }

  /** Tries a failed or cancelled task again from its first attempt; the tasks it blocked wait for it again. */
  retry(taskId: string): Task {
    const task = this.tasks.find((t) => t.id === taskId);
    if (!task) throw new SwitchboardError('invalid_argument', `There is no task ${taskId}.`, `Tasks: ${this.tasks.map((t) => t.id).join(', ')}.`);
    if (this.halted) throw new SwitchboardError('not_running', 'The team is shutting down; it retries no task.', 'Start a new team.');
    if (task.status !== 'failed' && task.status !== 'cancelled') throw new SwitchboardError('invalid_argument', `Task ${taskId} is ${task.status}; only a failed or cancelled task can be retried.`);
    Object.assign(task, { status: 'pending', attempts: 0, reason: undefined, startedAt: undefined, endedAt: undefined });
    const byId = new Map(this.tasks.map((t) => [t.id, t]));
    // In graph order: a dependent is unblocked only once none of its own dependencies will stay undone.
    for (const dependent of dependentsOf(this.tasks, task.id)) {
      if (dependent.status !== 'blocked') continue;
      if (dependent.dependsOn.some((d) => ['failed', 'blocked', 'cancelled'].includes(byId.get(d)!.status))) continue;
      Object.assign(dependent, { status: 'pending', reason: undefined });
    }
    this.hooks.changed(this.tasks);
    this.pump();
    return task;
  }
}
