/**
 * A run's hard limits: which one its usage has crossed, said for the record (`run --max-usd --max-tokens --timeout`,
 * or what a goal's budget left to its run), and the timer of its time limit.
 */
import { setLongTimeout, type LongTimeout } from '../longTimeout';
import { formatLimits } from '../render';
import type { RunLimits, RunRecord } from '../runs/types';

const GOAL_BUDGET = "the goal's ";
const money = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** The limit's name as a stop says it: the run's own (`its token limit`), or its goal's budget's (`the goal's token budget`). */
const limitName = (limits: RunLimits, kind: 'token' | 'cost' | 'time'): string => (limits.goal ? `${GOAL_BUDGET}${kind} budget` : `its ${kind} limit`);
/** What the limit was: `its 3000` (the run's own), or `the 3000 left to it of goal g's budget`. */
const limitValue = (limits: RunLimits, value: string): string => (limits.goal ? `the ${value} left to it of goal ${limits.goal}'s budget` : `its ${value}`);

/** Why the run must stop now (its dollars or tokens are past their limit), or undefined. */
export function crossedLimit(limits: RunLimits | undefined, usage: RunRecord['usage']): string | undefined {
  if (!limits) return undefined;
  const tokens = usage.inputTokens + usage.outputTokens;
  if (limits.maxTokens !== undefined && tokens > limits.maxTokens) return `${limitName(limits, 'token')}: it used ${tokens} tokens, over ${limitValue(limits, String(limits.maxTokens))}`;
  if (limits.maxUsd !== undefined && usage.usd !== undefined && usage.usd > limits.maxUsd) {
    return `${limitName(limits, 'cost')}: it spent ${usage.usdSource === 'estimated' ? '~' : ''}${money(usage.usd)}, over ${limitValue(limits, money(limits.maxUsd))}`;
  }
  return undefined;
}

export const timeLimitReason = (limits: RunLimits): string =>
  limits.goal ? `${limitName(limits, 'time')}: ${limitValue(limits, formatLimits({ timeoutMs: limits.timeoutMs }))} ran out` : `its time limit of ${formatLimits({ timeoutMs: limits.timeoutMs })}`;

/** How a stop by one of the run's limits (a source `its … limit …`, `the goal's … budget…`) is said; undefined for a person's or a process's stop. */
export const limitStop = (source: string): string | undefined => (source.startsWith('its ') || source.startsWith(GOAL_BUDGET) ? `stopped at ${source}` : undefined);

/** The budget of its goal a run was stopped at (how its end says it, see limitStop), or undefined. */
export function goalBudgetStop(run: Pick<RunRecord, 'status' | 'lastError'>): 'tokens' | 'usd' | 'time' | undefined {
  const kind = run.status === 'killed' ? /^stopped at the goal's (token|cost|time) budget/.exec(run.lastError ?? '')?.[1] : undefined;
  return kind === 'token' ? 'tokens' : kind === 'cost' ? 'usd' : kind === 'time' ? 'time' : undefined;
}

/**
 * When a run's time limit is up (undefined when it has none): `timeoutMs` counted from its start, or
 * from `now` when the recorded start is later (the clock was set back since: counted from it, the
 * limit would come late by as much), and no later than `endsAt`.
 */
export function timeLimitDue(limits: RunLimits | undefined, startedAt: number | undefined, now = Date.now()): number | undefined {
  const counted = limits?.timeoutMs ? Math.min(startedAt ?? now, now) + limits.timeoutMs : undefined;
  return limits?.endsAt !== undefined ? Math.min(limits.endsAt, counted ?? Infinity) : counted;
}

/**
 * The run's time limit, counted from its start (kept by a supervisor that takes the run over): `stop`
 * is called with why when it is up, at once when it is past; nothing once the run has `finished`.
 * The timer is given back, to be cleared when the limits change.
 */
export function armTimeLimit(limits: RunLimits | undefined, startedAt: number | undefined, finished: Promise<void>, stop: (reason: string) => void): LongTimeout | undefined {
  const due = timeLimitDue(limits, startedAt);
  if (!limits || due === undefined) return undefined;
  const timer = setLongTimeout(() => stop(timeLimitReason(limits)), due - Date.now());
  void finished.then(() => timer.clear());
  return timer;
}
