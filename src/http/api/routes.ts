/**
 * The HTTP API's routes under /api/v1: each one a thin view onto an operation (src/ops/). A path's
 * `{x}` segments fill the operation's fields named in `params`; a GET's query string and a POST's
 * JSON body fill the rest. A few routes reshape the answer (`view`, with its own schema, for the
 * shapes other tools read: teams and pools).
 */
import { z } from 'zod';
import type { Operation } from '../../ops/operation';
import { findOperation } from '../../ops/operations';
import { health } from '../../ops/statusOps';

export interface Route {
  method: 'GET' | 'POST';
  /** Under /api/v1, with `{x}` path parameters. */
  path: string;
  op: Operation;
  /** Which field of the operation's input each path parameter fills. */
  params?: Record<string, string>;
  /** The answer's status (default 200); `health` answers 503 when it fails. */
  status?: (structured: Record<string, unknown>) => number;
  /** The body answered instead of the operation's own answer, and its schema. */
  view?: { schema: z.ZodType; shape(structured: Record<string, unknown>): unknown };
  tag: string;
}

function op(name: string): Operation {
  const found = findOperation(name);
  if (!found) throw new Error(`routes: there is no operation ${name}`);
  return found;
}

const created = (): number => 201;

// The shape of `GET /teams` other team tools read (plus what Switchboard knows more).
const teamsView = z.object({
  teams: z.array(
    z.object({
      version: z.literal(1),
      name: z.string(),
      task: z.string(),
      created_at: z.string(),
      worker_count: z.number(),
      worker_role: z.string().describe('The roles of its workers, as its spec says them'),
      phase: z.string().describe('Its status: planning, running, done, failed, shutdown, interrupted'),
      tasks: z.record(z.string(), z.number()).describe('Its tasks counted by status'),
      state_dir: z.string(),
      status: z.string(),
      spec: z.string(),
      workspace: z.string(),
      ended_at: z.string().optional(),
      owned: z.boolean(),
    }),
  ),
});

interface ListedTeam {
  name: string;
  status: string;
  spec: string;
  task: string;
  workspace: string;
  created_at: string;
  ended_at?: string;
  worker_count: number;
  counts: Record<string, number>;
  owned: boolean;
}

const poolsView = z.object({
  max_workers: z.number(),
  running: z.number(),
  waiting: z.number(),
  pools: z.array(
    z.object({
      name: z.string(),
      max_workers: z.number(),
      max_disk_gb: z.number().nullable().describe('No disk limit is kept per pool: always null'),
      active_tasks: z.number(),
      queued_tasks: z.number(),
      total_admitted: z.number(),
      total_queued: z.number(),
      total_rejected: z.number(),
      running: z.array(z.string()),
      waiting: z.array(z.string()),
    }),
  ),
});

interface PoolStatus {
  name: string;
  max_workers: number;
  running: string[];
  waiting: string[];
  admitted: number;
  queued: number;
  rejected: number;
}

