/**
 * The goal's task graph over its iterations: what each iteration's team is given, the fix tasks a
 * failed verification turns into (the gate's command, exit and output tails; the evaluator's notes,
 * or why it gave no score; work that could not be merged; tasks that failed, tried again), and the team's
 * results taken back into the graph.
 */
import type { Task, TaskSpec } from '../dag/task';
import type { GateResult } from '../gates/gate';
import type { GoalRecord, Iteration } from './goalRecord';

const TAIL_LINES = 40;

const tail = (text: string): string => text.trimEnd().split('\n').slice(-TAIL_LINES).join('\n');

/** The next free task id of the goal's graph (`T<n>`). */
export function nextTaskIds(tasks: readonly Task[], count: number): string[] {
  const used = tasks.map((t) => Number(/^T(\d+)$/.exec(t.id)?.[1] ?? 0));
  const start = Math.max(0, ...used) + 1;
  return Array.from({ length: count }, (_, i) => `T${start + i}`);
}

/** The tasks that make a failed iteration right, for the next one (empty when nothing failed that a task can fix). */
export function fixTasks(goal: GoalRecord, iteration: Iteration): TaskSpec[] {
  const specs: Omit<TaskSpec, 'id'>[] = [];
  for (const gate of iteration.gates ?? []) {
    if (gate.passed || !gate.required) continue;
    specs.push({
      title: `Make the "${gate.name}" check pass`,
      description: [
        `The goal: ${goal.normalizedGoal}`,
        `After the last iteration the check \`${gate.commandLine.join(' ')}\` ${gate.timedOut ? 'timed out' : `failed (exit code ${gate.exitCode ?? 'none'})`}. Fix the work (not the check) so that it passes.`,
        gate.stdout.trim() ? `Its output ended with:\n${tail(gate.stdout)}` : '',
        gate.stderr.trim() ? `Its errors ended with:\n${tail(gate.stderr)}` : '',
        gate.log ? `Its whole output is in ${gate.log}.` : '',
      ].filter(Boolean).join('\n\n'),
    });
  }
  if (goal.quality !== undefined && iteration.score !== undefined && iteration.score < goal.quality) {
    specs.push({ title: 'Raise the quality of the work to the bar', description: `The goal: ${goal.normalizedGoal}\n\nA review scored the work ${iteration.score.toFixed(2)}, below ${goal.quality}. Its notes:\n${iteration.notes ?? '(none)'}` });
  }
  if (goal.quality !== undefined && iteration.reviewProblem) {
    specs.push({ title: 'Leave the work ready for review', description: `The goal: ${goal.normalizedGoal}\n\nThe review of the last iteration failed: ${iteration.reviewProblem}.\n\nCheck the work toward the goal on the goal branch, finish what is missing, and leave it complete and consistent so that the next review can score it.` });
  }
  for (const problem of iteration.problems ?? []) {
    specs.push({ title: 'Bring work that could not be merged onto the goal branch', description: `The goal: ${goal.normalizedGoal}\n\n${problem}\n\nRedo that work on top of the goal branch as it is now.` });
  }
  // Tasks that failed (or waited on one that did) are tried again, each after the others it waited on.
  const undone = unfinishedTasks(goal, iteration);
  const ids = nextTaskIds(goal.tasks, specs.length + undone.length);
  const redoneAs = new Map(undone.map((t, i) => [t.id, ids[specs.length + i]!]));
  const redo: TaskSpec[] = undone.map((t) => ({
    id: redoneAs.get(t.id),
    title: t.title,
    description: [t.description, `An earlier attempt (${t.id}) ${t.status === 'failed' ? 'failed' : 'was blocked'}${t.reason ? `: ${t.reason}` : ''}. Do it again, from the goal branch as it is now.`].filter(Boolean).join('\n\n'),
    ...(t.role ? { role: t.role } : {}),
    ...(t.model ? { model: t.model } : {}),
    dependsOn: t.dependsOn.flatMap((d) => (redoneAs.has(d) ? [redoneAs.get(d)!] : [])),
  }));
  return [...specs.map((spec, i) => ({ ...spec, id: ids[i] })), ...redo];
}

/** The tasks of the current iteration not done yet, as specs for a team (dependencies on done work dropped: it is on the goal branch). */
export function remainingSpecs(goal: GoalRecord, iteration: Iteration): TaskSpec[] {
  const mine = goal.tasks.filter((t) => iteration.tasks.includes(t.id));
  const left = new Set(mine.filter((t) => t.status !== 'done').map((t) => t.id));
  return mine
    .filter((t) => left.has(t.id))
    .map((t) => ({ id: t.id, title: t.title, ...(t.description ? { description: t.description } : {}), ...(t.role ? { role: t.role } : {}), ...(t.model ? { model: t.model } : {}), dependsOn: t.dependsOn.filter((d) => left.has(d)) }));
}

/** The team's tasks taken into the goal's graph (added, or brought up to date by id). */
export function takeTeamTasks(goal: GoalRecord, iteration: Iteration, teamTasks: readonly Task[]): void {
  for (const task of teamTasks) {
    const at = goal.tasks.findIndex((t) => t.id === task.id);
    const copy = { ...task };
    if (at < 0) goal.tasks.push(copy);
    else goal.tasks[at] = copy;
    if (!iteration.tasks.includes(task.id)) iteration.tasks.push(task.id);
  }
}

/** The tasks of the iteration that did not get done: failed, or blocked behind one that failed. */
export function unfinishedTasks(goal: GoalRecord, iteration: Iteration): Task[] {
  return goal.tasks.filter((t) => iteration.tasks.includes(t.id) && (t.status === 'failed' || t.status === 'blocked'));
}

/** Counts of the graph, as the proof and the status show them. */
export function graphSummary(tasks: readonly Task[]): { total: number; pending: number; blocked: number; done: number } {
  return {
    total: tasks.length,
    pending: tasks.filter((t) => t.status === 'pending' || t.status === 'ready' || t.status === 'running').length,
    blocked: tasks.filter((t) => t.status === 'blocked' || t.status === 'failed').length,
    done: tasks.filter((t) => t.status === 'done').length,
  };
}

/** Whether the results let the goal be called done: every required gate passed (when gates are required). */
export function gatesHold(goal: GoalRecord, results: readonly GateResult[] | undefined): boolean {
  if (!goal.terminalCriteria.gatesRequired) return true;
  if (!results) return goal.gates.length === 0;
  return results.filter((g) => g.required).every((g) => g.passed);
}
