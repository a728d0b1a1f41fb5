/**
 * The planner step of `team run` without explicit tasks: a planner agent turns the team's task into
 * a task list, written as JSON to a known file or printed in a fenced ```json block. The plan is
 * read and checked here (shape, ids, dependencies, cycles, roles the team has); the reason a plan
 * is rejected goes back to the planner for its one retry.
 */
import * as fs from 'node:fs';
import { tasksFromSpecs } from '../dag/graph';
import type { TaskSpec } from '../dag/task';
import { TASK_JSON_SHAPE, taskSpecsFromJson } from '../dag/taskJson';
import { SwitchboardError } from '../errors';

/** The id the planner's run carries in `links.task`. */
export const PLAN_TASK = 'plan';
/** Runs a planner gets: the first plan and one retry. */
export const PLAN_ATTEMPTS = 2;

export interface PlanRequest {
  goal: string;
  /** Where the planner may write the plan. */
  planFile: string;
  /** The roles of the team's workers that take tasks. */
  roles: readonly string[];
  /** Why the previous plan was rejected, for the retry. */
  rejected?: string;
}

export function plannerPrompt(preamble: string, request: PlanRequest): string {
  const roles = request.roles.length > 1 ? ` Give a task a "role" (${request.roles.join(', ')}) when only a worker of that role should take it.` : '';
  return [
    preamble,
    `Team goal: ${request.goal}`,
    `Write the plan as ${TASK_JSON_SHAPE} to ${request.planFile}, or end your answer with it in a fenced \`\`\`json block. ` +
      `Ids are short (T1, T2, ...); "depends_on" lists the ids that must be done first; no cycles.${roles}`,
    request.rejected ? `Your previous plan was rejected: ${request.rejected} Give a corrected plan.` : '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

const FENCE = /```([\w-]*)[^\S\n]*\n([\s\S]*?)\n[^\S\n]*```/g;

/** The plan's JSON text: the file when the planner wrote it since `since`, else the last json block of the answer, else the answer. */
export function findPlanText(answer: string | undefined, planFile: string, since: number): { text: string; from: string } | undefined {
  try {
    const stat = fs.statSync(planFile);
    if (stat.mtimeMs >= since - 1000) return { text: fs.readFileSync(planFile, 'utf8'), from: planFile };
  } catch {
    // not written: look in the answer
  }
  if (!answer?.trim()) return undefined;
  const blocks = [...answer.matchAll(FENCE)];
  const json = blocks.filter((b) => b[1] === 'json' || b[1] === '');
  const last = json.at(-1);
  if (last) return { text: last[2]!, from: 'the fenced block of its answer' };
  const trimmed = answer.trim();
  return trimmed.startsWith('[') || trimmed.startsWith('{') ? { text: trimmed, from: 'its answer' } : undefined;
}

/** The tasks of a plan, or a SwitchboardError saying what is wrong with it. */
export function readPlan(answer: string | undefined, request: Pick<PlanRequest, 'planFile' | 'roles'>, since: number): TaskSpec[] {
  const found = findPlanText(answer, request.planFile, since);
  if (!found) throw new SwitchboardError('invalid_argument', `No plan was found: nothing was written to ${request.planFile} and the answer has no fenced \`\`\`json block.`);
  let value: unknown;
  try {
    value = JSON.parse(found.text);
  } catch (error) {
    throw new SwitchboardError('invalid_argument', `The plan in ${found.from} is not valid JSON (${(error as Error).message}).`);
  }
  const specs = taskSpecsFromJson(value, `The plan in ${found.from}`);
  tasksFromSpecs(specs); // ids, dependencies and cycles, named
  const unknownRole = specs.find((s) => s.role !== undefined && !request.roles.includes(s.role));
  if (unknownRole) throw new SwitchboardError('invalid_argument', `Task "${unknownRole.title}" is for role ${unknownRole.role}, which no worker of the team has (${request.roles.join(', ')}).`);
  return specs;
}
