/**
 * Whether a goal is going in circles, read from its measured iterations (iterationMetrics.ts) over
 * a window of the last three:
 * - CircularFix: a file changed, put back the way it was, and changed again (undone, redone);
 * - RepeatedFailure: the same required gate failing the same way (same fingerprint) three iterations in a row;
 * - NoProgress: over the whole window, no more gates passing and no better score than at its start;
 * - BudgetBurn: money or tokens spent in the window while nothing improved.
 * The strongest finding is the primary one; the recommended action follows from it.
 */
import type { GoalRecord, Iteration, IterationMetrics } from './goalRecord';

export const WINDOW_SIZE = 3;
/** Iterations measured before anything is called stagnant. */
export const WARMUP_ITERATIONS = 2;
/** A finding at least this sure makes the goal stagnant. */
export const STAGNANT_AT = 0.6;

export type StagnationKind = 'CircularFix' | 'RepeatedFailure' | 'NoProgress' | 'BudgetBurn';
export type RecoveryActionKind = 'rollback' | 'switch_runner' | 'switch_model' | 'split_task' | 'add_reviewer' | 'ask_human';

export interface Finding {
  kind: StagnationKind;
  confidence: number;
  /** What was seen, for a person. */
  evidence: string;
  /** The iteration where it began (a rollback goes back to before it). */
  sinceIteration: number;
  metrics: string[];
  /** The gate that keeps failing (RepeatedFailure). */
  gate?: string;
}

export interface Diagnosis {
  goalId: string;
  stagnant: boolean;
  confidence: number;
  primary: Finding | null;
  secondary: Finding[];
  affectedMetrics: string[];
  recommendedAction: RecoveryActionKind | 'none';
  windowSize: number;
  warmupIterations: number;
  evaluatedAt: number;
  /** The iterations the window held. */
  window: number[];
}

type Measured = Iteration & { metrics: IterationMetrics };

const RECOMMENDED: Record<StagnationKind, RecoveryActionKind> = {
  CircularFix: 'rollback',
  RepeatedFailure: 'split_task',
  NoProgress: 'add_reviewer',
  BudgetBurn: 'ask_human',
};

/**
 * Files whose content went back to an earlier state across the window's iterations: once is an
 * undo (maybe a fair one); back again after that (undone and redone) is going in circles.
 */
function circularFix(window: readonly Measured[]): Finding | undefined {
  const circling: string[] = [];
  const undone: string[] = [];
  let since = Infinity;
  const files = new Set(window.flatMap((i) => Object.keys(i.metrics.fileStates)));
  for (const file of files) {
    // The file's states in order: as the first iteration that touched it found it, then after each that changed it.
    const states: { blob: string; n: number }[] = [];
    for (const iteration of window) {
      const change = iteration.metrics.fileStates[file];
      if (!change) continue;
      if (states.length === 0 || states.at(-1)!.blob !== change[0]) states.push({ blob: change[0], n: iteration.n });
      states.push({ blob: change[1], n: iteration.n });
    }
    // A return: a state seen before, with another in between.
    const returns = states.filter((s, i) => states.slice(0, Math.max(0, i - 1)).some((earlier) => earlier.blob === s.blob)).length;
    if (returns === 0) continue;
    (returns > 1 ? circling : undone).push(file);
    if (returns > 1) since = Math.min(since, states[0]!.n);
  }
  const list = (files: string[]): string => files.slice(0, 3).join(', ') + (files.length > 3 ? ` and ${files.length - 3} more` : '');
  const span = `iterations ${window[0]!.n}–${window.at(-1)!.n}`;
  if (circling.length) {
    return {
      kind: 'CircularFix',
      confidence: 0.95,
      evidence: `${list(circling)} changed, undone and changed again over ${span}: the agents go back and forth`,
      sinceIteration: since,
      metrics: ['changed_files', 'diff_size'],
    };
  }
  if (undone.length) {
    return { kind: 'CircularFix', confidence: 0.5, evidence: `${list(undone)} went back to what an earlier iteration had (${span}): an undo, not yet a circle`, sinceIteration: window[0]!.n, metrics: ['changed_files'] };
  }
  return undefined;
}

