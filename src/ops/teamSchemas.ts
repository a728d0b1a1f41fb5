/**
 * The shapes of teams, tasks, DAGs and merge scores as the team tools take and return them
 * (snake_case, times as ISO strings; core values are converted with `toShape`).
 */
import { z } from 'zod';
import { TASK_STATUSES, type TaskSpec } from '../core/dag/task';
import { taskSchema, toTaskSpec } from '../core/dag/taskSchema';
import type { TeamStatus } from '../core/teams/teamStore';

const TEAM_STATUSES = ['planning', 'running', 'done', 'failed', 'shutdown', 'interrupted'] as const satisfies readonly TeamStatus[];

export const teamField = z.string().min(1).describe('The team name (team_list shows them)');
export const taskStatusField = z.enum(TASK_STATUSES);
const teamStatusField = z.enum(TEAM_STATUSES).describe('planning and running are active; done, failed, shutdown and interrupted are ended');
const time = z.string().describe('ISO 8601');

/** A task as a tool call gives it (the core's one task shape); unknown fields are refused. */
export const taskInput = taskSchema.strict();

export const taskSpec = (task: z.output<typeof taskInput>): TaskSpec => toTaskSpec(task);

export const taskShape = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string().optional(),
  depends_on: z.array(z.string()),
  status: taskStatusField,
  role: z.string().optional(),
  model: z.string().optional().describe('The model its run asks for'),
  worker: z.string().optional().describe('The worker it went to'),
  run_id: z.string().optional().describe('The run of its latest attempt (get_agent_status, stream_agent_output take it)'),
  attempts: z.number(),
  started_at: time.optional(),
  ended_at: time.optional(),
  result: z.object({ summary: z.string().optional(), changed_files: z.array(z.string()).optional(), commit: z.string().optional() }).optional(),
  reason: z.string().optional().describe('Why it failed, was blocked or cancelled'),
});

const workerShape = z.object({
  name: z.string(),
  role: z.string(),
  runner: z.string(),
  cwd: z.string().describe('Where it works: its worktree, or the shared folder when the workspace is not a git repository'),
  branch: z.string().optional().describe('Its branch, switchboard/<team>/<worker>'),
});

export const teamShape = z.object({
  version: z.literal(1),
  name: z.string(),
  spec: z.string(),
  task: z.string().describe('What the team is for'),
  workspace: z.string(),
  status: teamStatusField,
  workers: z.array(workerShape),
  tasks: z.array(taskShape),
  created_at: time,
  ended_at: time.optional(),
  base: z.string().optional().describe('The branch the worker branches came from and merge into'),
  warning: z.string().optional(),
  reason: z.string().optional().describe('Why the team failed when no task did'),
  plan: z.object({ run_ids: z.array(z.string()), from: z.string().optional(), rejected: z.array(z.string()).optional() }).optional().describe("The planner's runs and rejected plans"),
});

const countsShape = z.partialRecord(taskStatusField, z.number()).describe('Tasks by status (only the statuses some task has)');
const ownedField = z.boolean().describe('False when the team is active but the process that ran it has exited (shut it down)');

export const teamListShape = z.object({
  count: z.number(),
  teams: z.array(teamShape.pick({ name: true, status: true, spec: true, task: true, workspace: true, created_at: true, ended_at: true }).extend({ worker_count: z.number(), counts: countsShape, owned: ownedField })),
});

export const teamStatusShape = teamShape.extend({
  workers: z.array(workerShape.extend({ run: z.object({ id: z.string(), name: z.string(), status: z.string(), task: z.string().optional() }).optional().describe('Its current run, else its last one') })),
  counts: countsShape,
  spend: z.object({ runs: z.number(), usd: z.number(), usd_known: z.boolean().describe('False when some run reported no cost: usd is then a lower bound'), input_tokens: z.number(), output_tokens: z.number() }),
  owned: ownedField,
});

export const dagShape = z.object({
  team: z.string(),
  nodes: z.array(z.object({ id: z.string(), title: z.string(), status: taskStatusField, worker: z.string().optional(), depends_on: z.array(z.string()) })),
  edges: z.array(z.object({ from: z.string(), to: z.string() })).describe('from must be done before to'),
  critical_path: z.object({ ids: z.array(z.string()), duration_ms: z.number() }).describe('The longest chain by measured (else expected) duration'),
  ascii: z.string().describe('The tasks by layer, the critical path marked'),
});

const conflictFields = {
  clean: z.boolean(),
  score: z.number().describe('0 merges cleanly; else the sum over conflicting files of 1 + their conflicting hunks'),
  files: z.array(z.object({ path: z.string(), hunks: z.number(), kinds: z.array(z.string()).describe('contents, modify/delete, …') })),
};

export const mergeStatusShape = z.object({
  team: z.string(),
  base: z.string(),
  pairs: z.array(z.object({ a: z.string(), b: z.string(), ...conflictFields })).describe('Every pair of worker branches'),
  against_base: z.array(z.object({ worker: z.string(), branch: z.string(), ...conflictFields })).describe("Each worker's branch merged into the base"),
});
