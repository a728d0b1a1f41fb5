/**
 * The runs a team's workers do: how one is started (the worker's runner and backend in its folder,
 * its role's permission mode when the worker uses that role's runner, the teams pool, links to the
 * team, the task and the goal), what a task's prompt says (its role's preamble, the team's goal, the
 * task, what the tasks before it reported), and how a run that ended is summed up.
 */
import type { Task } from '../dag/task';
import { DISCOVERY_NOTE } from '../discoveries/discoveryFence';
import type { RunOptions } from '../registry/launch';
import type { RunRegistry } from '../registry/registry';
import type { RunRecord } from '../runs/types';
import type { Role } from './roles';
import type { TeamRecord, TeamWorker } from './teamStore';

export const TEAMS_POOL = 'teams';
/** How much of each earlier task's report a task's prompt carries. */
const FINDINGS_CHARS = 4000;
const SUMMARY_BYTES = 2000;
/** The last whole lines of an output's tail (its first line may be cut), or undefined when it is empty. */
const outputEnd = (tail: string): string | undefined => (tail.length >= SUMMARY_BYTES ? tail.slice(tail.indexOf('\n') + 1) : tail).trim() || undefined;
const clipEnd = (text: string): string => (text.length > FINDINGS_CHARS ? `${text.slice(0, FINDINGS_CHARS)}…` : text);

/** The run `worker` does for `task` (a task id, or the plan's). */
export function workerRun(record: TeamRecord, role: Role, worker: TeamWorker, prompt: string, task: string, model?: string): RunOptions {
  // A role's permission mode is its runner's word: it applies only when the worker uses that runner.
  const permissionMode = worker.runner === role.runner ? role.permissionMode : undefined;
  const links = { team: record.name, task, ...(record.goal ? { goal: record.goal } : {}) };
  return { runner: worker.runner, prompt, cwd: worker.cwd, links, pool: TEAMS_POOL, ...(worker.backend ? { backend: worker.backend } : {}), ...(permissionMode ? { permissionMode } : {}), ...(model ? { model } : {}) };
}

/** What the agent doing `task` is told. */
export function taskPrompt(record: TeamRecord, role: Role, task: Task): string {
  return [role.preamble, DISCOVERY_NOTE, `Team goal: ${record.task}`, `Your task (${task.id}): ${task.title}`, task.description ?? '', findingsBefore(record, task)].filter(Boolean).join('\n\n');
}

/** What the tasks this one waited for reported (a reviewer's findings, an investigation), for the agent to start from. */
function findingsBefore(record: TeamRecord, task: Task): string {
  const reports = task.dependsOn
    .map((id) => record.tasks.find((t) => t.id === id))
    .filter((t): t is Task => !!t?.result?.summary?.trim())
    .map((t) => `${t.id} (${t.title}) reported:\n${clipEnd(t.result!.summary!.trim())}`);
  return reports.length ? `What the tasks before yours found:\n\n${reports.join('\n\n')}` : '';
}

/** What a run that ended says of itself: its error, its result, else (done) the end of what it printed. */
export function runSummary(registry: RunRegistry, run: RunRecord): string | undefined {
  // An agent that reports no result (a plain command) is summed up by the end of what it printed.
  return run.lastError ?? run.resultText ?? (run.status === 'done' ? outputEnd(registry.tail(run.id, SUMMARY_BYTES, { redacted: true })) : undefined);
}
