/**
 * Ctrl-C (SIGINT), SIGTERM (`kill`, a CI job cancelled or timed out) and SIGHUP (its terminal closed)
 * while a command works in the foreground on something it started: a run, gates, a comparison. Each
 * stops that thing. Without this, the signal would end only this process, and what it started would
 * go on unwatched (an agent spending, a gate's test suite running on). `nohup` does not change that
 * (Node gives SIGHUP back its default as it starts): what is to outlive the terminal is `--detach`ed.
 */
import { constants } from 'node:os';

const STOPS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface StopSignals {
  /** The first signal that came, if any. */
  readonly signal: NodeJS.Signals | undefined;
  /** The shell's exit code for it (130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP); undefined when none came. */
  exitCode(): number | undefined;
  /** How a record says who stopped it: `cli (Ctrl-C)`, `cli (SIGTERM)`, `cli (its terminal closed)`. */
  source(): string;
  dispose(): void;
}

/** Calls `stop` on the first SIGINT, SIGTERM or SIGHUP that comes before it is disposed; later ones change nothing. */
export function onStopSignals(stop: (signal: NodeJS.Signals) => void): StopSignals {
  let first: NodeJS.Signals | undefined;
  const on = (signal: NodeJS.Signals): void => {
    if (first) return;
    first = signal;
    stop(signal);
  };
  for (const s of STOPS) process.on(s, on);
  return {
    get signal() {
      return first;
    },
    exitCode: () => (first ? 128 + constants.signals[first] : undefined),
    source: () => (first === 'SIGTERM' ? 'cli (SIGTERM)' : first === 'SIGHUP' ? 'cli (its terminal closed)' : 'cli (Ctrl-C)'),
    dispose: () => {
      for (const s of STOPS) process.off(s, on);
    },
  };
}
