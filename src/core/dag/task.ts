/** A team's unit of work, as the scheduler, the CLI, MCP and the Teams view see it. */

export const TASK_STATUSES = ['pending', 'ready', 'running', 'done', 'failed', 'blocked', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses a task does not leave by itself. */
export const SETTLED_TASK_STATUSES: ReadonlySet<TaskStatus> = new Set(['done', 'failed', 'blocked', 'cancelled']);

export interface TaskResult {
  summary?: string;
  changedFiles?: string[];
  commit?: string;
}

export interface Task {
  id: string;
  title: string;
  description?: string;
  /** Ids of the tasks that must be done first. */
  dependsOn: string[];
  status: TaskStatus;
  /** Only a worker of this role takes it (absent: any worker but a planner). */
  role?: string;
  /** The model its run asks for (absent: the worker's runner's configured model). */
  model?: string;
  /** The worker it went to, and the run that worked it (the latest attempt). */
  worker?: string;
  runId?: string;
  attempts: number;
  /** What the planner expected it to take, for the critical path before it ran. */
  expectedMs?: number;
  startedAt?: number;
  endedAt?: number;
  /** The worker's commit when the current attempt began (its own work is what came after). */
  startCommit?: string;
  result?: TaskResult;
  /** Why it failed, was blocked or cancelled. */
  reason?: string;
}

/** A task as given by a person, a planner or a tool call: only the title is required. */
export interface TaskSpec {
  id?: string;
  title: string;
  description?: string;
  dependsOn?: string[];
  role?: string;
  model?: string;
  expectedMs?: number;
}
