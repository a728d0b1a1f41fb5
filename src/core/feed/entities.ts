/** The entities as feed events carry them: small, without prompts or command lines (the records have those). */
import type { Task } from '../dag/task';
import { formatRetrying } from '../render';
import type { RunRecord, RunStatus } from '../runs/types';
import type { TeamRecord } from '../teams/teamStore';
import type { FeedType } from './feedEvent';

export type RunEntity = Pick<RunRecord, 'id' | 'name' | 'runner' | 'status' | 'cwd' | 'links' | 'createdAt' | 'usage'> &
  Partial<Pick<RunRecord, 'sessionId' | 'model' | 'pool' | 'startedAt' | 'endedAt' | 'exitCode' | 'signal' | 'lastError' | 'startedBy'>> & { pid?: number; waiting?: string; retrying?: string; refusedToolCalls?: number };

export function runEntity(run: RunRecord): RunEntity {
  return {
    id: run.id,
    name: run.name,
    runner: run.runner,
    status: run.status,
    cwd: run.cwd,
    links: run.links,
    createdAt: run.createdAt,
    usage: run.usage,
    ...(run.agent ? { pid: run.agent.pid } : {}),
    ...pick(run, ['sessionId', 'model', 'pool', 'startedAt', 'endedAt', 'exitCode', 'signal', 'lastError', 'startedBy']),
    ...(run.status === 'running' && run.waiting ? { waiting: run.waiting.reason } : {}),
    ...(run.status === 'running' && run.retrying ? { retrying: formatRetrying(run.retrying) } : {}),
    ...(run.permissionDenials?.length ? { refusedToolCalls: run.permissionDenials.length } : {}),
  };
}

function pick<T extends object, K extends keyof T>(value: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (value[key] !== undefined) out[key] = value[key];
  return out;
}

/** The event a run's new status makes, if it is an end (or a start). */
export function runStatusEvent(status: RunStatus): FeedType | undefined {
  return ({ running: 'agent.started', done: 'agent.completed', failed: 'agent.failed', killed: 'agent.killed', orphaned: 'agent.orphaned' } as const)[status as string] as FeedType | undefined;
}

export type TeamEntity = Pick<TeamRecord, 'name' | 'spec' | 'task' | 'workspace' | 'status' | 'createdAt'> &
  Partial<Pick<TeamRecord, 'endedAt' | 'reason' | 'base'>> & { workers: number; tasks: Partial<Record<Task['status'], number>> };

export function teamEntity(team: TeamRecord): TeamEntity {
  const tasks: TeamEntity['tasks'] = {};
  for (const t of team.tasks) tasks[t.status] = (tasks[t.status] ?? 0) + 1;
  return {
    name: team.name,
    spec: team.spec,
    task: team.task,
    workspace: team.workspace,
    status: team.status,
    createdAt: team.createdAt,
    ...pick(team, ['endedAt', 'reason', 'base']),
    workers: team.workers.length,
    tasks,
  };
}

export interface TaskEntity {
  team: string;
  task: Omit<Task, 'startCommit'>;
}

export function taskEntity(team: string, task: Task): TaskEntity {
  const { startCommit: _startCommit, ...rest } = task;
  return { team, task: rest };
}

/** The event a task's new status makes. */
export function taskStatusEvent(status: Task['status']): FeedType {
  return ({ running: 'task.assigned', done: 'task.completed', failed: 'task.failed', blocked: 'task.blocked', cancelled: 'task.cancelled' } as const)[status as string] as FeedType | undefined ?? 'task.updated';
}
