/** A run's hard limits: which one its usage has crossed, said for the record (`run --max-usd --max-tokens --timeout`), and the timer of its time limit. */
import { setLongTimeout } from '../longTimeout';
import { formatLimits } from '../render';
import type { RunLimits, RunRecord } from '../runs/types';

const money = (n: number): string => `$${n.toFixed(n < 1 ? 4 : 2)}`;

/** Why the run must stop now (its dollars or tokens are past their limit), or undefined. */
export function crossedLimit(limits: RunLimits | undefined, usage: RunRecord['usage']): string | undefined {
  if (!limits) return undefined;
  const tokens = usage.inputTokens + usage.outputTokens;
  if (limits.maxTokens !== undefined && tokens > limits.maxTokens) return `its token limit: it used ${tokens} tokens, over its ${limits.maxTokens}`;
  if (limits.maxUsd !== undefined && usage.usd !== undefined && usage.usd > limits.maxUsd) {
    return `its cost limit: it spent ${usage.usdSource === 'estimated' ? '~' : ''}${money(usage.usd)}, over its ${money(limits.maxUsd)}`;
  }
  return undefined;
}

export const timeLimitReason = (limits: RunLimits): string => `its time limit of ${formatLimits({ timeoutMs: limits.timeoutMs })}`;

/** How a stop by one of the run's limits (a source `its … limit …`) is said; undefined for a person's or a process's stop. */
export const limitStop = (source: string): string | undefined => (source.startsWith('its ') ? `stopped at ${source}` : undefined);

/**
 * When a run's time limit is up: counted from its start, or from `now` when the recorded start is
 * later (the clock was set back since: counted from it, the limit would come late by as much).
 */
export const timeLimitDue = (timeoutMs: number, startedAt: number | undefined, now = Date.now()): number => Math.min(startedAt ?? now, now) + timeoutMs;

/**
 * The run's time limit, counted from its start (kept by a supervisor that takes the run over): `stop`
 * is called with why when it is up, at once when it is past; nothing once the run has `finished`.
 */
export function armTimeLimit(limits: RunLimits | undefined, startedAt: number | undefined, finished: Promise<void>, stop: (reason: string) => void): void {
  if (!limits?.timeoutMs) return;
  const left = timeLimitDue(limits.timeoutMs, startedAt) - Date.now();
  const timer = setLongTimeout(() => stop(timeLimitReason(limits)), left);
  void finished.then(() => timer.clear());
}
