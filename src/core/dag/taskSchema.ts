/**
 * The one shape of a task as people, planners and tools write it (snake_case `depends_on`), used by
 * task files (`*.tasks.json`, a planner's plan) and by the MCP tools team_run and task_create.
 */
import { z } from 'zod';
import { MODEL_PATTERN, MODEL_RULE } from '../runners/models';
import type { TaskSpec } from './task';

/** More tasks than this in one list is taken for a mistake. */
export const MAX_TASKS = 500;

const notAnObject = (issue: { code: string }) => (issue.code === 'invalid_type' ? 'is not an object' : undefined);

const dependsOn = z.array(z.string().min(1)).max(MAX_TASKS);

/** A task; `depends_on` names tasks of the same list (or team). Unknown fields are left out. */
export const taskSchema = z.object(
  {
    id: z.string().min(1).optional().describe('Its id (default: the next free T<n>); other tasks name it in depends_on'),
    title: z.string().trim().min(1, 'must say what to do').describe('What to do, in one line'),
    description: z.string().optional().describe('More detail for the worker'),
    depends_on: dependsOn.optional().describe('Ids of the tasks that must be done first'),
    role: z.string().min(1).optional().describe('Only a worker of this role takes it (default: any worker but a planner)'),
    model: z.string().regex(MODEL_PATTERN, `must be ${MODEL_RULE}`).optional().describe("The model its agent is asked to use (default: the worker's runner's configured model)"),
  },
  { error: notAnObject },
);

/** A task in a file: also takes `dependsOn`, as the core spells it. */
export const taskEntrySchema = taskSchema.extend({
  dependsOn: dependsOn.optional().describe('The same as depends_on'),
});

/** The tasks of a file or a plan, in order. */
export const taskListSchema = z
  .array(taskEntrySchema)
  .min(1, 'is empty')
  .max(MAX_TASKS, { error: (issue) => `has ${(issue.input as unknown[]).length} tasks, more than the ${MAX_TASKS} a team takes` })
  .describe('The tasks, in any order: a task runs once every task it depends on is done');

/** A task file: the list itself, or `{ "tasks": [...] }` (which may name this schema in `$schema`). */
export const taskFileSchema = z
  .union([
    taskListSchema,
    z.object({
      $schema: z.string().optional().describe('This JSON Schema, for editors'),
      tasks: taskListSchema,
    }),
  ])
  .describe('Switchboard team tasks: an array of tasks, or { "tasks": [...] }. Give it with `switchboard team run --tasks FILE`.');

export type TaskEntry = z.output<typeof taskEntrySchema>;

/** The core's task from a checked one (`depends_on` or `dependsOn`; fields left out stay out). */
export function toTaskSpec({ depends_on, dependsOn, ...task }: TaskEntry): TaskSpec {
  const deps = depends_on ?? dependsOn;
  return { ...task, ...(deps ? { dependsOn: deps } : {}) };
}
