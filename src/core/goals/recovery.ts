/**
 * A recovery plan for a stagnant goal, from its diagnosis: what to do (roll back to the checkpoint
 * before the circle began, split the task that keeps failing into finding the cause and fixing it,
 * switch the workers to another installed agent CLI, add a reviewer whose findings the fixes start
 * from, run the failing task on another model of its CLI, or ask a person), how risky that is, and what the next iteration is likely to cost. The
 * changes to the goal's spec and task graph that carry it out are here too; goalRecover applies them.
 */
import type { Task } from '../dag/task';
import type { PriceTable } from '../pricing';
import { RUNNERS } from '../runners/runnerTable';
import type { GoalRecord, IterationMetrics } from './goalRecord';
import { nextTaskIds } from './goalTasks';
import type { Diagnosis, RecoveryActionKind } from './stagnation';

export interface RecoveryAction {
  kind: RecoveryActionKind;
  description: string;
  /** What it acts on: a checkpoint (`cp-2`), a task (`T4`), a runner (`codex`), a task and its new model (`T4:gpt-5`); null for none. */
  target: string | null;
}

export interface RecoveryPlan {
  goalId: string;
  diagnosis: Diagnosis;
  riskLevel: 'low' | 'medium' | 'high';
  estimatedCostUsd: number;
  estimatedTokens: number;
  actions: RecoveryAction[];
}

/** Roles that do not write the code: the runner switch leaves them, a reviewer is one. */
const NOT_WRITERS = new Set(['planner', 'reviewer']);

const SPEC_PART = /^(\d+):([a-z][\w-]*)(?::([a-z][\w-]*))?$/i;

/** The runner the goal's writers use (the first one named, else the role default). */
export function writerRunner(spec: string, defaultRunner: string): string {
  for (const part of spec.split(',')) {
    const [, , role, runner] = SPEC_PART.exec(part.trim()) ?? [];
    if (role && !NOT_WRITERS.has(role)) return runner ?? defaultRunner;
  }
  return defaultRunner;
}

/** The spec with every writer on `runner`. */
export function specWithRunner(spec: string, runner: string): string {
  return spec
    .split(',')
    .map((part) => {
      const [, count, role] = SPEC_PART.exec(part.trim()) ?? [];
      return role && !NOT_WRITERS.has(role) ? `${count}:${role}:${runner}` : part.trim();
    })
    .join(',');
}

/** The spec with a reviewer: added while under max_agents, else one writer of several becomes one; undefined when neither can be. */
export function specWithReviewer(spec: string, maxAgents: number): string | undefined {
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.some((p) => SPEC_PART.exec(p)?.[2] === 'reviewer')) return spec;
  const workers = parts.reduce((n, p) => {
    const [, count, role] = SPEC_PART.exec(p) ?? [];
    return n + (role && role !== 'planner' ? Number(count) : 0);
  }, 0);
  if (workers < maxAgents) return [...parts, '1:reviewer'].join(',');
  const at = parts.findIndex((p) => {
    const [, count, role] = SPEC_PART.exec(p) ?? [];
    return role && !NOT_WRITERS.has(role) && Number(count) > 1;
  });
  if (at < 0) return undefined;
  const [, count, role, runner] = SPEC_PART.exec(parts[at]!)!;
  parts[at] = `${Number(count) - 1}:${role}${runner ? `:${runner}` : ''}`;
  return [...parts, '1:reviewer'].join(',');
}

/** The current iteration's tasks not done yet. */
function pendingTasks(goal: GoalRecord): Task[] {
  const current = goal.iterations.at(-1)!;
  return goal.tasks.filter((t) => current.tasks.includes(t.id) && t.status !== 'done');
}

/** The task that works on gate `gate` in the current iteration (the fix task made from its failure). */
function fixTaskOf(goal: GoalRecord, gate: string): Task | undefined {
  return pendingTasks(goal).find((t) => t.title.includes(`"${gate}"`));
}

