/**
 * The circuit breaker of one gate, as pure functions of its record and the time: `Closed` lets the
 * gate run; `failureThreshold` failures in a row open it, and an `Open` breaker fails the gate at
 * once without running it; `recoveryTimeoutSecs` after it opened it is `HalfOpen` and lets
 * `halfOpenCalls` trial runs through at a time: a pass closes it, a failure opens it again. A pass
 * always closes it; a person can reset it to `Closed`.
 */

export const BREAKER_STATES = ['Closed', 'Open', 'HalfOpen'] as const;
export type BreakerState = (typeof BREAKER_STATES)[number];

export interface BreakerPolicy {
  failureThreshold: number;
  recoveryTimeoutSecs: number;
  halfOpenCalls: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, recoveryTimeoutSecs: 60, halfOpenCalls: 3 };

/** A trial run let through while half-open: the process running it, so that one that died gives its place back. */
export interface Trial {
  id: string;
  pid: number;
  startToken: string;
}

export interface BreakerRecord extends BreakerPolicy {
  state: BreakerState;
  /** Failures in a row (a pass sets it back to 0). */
  failureCount: number;
  /** Epoch milliseconds. */
  lastFailureAt?: number;
  openedAt?: number;
  /** The trial runs under way (half-open only). */
  trials: Trial[];
}

/** A breaker as it is shown (`gates status`, the feed). */
export interface BreakerView {
  gateName: string;
  state: BreakerState;
  failureCount: number;
  lastFailureAt?: number;
  recoveryTimeoutSecs: number;
  halfOpenCallsRemaining: number;
}

/** A breaker as the feed carries it (`breaker.opened`, `breaker.reset`: then with the state it had). */
export type BreakerEntity = BreakerView & { workspace: string; previous?: BreakerState; links?: { goal?: string } };

export type Admission = { allowed: true; record: BreakerRecord; trial: boolean } | { allowed: false; record: BreakerRecord; reason: string };

export const closedBreaker = (policy: BreakerPolicy): BreakerRecord => ({ ...policy, state: 'Closed', failureCount: 0, trials: [] });

const iso = (ms: number | undefined): string => (ms === undefined ? 'never' : new Date(ms).toISOString());

/** The record as it is at `now`: an open breaker whose recovery time has passed is half-open. */
export function currentBreaker(record: BreakerRecord, now: number): BreakerRecord {
  if (record.state === 'Open' && now >= (record.openedAt ?? 0) + record.recoveryTimeoutSecs * 1000) return { ...record, state: 'HalfOpen', trials: [] };
  return record;
}

/** Whether the gate may run now; half-open, a run taken is one of the trial runs (`trial` then names it). */
export function admitRun(record: BreakerRecord, now: number, trial: Trial): Admission {
  const r = currentBreaker(record, now);
  if (r.state === 'Closed') return { allowed: true, record: r, trial: false };
  if (r.state === 'Open') {
    const retry = (r.openedAt ?? now) + r.recoveryTimeoutSecs * 1000;
    return { allowed: false, record: r, reason: `breaker open: ${r.failureCount} failure(s) in a row, the last at ${iso(r.lastFailureAt)}; not run. A trial run is let through from ${iso(retry)}, or reset it (switchboard gates reset, or the gates_reset tool).` };
  }
  if (r.trials.length >= r.halfOpenCalls) {
    return { allowed: false, record: r, reason: `breaker half-open: its ${r.halfOpenCalls} trial run(s) are under way; not run.` };
  }
  return { allowed: true, record: { ...r, trials: [...r.trials, trial] }, trial: true };
}

/** A run's verdict: a pass closes the breaker, a failure counts and may open it. */
export function recordRun(record: BreakerRecord, now: number, passed: boolean, trialId?: string): BreakerRecord {
  const r = currentBreaker(record, now);
  if (passed) return { ...r, state: 'Closed', failureCount: 0, openedAt: undefined, trials: [] };
  const failed = { ...r, failureCount: r.failureCount + 1, lastFailureAt: now, trials: r.trials.filter((t) => t.id !== trialId) };
  if (r.state === 'HalfOpen' || (r.state === 'Closed' && failed.failureCount >= r.failureThreshold)) return { ...failed, state: 'Open', openedAt: now, trials: [] };
  return failed;
}

/** A trial run that ended without a verdict (cancelled): its place is given back. */
export const releaseTrial = (record: BreakerRecord, trialId: string): BreakerRecord => ({ ...record, trials: record.trials.filter((t) => t.id !== trialId) });

/** Back to `Closed` (the last failure's time is kept: it still happened). */
export const resetBreaker = (record: BreakerRecord): BreakerRecord => ({ ...record, state: 'Closed', failureCount: 0, openedAt: undefined, trials: [] });

export function breakerView(gateName: string, record: BreakerRecord, now: number): BreakerView {
  const r = currentBreaker(record, now);
  const remaining = r.state === 'Closed' ? r.halfOpenCalls : r.state === 'Open' ? 0 : Math.max(0, r.halfOpenCalls - r.trials.length);
  return { gateName, state: r.state, failureCount: r.failureCount, lastFailureAt: r.lastFailureAt, recoveryTimeoutSecs: r.recoveryTimeoutSecs, halfOpenCallsRemaining: remaining };
}