/** Team folders are named by the team's name under the state folder's teams/. */
export function routes(teamDir: (name: string) => string): Route[] {
  const goal = { id: 'goal_id' };
  const goalGet = (path: string, name: string): Route => ({ method: 'GET', path: `/goals/{id}${path}`, op: op(name), params: goal, tag: 'goals' });
  const goalPost = (action: string, name: string): Route => ({ method: 'POST', path: `/goals/{id}/${action}`, op: op(name), params: goal, tag: 'goals' });
  return [
    { method: 'GET', path: '/health', op: health, status: (s) => (s.status === 'fail' ? 503 : 200), tag: 'system' },
    { method: 'GET', path: '/status', op: op('get_status'), tag: 'system' },
    { method: 'GET', path: '/metrics', op: op('get_metrics'), tag: 'system' },
    { method: 'GET', path: '/cost', op: op('get_cost'), tag: 'system' },
    { method: 'GET', path: '/runs', op: op('list_agents'), tag: 'runs' },
    { method: 'POST', path: '/runs', op: op('run_agent'), status: created, tag: 'runs' },
    { method: 'GET', path: '/runs/{id}', op: op('get_agent_status'), params: { id: 'id' }, tag: 'runs' },
    { method: 'GET', path: '/runs/{id}/output', op: op('stream_agent_output'), params: { id: 'id' }, tag: 'runs' },
    { method: 'POST', path: '/runs/{id}/steer', op: op('steer_agent'), params: { id: 'id' }, tag: 'runs' },
    { method: 'POST', path: '/runs/{id}/interrupt', op: op('interrupt_agent'), params: { id: 'id' }, tag: 'runs' },
    { method: 'POST', path: '/runs/{id}/kill', op: op('kill_agent'), params: { id: 'id' }, tag: 'runs' },
    {
      method: 'GET',
      path: '/teams',
      op: op('team_list'),
      tag: 'teams',
      view: {
        schema: teamsView,
        shape: (s) => ({
          teams: (s.teams as ListedTeam[]).map((t) => ({
            version: 1,
            name: t.name,
            task: t.task,
            created_at: t.created_at,
            worker_count: t.worker_count,
            worker_role: t.spec,
            phase: t.status,
            tasks: t.counts,
            state_dir: teamDir(t.name),
            status: t.status,
            spec: t.spec,
            workspace: t.workspace,
            ...(t.ended_at ? { ended_at: t.ended_at } : {}),
            owned: t.owned,
          })),
        }),
      },
    },
    { method: 'POST', path: '/teams', op: op('team_run'), status: created, tag: 'teams' },
    { method: 'GET', path: '/teams/{name}', op: op('team_status'), params: { name: 'name' }, tag: 'teams' },
    { method: 'GET', path: '/teams/{name}/dag', op: op('dag_get'), params: { name: 'team' }, tag: 'teams' },
    { method: 'GET', path: '/teams/{name}/merge-status', op: op('merge_status'), params: { name: 'team' }, tag: 'teams' },
    { method: 'POST', path: '/teams/{name}/shutdown', op: op('team_shutdown'), params: { name: 'name' }, tag: 'teams' },
    { method: 'GET', path: '/goals', op: op('goal_list'), tag: 'goals' },
    { method: 'POST', path: '/goals', op: op('goal_create'), status: created, tag: 'goals' },
    goalGet('', 'goal_show'),
    goalGet('/proof', 'goal_proof'),
    goalGet('/replay', 'goal_replay'),
    goalGet('/budget', 'goal_budget'),
    goalGet('/diagnose', 'goal_diagnose'),
    goalPost('pause', 'goal_pause'),
    goalPost('resume', 'goal_resume'),
    goalPost('cancel', 'goal_cancel'),
    goalPost('extend', 'goal_extend_budget'),
    goalPost('cleanup', 'goal_cleanup'),
    { method: 'GET', path: '/gates', op: op('gates_status'), tag: 'gates' },
    { method: 'POST', path: '/gates/reset', op: op('gates_reset'), tag: 'gates' },
    { method: 'GET', path: '/discoveries', op: op('discovery_list'), tag: 'discoveries' },
    {
      method: 'GET',
      path: '/pools',
      op: op('pools_status'),
      tag: 'pools',
      view: {
        schema: poolsView,
        shape: (s) => ({
          max_workers: s.max_workers,
          running: s.running,
          waiting: s.waiting,
          pools: (s.pools as PoolStatus[]).map((p) => ({
            name: p.name,
            max_workers: p.max_workers,
            max_disk_gb: null,
            active_tasks: p.running.length,
            queued_tasks: p.waiting.length,
            total_admitted: p.admitted,
            total_queued: p.queued,
            total_rejected: p.rejected,
            running: p.running,
            waiting: p.waiting,
          })),
        }),
      },
    },
  ];
}

/** The operation's input fields that are not path parameters (a GET's query, a POST's body). */
export function ownFields(route: Route): z.ZodObject {
  const params = Object.values(route.params ?? {});
  return params.length ? route.op.input.omit(Object.fromEntries(params.map((p) => [p, true])) as Record<string, true> & Record<number, never>) : route.op.input;
}
