/**
 * The evaluator: an agent that reads the goal branch and scores the work on weighted rubric
 * dimensions (correctness, safety, style by default; config `goals.evaluatorRubric`), answering with JSON. Its score is the
 * weighted mean, 0..1; its notes go into the next iteration's fix task when the score is low.
 */
import { DEFAULT_RUBRIC } from '../config';
import { SwitchboardError } from '../errors';
import type { RunGuard } from '../runs/types';
import type { GoalContext } from './goalContext';
import type { GoalRecord, Iteration } from './goalRecord';

export function evaluatorPrompt(goal: GoalRecord, iteration: Iteration, rubric: Readonly<Record<string, number>> = DEFAULT_RUBRIC): string {
  const gates = (iteration.gates ?? []).map((g) => `- ${g.name}: ${g.passed ? 'passed' : 'failed'}`).join('\n') || '- (no gates)';
  return [
    `Review the work done toward this goal, on the current branch (compare it with ${goal.baseCommit.slice(0, 12)}): ${goal.normalizedGoal}`,
    `The checks that ran:\n${gates}`,
    `Score each of ${Object.keys(rubric).join(', ')} from 0 to 1. Do not change any file.`,
    'End your answer with a fenced ```json block: {"scores": {"correctness": 0.9, ...}, "notes": "what to improve"}',
  ].join('\n\n');
}

/** The weighted score of an answer (its last fenced JSON block, or the whole text as JSON). */
export function scoreOf(answer: string, rubric: Readonly<Record<string, number>> = DEFAULT_RUBRIC): { score: number; notes: string } {
  const blocks = [...answer.matchAll(/```(?:json)?\s*\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const text = blocks.at(-1) ?? answer;
  let parsed: { scores?: Record<string, unknown>; notes?: unknown };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw new SwitchboardError('invalid_argument', 'the evaluator did not answer with a JSON block of scores');
  }
  let sum = 0;
  let weights = 0;
  for (const [dimension, weight] of Object.entries(rubric)) {
    const value = Number(parsed.scores?.[dimension]);
    if (!Number.isFinite(value)) throw new SwitchboardError('invalid_argument', `the evaluator gave no score for ${dimension}`);
    sum += Math.min(1, Math.max(0, value)) * weight;
    weights += weight;
  }
  return { score: weights ? sum / weights : 0, notes: typeof parsed.notes === 'string' ? parsed.notes : '' };
}

/** What the goal's loop asks of the evaluator's run: the budget's guard before it starts, and its id while it is at work (so that a stop can end it). */
export interface EvaluatorHooks {
  guard?: RunGuard;
  started?: (runId: string | undefined) => void;
}

export async function evaluate(ctx: GoalContext, goal: GoalRecord, iteration: Iteration, hooks: EvaluatorHooks = {}): Promise<{ score: number; notes: string }> {
  const limits = hooks.guard?.();
  const rubric = ctx.runs.config.goals.evaluatorRubric;
  const run = await ctx.runs.run({
    runner: goal.evaluator ?? 'claude',
    prompt: evaluatorPrompt(goal, iteration, rubric),
    cwd: goal.checkout,
    links: { goal: goal.id, task: `evaluate-${iteration.n}` },
    permissionMode: (goal.evaluator ?? 'claude') === 'claude' ? 'plan' : undefined,
    ...(limits ? { limits } : {}),
  });
  hooks.started?.(run.id);
  let record;
  try {
    ({ record } = await ctx.runs.wait(run.id));
  } finally {
    hooks.started?.(undefined);
  }
  if (record.status !== 'done') throw new SwitchboardError('internal', `the evaluator's run ended ${record.status}${record.lastError ? `: ${record.lastError}` : ''}`);
  return scoreOf(record.resultText ?? ctx.runs.tail(record.id), rubric);
}
