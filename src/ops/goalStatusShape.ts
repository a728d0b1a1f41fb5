/**
 * `goal status --format json`: the goal (its record's shape), what it spent against each budget,
 * whether a process runs it, and its iterations with their gate results, score and notes, all
 * snake_case, times as ISO strings, null where nothing is known.
 */
import { z } from 'zod';
import { gateResultShape, toGateResultShape } from '../core/gates/gateShapes';
import type { GoalStatusView } from '../core/goals/goalService';
import { goalShape, toGoalShape } from './goalShapes';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const fraction = z.number().nullable().describe('The part of the budget used (1 = all of it); null without that budget');

export const goalStatusShape = z.object({
  goal: goalShape,
  spend: z.object({
    usd: z.number(),
    usd_estimated: z.boolean().describe('Some of the dollars are estimates from the price table'),
    unpriced_runs: z.number().describe('Runs that spent tokens with no price known: usd is a lower bound'),
    tokens: z.number(),
    elapsed_secs: z.number().describe('Wall time since it was created, less the time it was paused'),
    runs: z.number(),
  }),
  used: z.object({ time: fraction, tokens: fraction, usd: fraction }),
  owned: z.boolean().describe('False when it is at work but the process that ran it has exited'),
  iterations: z.array(
    z.object({
      n: z.number(),
      team: z.string().nullable(),
      started_at: z.string(),
      ended_at: z.string().nullable(),
      tasks: z.array(z.string()),
      passed: z.boolean().nullable().describe('Null until it is verified'),
      gates: z.array(gateResultShape),
      score: z.number().nullable(),
      notes: z.string().nullable(),
      problems: z.array(z.string()).describe('What kept work from reaching the goal branch'),
      review_problem: z.string().nullable().describe('Why the evaluator gave no usable score'),
      spent_usd: z.number().nullable().describe('What the goal spent during it, once it is verified'),
      spent_tokens: z.number().nullable(),
    }),
  ),
});
export type GoalStatusShape = z.output<typeof goalStatusShape>;

export function toGoalStatusShape(view: GoalStatusView, stateDir: string): GoalStatusShape {
  const { spend, used } = view.budget;
  return goalStatusShape.parse({
    goal: toGoalShape(view.goal, stateDir),
    spend: { usd: spend.usd, usd_estimated: spend.usdEstimated, unpriced_runs: spend.unpriced, tokens: spend.tokens, elapsed_secs: Math.round(spend.elapsedMs / 1000), runs: spend.runs },
    used: { time: used.time ?? null, tokens: used.tokens ?? null, usd: used.usd ?? null },
    owned: view.owned,
    iterations: view.goal.iterations.map((i) => ({
      n: i.n,
      team: i.team ?? null,
      started_at: iso(i.startedAt),
      ended_at: iso(i.endedAt),
      tasks: i.tasks,
      passed: i.passed ?? null,
      gates: (i.gates ?? []).map(toGateResultShape),
      score: i.score ?? null,
      notes: i.notes ?? null,
      problems: i.problems ?? [],
      review_problem: i.reviewProblem ?? null,
      spent_usd: i.metrics?.spentUsd ?? null,
      spent_tokens: i.metrics?.spentTokens ?? null,
    })),
  });
}