/**
 * Another model for work that keeps failing the same way: of the models the price table knows in the
 * family of the one the writers used (`gpt-5-mini` → `gpt-5`), the one priced highest (the likeliest
 * to be more able); undefined when the table knows no other.
 */
export function otherModel(used: string | undefined, prices: PriceTable): string | undefined {
  if (!used) return undefined;
  const models = Object.keys(prices).filter((name) => !name.includes(':') && name.split('-')[0] === used.split('-')[0]);
  // The entry the used model is priced by (the longest name it starts with) is the same model.
  const same = models.filter((name) => used.startsWith(name)).sort((a, b) => b.length - a.length)[0];
  return models.filter((name) => name !== same).sort((a, b) => prices[b]!.outputPerMTok - prices[a]!.outputPerMTok)[0];
}

/** `T4:gpt-5` as the task and the model. */
export function modelSwitchOf(target: string): { task: string; model: string } | undefined {
  const at = target.indexOf(':');
  return at > 0 && at < target.length - 1 ? { task: target.slice(0, at), model: target.slice(at + 1) } : undefined;
}

const average = (values: number[]): number => (values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0);

export function recoveryPlan(goal: GoalRecord, diagnosis: Diagnosis, options: { installed: readonly string[]; defaultRunner: string; remainingUsd?: number; remainingTokens?: number; usedModel?: string; prices?: PriceTable }): RecoveryPlan {
  const plan: RecoveryPlan = { goalId: goal.id, diagnosis, riskLevel: 'low', estimatedCostUsd: 0, estimatedTokens: 0, actions: [] };
  const primary = diagnosis.primary;
  if (!diagnosis.stagnant || !primary) return plan;
  const actions: RecoveryAction[] = [];
  const current = writerRunner(goal.spec, options.defaultRunner);
  const other = options.installed.find((r) => r !== current && r !== 'custom');
  const switchRunner = (): void => {
    if (other) actions.push({ kind: 'switch_runner', description: `Give the work to ${RUNNERS.find((r) => r.id === other)?.displayName ?? other} instead of ${current}: another agent may see what this one does not`, target: other });
  };
  const reviewer = (why: string): void => {
    if (specWithReviewer(goal.spec, goal.maxAgents)) actions.push({ kind: 'add_reviewer', description: `Add a reviewer who finds out ${why} before the fixes start; the fixes are given its findings`, target: null });
  };
  if (primary.kind === 'CircularFix') {
    const point = [...(goal.recoveryPoints ?? [])].reverse().find((p) => p.iteration === primary.sinceIteration);
    if (point) actions.push({ kind: 'rollback', description: `Roll the goal branch back to ${point.id}, as iteration ${point.iteration} started, before the back and forth (the work after it stays under a ref)`, target: point.id });
    reviewer('which of the competing changes is right');
  } else if (primary.kind === 'RepeatedFailure') {
    const gate = primary.gate ?? '';
    const task = fixTaskOf(goal, gate);
    if (task) actions.push({ kind: 'split_task', description: `Split ${task.id} in two: first find the cause of the "${gate}" failure (no changes), then fix it from those findings`, target: task.id });
    // A model of the writers' family; not with a runner switch, which would run the task on another CLI with this model.
    const model = task && options.prices && !other ? otherModel(options.usedModel, options.prices) : undefined;
    if (task && model) actions.push({ kind: 'switch_model', description: `Run ${task.id} on ${model} instead of ${options.usedModel}: a different model may not repeat the same mistake`, target: `${task.id}:${model}` });
    switchRunner();
  } else if (primary.kind === 'NoProgress') {
    reviewer('why the gates still fail');
    switchRunner();
  }
  if (primary.kind === 'BudgetBurn' || actions.length === 0) {
    actions.push({ kind: 'ask_human', description: `Pause the goal and ask a person: ${primary.evidence}`, target: null });
  }
  plan.actions = actions;
  // What the next iteration is likely to cost: the window's average, more with an extra agent.
  const window = goal.iterations.filter((i) => diagnosis.window.includes(i.n) && i.metrics).map((i) => i.metrics as IterationMetrics);
  const extra = actions.some((a) => a.kind === 'add_reviewer' || a.kind === 'split_task') ? 1.5 : 1;
  const asks = actions.every((a) => a.kind === 'ask_human');
  plan.estimatedCostUsd = asks ? 0 : Number((average(window.map((m) => m.spentUsd)) * extra).toFixed(4));
  plan.estimatedTokens = asks ? 0 : Math.round(average(window.map((m) => m.spentTokens)) * extra);
  const rollback = actions.find((a) => a.kind === 'rollback');
  const undoes = rollback ? goal.iterations.filter((i) => i.n >= primary.sinceIteration && i.metrics).length : 0;
  plan.riskLevel = undoes > 1 ? 'high' : rollback || actions.some((a) => a.kind === 'switch_runner' || a.kind === 'switch_model') ? 'medium' : 'low';
  const over = (options.remainingUsd !== undefined && plan.estimatedCostUsd > options.remainingUsd) || (options.remainingTokens !== undefined && plan.estimatedTokens > options.remainingTokens);
  if (over) plan.riskLevel = 'high';
  return plan;
}

