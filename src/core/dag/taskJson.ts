/**
 * Task lists as JSON, from a file, a planner or a tool call: an array of tasks (or `{ "tasks": [...] }`),
 * each `{ id?, title, description?, depends_on? | dependsOn?, role? }`. What is wrong is named with
 * the task it is in, so a person or a planner can fix it.
 */
import * as fs from 'node:fs';
import { errorMessage, SwitchboardError } from '../errors';
import type { TaskSpec } from './task';

export const TASK_JSON_SHAPE = 'a JSON array of {"id"?, "title", "description"?, "depends_on"?: ["T1", ...], "role"?}';
/** More tasks than this in one list is taken for a mistake. */
export const MAX_TASKS = 500;

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** Checks the shape of a parsed task list (dependencies and cycles are checked with the graph). */
export function taskSpecsFromJson(value: unknown, where: string): TaskSpec[] {
  const list = Array.isArray(value) ? value : (value as { tasks?: unknown } | null)?.tasks;
  const refuse = (what: string): never => {
    throw new SwitchboardError('invalid_argument', `${where}: ${what}.`, `Give ${TASK_JSON_SHAPE}.`);
  };
  if (!Array.isArray(list)) return refuse('there is no list of tasks');
  if (list.length === 0) return refuse('the list of tasks is empty');
  if (list.length > MAX_TASKS) return refuse(`${list.length} tasks is more than the ${MAX_TASKS} a team takes`);
  return list.map((item: unknown, index) => {
    const at = `task ${index + 1}`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return refuse(`${at} is not an object`);
    const t = item as Record<string, unknown>;
    if (typeof t.title !== 'string' || !t.title.trim()) return refuse(`${at} has no "title"`);
    if (t.id !== undefined && typeof t.id !== 'string') return refuse(`${at}: "id" must be a string`);
    if (t.description !== undefined && typeof t.description !== 'string') return refuse(`${at}: "description" must be a string`);
    if (t.role !== undefined && typeof t.role !== 'string') return refuse(`${at}: "role" must be a string`);
    const deps = t.depends_on ?? t.dependsOn;
    if (deps !== undefined && !isStringArray(deps)) return refuse(`${at}: "depends_on" must be an array of task ids`);
    const spec: TaskSpec = { title: t.title };
    if (t.id !== undefined) spec.id = t.id as string;
    if (t.description !== undefined) spec.description = t.description as string;
    if (deps !== undefined) spec.dependsOn = deps as string[];
    if (t.role !== undefined) spec.role = t.role as string;
    return spec;
  });
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
