/**
 * A goal's budget report: its limits, what it has used and what is left, the checkpoints recorded
 * along the way (created, each iteration, warnings, exhaustion, extensions, completion), and where
 * the money went: by runner, model, worker and task, saying which figures the CLIs reported and
 * which were estimated from the price table. Every figure comes from the goal's runs.
 */
import type { RunRecord } from '../runs/types';
import { checkpoint, spendOf } from './budget';
import { formatBudgetTime } from './duration';
import type { Checkpoint, GoalRecord } from './goalRecord';

export interface BudgetFigures {
  label: string;
  status: string;
  phase: string;
  recordedAt: number;
  budgetTime?: string;
  totalBudgetSecs?: number;
  elapsedSinceCreatedSecs: number;
  remainingBudgetSecs?: number;
  budgetTokens?: number;
  usedTokens: number;
  remainingBudgetTokens?: number;
  budgetUsd?: number;
  estimatedCostUsd: number;
  remainingBudgetUsd?: number;
}

export interface SpendLine {
  key: string;
  runs: number;
  tokens: number;
  usd: number;
  /** How the dollars were known: all reported by the CLI, all estimated, or some of each. */
  usdSource: 'reported' | 'estimated' | 'mixed' | 'none';
}

export interface BudgetReport {
  goalId: string;
  generatedAt: number;
  now: BudgetFigures;
  checkpoints: BudgetFigures[];
  spent: { usd: number; tokens: number; seconds: number };
  breakdown: { byRunner: SpendLine[]; byModel: SpendLine[]; byWorker: SpendLine[]; byTask: SpendLine[] };
}

const secs = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : Math.round(ms / 1000));
const left = (limit: number | undefined, used: number): number | undefined => (limit === undefined ? undefined : Math.max(0, limit - used));

/** The figures of a checkpoint, each as it was then (the time budget as given then; older checkpoints kept only its milliseconds). */
function figures(c: Checkpoint): BudgetFigures {
  const total = secs(c.budgetTimeMs);
  const elapsed = secs(c.elapsedMs)!;
  const budgetTime = c.budgetTime ?? (c.budgetTimeMs !== undefined ? formatBudgetTime(c.budgetTimeMs) : undefined);
  return {
    label: c.label,
    status: c.status,
    phase: c.phase,
    recordedAt: c.at,
    ...(budgetTime !== undefined ? { budgetTime } : {}),
    ...(total !== undefined ? { totalBudgetSecs: total, remainingBudgetSecs: left(total, elapsed) } : {}),
    elapsedSinceCreatedSecs: elapsed,
    ...(c.budgetTokens !== undefined ? { budgetTokens: c.budgetTokens, remainingBudgetTokens: left(c.budgetTokens, c.usedTokens) } : {}),
    usedTokens: c.usedTokens,
    ...(c.budgetUsd !== undefined ? { budgetUsd: c.budgetUsd, remainingBudgetUsd: left(c.budgetUsd, c.usedUsd) } : {}),
    estimatedCostUsd: c.usedUsd,
  };
}

/** The runs' spend grouped by `keyOf` (a runner, a model, a worker, a task), the most dollars first. */
export function spendLines(runs: readonly RunRecord[], keyOf: (r: RunRecord) => string): SpendLine[] {
  const lines = new Map<string, SpendLine & { reported: number; estimated: number }>();
  for (const run of runs) {
    const key = keyOf(run);
    const line = lines.get(key) ?? { key, runs: 0, tokens: 0, usd: 0, usdSource: 'none' as const, reported: 0, estimated: 0 };
    line.runs++;
    line.tokens += run.usage.inputTokens + run.usage.outputTokens;
    line.usd += run.usage.usd ?? 0;
    if (run.usage.usdSource === 'reported') line.reported++;
    if (run.usage.usdSource === 'estimated') line.estimated++;
    lines.set(key, line);
  }
  return [...lines.values()]
    .map(({ reported, estimated, ...line }) => ({ ...line, usdSource: reported && estimated ? 'mixed' : reported ? 'reported' : estimated ? 'estimated' : 'none' }) as SpendLine)
    .sort((a, b) => b.usd - a.usd || b.tokens - a.tokens);
}

export function budgetReport(goal: GoalRecord, runs: readonly RunRecord[], teamWorkerOf: (run: RunRecord) => string | undefined, now = Date.now()): BudgetReport {
  const spend = spendOf(goal, runs, now);
  return {
    goalId: goal.id,
    generatedAt: now,
    now: figures(checkpoint(goal, spend, 'now', now)),
    checkpoints: goal.checkpoints.map(figures),
    spent: { usd: spend.usd, tokens: spend.tokens, seconds: Math.round(spend.elapsedMs / 1000) },
    breakdown: {
      byRunner: spendLines(runs, (r) => r.runner),
      byModel: spendLines(runs, (r) => r.model ?? `${r.runner} (model not reported)`),
      byWorker: spendLines(runs, (r) => teamWorkerOf(r) ?? (r.links.task?.startsWith('evaluate') ? 'evaluator' : r.links.task === 'plan' ? 'planner' : 'other')),
      byTask: spendLines(runs, (r) => r.links.task ?? 'none'),
    },
  };
}
