/**
 * Task lists as JSON, from a file, a planner or a tool call: an array of tasks (or `{ "tasks": [...] }`),
 * each `{ id?, title, description?, depends_on? | dependsOn?, role?, model? }`. What is wrong is named with
 * the task it is in, so a person or a planner can fix it.
 */
import * as fs from 'node:fs';
import { errorMessage, SwitchboardError } from '../errors';
import { checkFile, fileStyle } from '../zodIssues';
import type { TaskSpec } from './task';
import { taskListSchema, toTaskSpec } from './taskSchema';

export { MAX_TASKS } from './taskSchema';

export const TASK_JSON_SHAPE = 'a JSON array of {"id"?, "title", "description"?, "depends_on"?: ["T1", ...], "role"?, "model"?}';

/** Checks the shape of a parsed task list (dependencies and cycles are checked with the graph). */
export function taskSpecsFromJson(value: unknown, where: string): TaskSpec[] {
  const list = Array.isArray(value) ? value : (value as { tasks?: unknown } | null)?.tasks;
  const refuse = (what: string): never => {
    throw new SwitchboardError('invalid_argument', `${where}: ${what}.`, `Give ${TASK_JSON_SHAPE}.`);
  };
  if (!Array.isArray(list)) return refuse('there is no list of tasks');
  const checked = checkFile(taskListSchema, list, fileStyle('the list of tasks', 'task'));
  return checked.ok ? checked.value.map(toTaskSpec) : refuse(checked.problem);
}

/** The tasks in a JSON file (`shownAs` names it in errors: a path relative to the workspace, say). */
export function readTaskFile(file: string, shownAs = file): TaskSpec[] {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwitchboardError('invalid_argument', `${shownAs} cannot be read as JSON (${errorMessage(error)}).`, `Give a file holding ${TASK_JSON_SHAPE}.`);
  }
  return taskSpecsFromJson(value, shownAs);
}
