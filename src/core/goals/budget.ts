/**
 * A goal's budget: what its runs spent (tokens as reported, dollars as reported or estimated from
 * the price table, labelled so), the wall time since it was created less the time it was paused,
 * and how each compares with its limit: a warning past `warnAt` (80%), exhausted at 100%.
 */
import type { RunRecord } from '../runs/types';
import type { Checkpoint, GoalRecord } from './goalRecord';

export type BudgetDimension = 'time' | 'tokens' | 'usd';

export interface Spend {
  tokens: number;
  usd: number;
  /** Some of the dollars are estimates from the price table (a CLI that reports no cost). */
  usdEstimated: boolean;
  /** Runs that spent tokens with no dollar figure at all (no price known): usd is a lower bound. */
  unpriced: number;
  elapsedMs: number;
  runs: number;
}

export interface BudgetState {
  spend: Spend;
  /** Each limited dimension's used fraction (1 = the whole budget). */
  used: Partial<Record<BudgetDimension, number>>;
  /** Dimensions past the warning threshold, and those at or past their limit. */
  warnings: BudgetDimension[];
  exhausted: BudgetDimension[];
}

export const WARN_AT = 0.8;

/** What the goal's runs spent, and its elapsed time (paused time left out). */
export function spendOf(goal: GoalRecord, runs: readonly RunRecord[], now = Date.now()): Spend {
  const spend: Spend = { tokens: 0, usd: 0, usdEstimated: false, unpriced: 0, elapsedMs: elapsedOf(goal, now), runs: runs.length };
  for (const run of runs) {
    const tokens = run.usage.inputTokens + run.usage.outputTokens;
    spend.tokens += tokens;
    if (run.usage.usd !== undefined) {
      spend.usd += run.usage.usd;
      spend.usdEstimated ||= run.usage.usdSource === 'estimated';
    } else if (tokens > 0) spend.unpriced++;
  }
  return spend;
}

export function elapsedOf(goal: Pick<GoalRecord, 'createdAt' | 'pausedMs' | 'pausedAt' | 'completedAt'>, now = Date.now()): number {
  const end = goal.completedAt ?? goal.pausedAt ?? now;
  return Math.max(0, end - goal.createdAt - goal.pausedMs);
}

export function budgetState(goal: GoalRecord, spend: Spend, warnAt = WARN_AT): BudgetState {
  const used: BudgetState['used'] = {};
  if (goal.budgetTimeMs) used.time = spend.elapsedMs / goal.budgetTimeMs;
  if (goal.budgetTokens) used.tokens = spend.tokens / goal.budgetTokens;
  if (goal.budgetUsd) used.usd = spend.usd / goal.budgetUsd;
  const dims = Object.entries(used) as [BudgetDimension, number][];
  return {
    spend,
    used,
    warnings: dims.filter(([, f]) => f >= warnAt && f < 1).map(([d]) => d),
    exhausted: dims.filter(([, f]) => f >= 1).map(([d]) => d),
  };
}

/** How long until the time budget runs out (undefined: no time budget). */
export function timeLeftMs(goal: GoalRecord, now = Date.now()): number | undefined {
  return goal.budgetTimeMs === undefined ? undefined : goal.budgetTimeMs - elapsedOf(goal, now);
}

export function checkpoint(goal: GoalRecord, spend: Spend, label: string, now = Date.now()): Checkpoint {
  return {
    label,
    at: now,
    status: goal.status,
    phase: goal.phase,
    elapsedMs: spend.elapsedMs,
    usedTokens: spend.tokens,
    usedUsd: spend.usd,
    usdEstimated: spend.usdEstimated,
    ...(goal.budgetTime !== undefined ? { budgetTime: goal.budgetTime } : {}),
    ...(goal.budgetTimeMs !== undefined ? { budgetTimeMs: goal.budgetTimeMs } : {}),
    ...(goal.budgetTokens !== undefined ? { budgetTokens: goal.budgetTokens } : {}),
    ...(goal.budgetUsd !== undefined ? { budgetUsd: goal.budgetUsd } : {}),
  };
}

/** `$2.50/$10 · 125k/500k tok · 20m/8h`, the figures a row shows. */
export function budgetLine(goal: GoalRecord, spend: Spend, fmt: { usd(n: number): string; tokens(n: number): string; time(ms: number): string }): string {
  const parts = [
    goal.budgetUsd !== undefined ? `${spend.usdEstimated ? '~' : ''}${fmt.usd(spend.usd)}/${fmt.usd(goal.budgetUsd)}` : spend.usd ? `${spend.usdEstimated ? '~' : ''}${fmt.usd(spend.usd)}` : undefined,
    goal.budgetTokens !== undefined ? `${fmt.tokens(spend.tokens)}/${fmt.tokens(goal.budgetTokens)} tok` : spend.tokens ? `${fmt.tokens(spend.tokens)} tok` : undefined,
    goal.budgetTimeMs !== undefined ? `${fmt.time(spend.elapsedMs)}/${goal.budgetTime}` : fmt.time(spend.elapsedMs),
  ];
  return parts.filter(Boolean).join(' · ');
}