/** A reviewer's task before the current iteration's pending ones, which then start from its findings. */
export function addReviewTask(goal: GoalRecord, evidence: string): Task {
  const [id] = nextTaskIds(goal.tasks, 1);
  const pending = pendingTasks(goal);
  const failing = (goal.iterations.filter((i) => i.gates).at(-1)?.gates ?? []).filter((g) => !g.passed).map((g) => `- "${g.name}": \`${g.commandLine.join(' ')}\``);
  const review: Task = {
    id: id!,
    title: 'Review why the work does not get the goal done',
    description: [
      `The goal: ${goal.normalizedGoal}`,
      `Switchboard found it stuck: ${evidence}.`,
      failing.length ? `These checks fail on the goal branch:\n${failing.join('\n')}` : '',
      `Read the code and the recent commits, run the checks, and report precisely what is wrong and what the next change should be (file, line, why). The tasks ${pending.map((t) => t.id).join(', ') || 'after yours'} start from your report.`,
    ].filter(Boolean).join('\n\n'),
    dependsOn: [],
    status: 'pending',
    role: 'reviewer',
    attempts: 0,
  };
  for (const task of pending) task.dependsOn = [...new Set([...task.dependsOn, review.id])];
  goal.tasks.push(review);
  goal.iterations.at(-1)!.tasks.push(review.id);
  return review;
}

/** Splits `taskId` (the fix for gate `gate`) into finding the cause (a new task, no changes) and the fix, which then starts from the findings. */
export function splitTask(goal: GoalRecord, taskId: string, gate: string, evidence: string, reviewerRole: boolean): Task {
  const task = goal.tasks.find((t) => t.id === taskId);
  if (!task) throw new Error(`no task ${taskId}`);
  const [id] = nextTaskIds(goal.tasks, 1);
  const cause: Task = {
    id: id!,
    title: `Find out why the "${gate}" check keeps failing`,
    description: [
      `The goal: ${goal.normalizedGoal}`,
      `Switchboard found it stuck: ${evidence}.`,
      `Do not change any file. Find the cause: run the check, read its output and the code, and report what is wrong and the change that fixes it (file, line, why). Task ${task.id} makes the fix from your report.`,
      task.description ? `What ${task.id} was told:\n${task.description}` : '',
    ].filter(Boolean).join('\n\n'),
    dependsOn: [...task.dependsOn],
    status: 'pending',
    ...(reviewerRole ? { role: 'reviewer' } : {}),
    attempts: 0,
  };
  task.dependsOn = [...new Set([...task.dependsOn, cause.id])];
  goal.tasks.push(cause);
  goal.iterations.at(-1)!.tasks.push(cause.id);
  return cause;
}
