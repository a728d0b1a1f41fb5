/**
 * A run as a Docker Swarm job: a `replicated-job` service of one task (restart: none), which the
 * swarm places on any node. Its output is the service's log (cluster-wide), its end the task's final
 * state, its kill the service's removal (the swarm stops the task with its stop grace period, then
 * SIGKILL). Signals and stdin reach the task only where its container runs on this engine's node.
 */
import type { SpawnSpec } from '../runners/types';
import type { DockerApi } from './dockerApi';
import { query } from './dockerApi';
import type { ContainerPlan } from './containerPlan';

interface Task {
  Status: { State: string; Err?: string; ContainerStatus?: { ContainerID?: string; ExitCode?: number } };
}

/** Task states after which a task never runs again. */
const FINAL = new Set(['complete', 'failed', 'rejected', 'shutdown', 'orphaned', 'remove']);

export interface JobState {
  /** The service is gone (removed outside Switchboard, or by our kill). */
  gone: boolean;
  state?: string;
  final: boolean;
  exitCode?: number;
  error?: string;
  containerId?: string;
}

export function serviceBody(plan: ContainerPlan, spec: SpawnSpec, env: Record<string, string>, labels: Record<string, string>, name: string, home: string, stopGraceMs: number): unknown {
  const mounts = [
    ...plan.mounts.map((dir) => ({ Type: 'bind', Source: dir, Target: dir })),
    { Type: 'bind', Source: plan.home, Target: home },
    { Type: 'bind', Source: '/etc/ssl/certs', Target: '/etc/ssl/certs', ReadOnly: true },
    ...plan.files.map((file) => ({ Type: 'bind', Source: file, Target: file, ReadOnly: true })),
  ];
  const named = !['bridge', 'host', 'none', 'default'].includes(plan.network);
  return {
    Name: name,
    Labels: labels,
    Mode: { ReplicatedJob: { MaxConcurrent: 1, TotalCompletions: 1 } },
    TaskTemplate: {
      ContainerSpec: {
        Image: plan.image,
        Command: [spec.command, ...spec.args],
        Dir: plan.cwd,
        Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
        Labels: labels,
        Mounts: mounts,
        Init: true,
        OpenStdin: spec.stdin === 'pipe',
        StopGracePeriod: stopGraceMs * 1e6,
        ...(plan.user ? { User: plan.user } : {}),
      },
      RestartPolicy: { Condition: 'none' },
      LogDriver: { Name: 'local' },
      Resources: { Limits: { ...(plan.cpus ? { NanoCPUs: Math.round(plan.cpus * 1e9) } : {}), ...(plan.memoryBytes ? { MemoryBytes: plan.memoryBytes } : {}) } },
      ...(named ? { Networks: [{ Target: plan.network }] } : {}),
    },
  };
}

export async function jobState(api: DockerApi, service: string): Promise<JobState> {
  const found = await api.request('GET', `/services/${service}`);
  if (found.status === 404) return { gone: true, final: true };
  const tasks = await api.call<Task[]>('GET', `/tasks${query({ filters: { service: [service] } })}`, undefined, 'list the job\'s tasks');
  const task = tasks[0];
  if (!task) return { gone: false, final: false };
  const state = task.Status.State;
  const container = task.Status.ContainerStatus;
  return {
    gone: false,
    state,
    final: FINAL.has(state),
    ...(container?.ExitCode !== undefined ? { exitCode: container.ExitCode } : state === 'complete' ? { exitCode: 0 } : {}),
    ...(task.Status.Err ? { error: task.Status.Err } : {}),
    ...(container?.ContainerID ? { containerId: container.ContainerID } : {}),
  };
}
