/**
 * A verification gate: a command (`npm test`, a linter, ...) whose exit says whether the work is
 * good, run as a real process, never through a shell. A command given as a string is split into
 * words like a shell would split it (quotes, backslashes), but no shell runs it.
 */
import { SwitchboardError } from '../errors';
import { splitCommandLine } from '../runners/commandTemplate';

export const DEFAULT_GATE_TIMEOUT_MS = 10 * 60_000;

export interface GateSpec {
  /** Names the gate (and its circuit breaker in a workspace): `npm test`, `clippy`. */
  name: string;
  /** A command line (`npm run lint -- --max-warnings 0`) or its words. */
  command: string | readonly string[];
  /** Whether the work is not good unless it passes (default true). */
  required?: boolean;
  /** Killed, with everything it started, after this long (default 10 minutes). */
  timeoutMs?: number;
}

export interface GateResult {
  name: string;
  passed: boolean;
  /** The last ~4 KB of its stdout, secrets redacted. */
  stdout: string;
  /** The last ~4 KB of its stderr, secrets redacted; what went wrong when it could not run. */
  stderr: string;
  durationMs: number;
  required: boolean;
  /** Its words, secrets redacted. */
  commandLine: string[];
  /** Null when it did not exit by itself (killed, timed out, never started, not run). */
  exitCode: number | null;
  timedOut: boolean;
  /** The file holding its whole output; empty when nothing ran (its breaker was open). */
  log: string;
}

/** A gate result as the feed carries it (`gate.passed`, `gate.failed`). */
/** A gate's result as the feed tells it: whose workspace, and the goal that ran it (when one did). */
export type GateEntity = GateResult & { workspace: string; links?: GateLinks };

/** Who ran the gates, carried on their feed events (a goal's replay tells its own from another's in the same workspace). */
export interface GateLinks {
  goal?: string;
}

/** The words of a gate's command; throws naming the gate when there are none or a quote is left open. */
export function gateArgv(spec: Pick<GateSpec, 'name' | 'command'>): string[] {
  let argv: string[];
  try {
    argv = typeof spec.command === 'string' ? splitCommandLine(spec.command) : [...spec.command];
  } catch {
    // The splitter's one complaint: a quote left open.
    throw new SwitchboardError('invalid_argument', `The command of gate "${spec.name}" has an unclosed quote: ${String(spec.command)}`, 'Close the quote, or escape it with a backslash.');
  }
  if (argv.length === 0 || !argv[0]) {
    throw new SwitchboardError('invalid_argument', `Gate "${spec.name}" has no command.`, 'Give a command such as "npm test".');
  }
  return argv;
}

/**
 * Checks gates before anything runs them: each has a command, and no two share a name, since the name
 * keys its circuit breaker and is how results, flags and proofs tell one gate from another.
 */
export function checkGates(specs: readonly GateSpec[]): void {
  const names = new Set<string>();
  for (const spec of specs) {
    gateArgv(spec);
    if (names.has(spec.name)) throw new SwitchboardError('invalid_argument', `Two gates are named "${spec.name}".`, 'Give each gate a name of its own: the name keys its circuit breaker and its results.');
    names.add(spec.name);
  }
}

/** Parses `name=command` (the CLI's `--gate`): the name is everything before the first `=`. */
export function parseGateOption(text: string): GateSpec {
  const at = text.indexOf('=');
  const name = at < 0 ? '' : text.slice(0, at).trim();
  if (!name) throw new SwitchboardError('invalid_argument', `--gate "${text}" names no gate.`, 'Write it as name=command, e.g. --gate "unit=npm test".');
  const spec = { name, command: text.slice(at + 1) };
  gateArgv(spec);
  return spec;
}