/** The same required gate failing the same way in the last iterations, in a row. */
function repeatedFailure(window: readonly Measured[]): Finding | undefined {
  const last = window.at(-1)!;
  let best: { fingerprint: string; run: number } | undefined;
  for (const fingerprint of last.metrics.failures) {
    let run = 0;
    for (let i = window.length - 1; i >= 0 && window[i]!.metrics.failures.includes(fingerprint); i--) run++;
    if (!best || run > best.run) best = { fingerprint, run };
  }
  if (!best || best.run < 2) return undefined;
  const gate = best.fingerprint.split('#')[0];
  const since = window[window.length - best.run]!.n;
  return {
    kind: 'RepeatedFailure',
    confidence: best.run >= 3 ? 0.9 : 0.5,
    evidence: `gate "${gate}" failed the same way in ${best.run} iterations in a row (${since}–${last.n}; fingerprint ${best.fingerprint})`,
    sinceIteration: since,
    metrics: ['gates_passing', 'failure_fingerprints'],
    ...(gate ? { gate } : {}),
  };
}

/** Nothing better at the end of the window than at its start: gates passing, score. */
function improved(window: readonly Measured[]): boolean {
  const first = window[0]!.metrics;
  const rest = window.slice(1).map((i) => i.metrics);
  const gates = rest.some((m) => m.gatesPassed > first.gatesPassed);
  const score = first.score !== undefined && rest.some((m) => m.score !== undefined && m.score > first.score!);
  return gates || score;
}

function noProgress(window: readonly Measured[]): Finding | undefined {
  if (window.length < WINDOW_SIZE || improved(window)) return undefined;
  return {
    kind: 'NoProgress',
    confidence: 0.7,
    evidence: `over iterations ${window[0]!.n}–${window.at(-1)!.n} no more gates passed (${window.map((i) => i.metrics.gatesPassed).join(' → ')})${window[0]!.metrics.score !== undefined ? ` and the score did not rise (${window.map((i) => i.metrics.score?.toFixed(2) ?? '–').join(' → ')})` : ''}`,
    sinceIteration: window[0]!.n,
    metrics: ['gates_passing', 'proof_score'],
  };
}

function budgetBurn(goal: GoalRecord, window: readonly Measured[]): Finding | undefined {
  if (window.length < WARMUP_ITERATIONS || improved(window)) return undefined;
  const usd = window.reduce((sum, i) => sum + i.metrics.spentUsd, 0);
  const tokens = window.reduce((sum, i) => sum + i.metrics.spentTokens, 0);
  if (usd <= 0 && tokens <= 0) return undefined;
  const share = Math.max(goal.budgetUsd ? usd / goal.budgetUsd : 0, goal.budgetTokens ? tokens / goal.budgetTokens : 0);
  const spent = window.map((i) => i.metrics.spentUsd || i.metrics.spentTokens);
  const rising = spent.every((s, i) => i === 0 || s >= spent[i - 1]!);
  if (share < 0.3 && !(rising && window.length >= WINDOW_SIZE)) return undefined;
  return {
    kind: 'BudgetBurn',
    confidence: share >= 0.5 ? 0.85 : 0.65,
    evidence: `iterations ${window[0]!.n}–${window.at(-1)!.n} spent $${usd.toFixed(2)} and ${tokens} tokens${share > 0 ? ` (${Math.round(share * 100)}% of the budget)` : ''} with nothing improving`,
    sinceIteration: window[0]!.n,
    metrics: ['spend_usd', 'spend_tokens', 'gates_passing'],
  };
}

export function diagnose(goal: GoalRecord, now = Date.now()): Diagnosis {
  const measured = goal.iterations.filter((i): i is Measured => !!i.metrics);
  const window = measured.slice(-WINDOW_SIZE);
  const base = { goalId: goal.id, windowSize: WINDOW_SIZE, warmupIterations: WARMUP_ITERATIONS, evaluatedAt: now, window: window.map((i) => i.n) };
  const calm: Diagnosis = { ...base, stagnant: false, confidence: 0, primary: null, secondary: [], affectedMetrics: [], recommendedAction: 'none' };
  // Too early to tell, or the last iteration passed: nothing to recover from.
  if (measured.length < WARMUP_ITERATIONS || window.at(-1)!.passed) return calm;
  const findings = [circularFix(window), repeatedFailure(window), noProgress(window), budgetBurn(goal, window)]
    .filter((f): f is Finding => !!f)
    .sort((a, b) => b.confidence - a.confidence);
  if (findings.length === 0) return calm;
  const [primary, ...secondary] = findings as [Finding, ...Finding[]];
  const stagnant = primary.confidence >= STAGNANT_AT;
  return {
    ...base,
    stagnant,
    confidence: primary.confidence,
    primary,
    secondary,
    affectedMetrics: [...new Set(findings.flatMap((f) => f.metrics))],
    recommendedAction: stagnant ? RECOMMENDED[primary.kind] : 'none',
  };
}
