/** Gates and breakers as text for people (the CLI's tables, as text or Markdown). */
import { markdownTable, table } from '../render';
import type { BreakerView } from './breakerState';
import type { DetectedGate } from './detectGates';
import type { GateResult } from './gate';

/** A duration for people: `850 ms`, `12.5 s`. */
export const duration = (ms: number): string => (ms < 1000 ? `${ms} ms` : `${Math.round(ms / 100) / 10} s`);

export function renderBreakers(views: readonly BreakerView[], workspace: string, md = false): string {
  if (views.length === 0) return `No breakers yet for ${workspace}: a gate gets one when it first runs (switchboard gates run).`;
  const rows = views.map((b) => [b.gateName, b.state, String(b.failureCount), b.lastFailureAt === undefined ? '-' : new Date(b.lastFailureAt).toISOString(), `${b.recoveryTimeoutSecs} s`, String(b.halfOpenCallsRemaining)]);
  if (md) return `# Gate breakers of ${workspace}\n\n${markdownTable(['gate', 'state', 'failures', 'last failure', 'recovery', 'trials left'], rows)}`;
  return table(['GATE', 'STATE', 'FAILURES', 'LAST FAILURE', 'RECOVERY', 'TRIALS LEFT'], rows);
}

export function renderDetected(gates: readonly DetectedGate[], workspace: string, md = false): string {
  if (gates.length === 0) return `No gates found in ${workspace}: no package.json scripts (test, typecheck, lint, build), Cargo.toml, pytest, go.mod or Makefile test target.`;
  const rows = gates.map((g) => [g.name, g.required ? 'yes' : 'no', g.reason]);
  return md ? markdownTable(['gate', 'required', 'found in'], rows) : table(['GATE', 'REQUIRED', 'FOUND IN'], rows);
}

/** How a gate run ended, in a few words. */
export function gateOutcome(r: GateResult): string {
  if (r.passed) return `passed in ${duration(r.durationMs)}`;
  if (r.timedOut) return `timed out after ${duration(r.durationMs)}`;
  if (r.exitCode !== null) return `failed with exit code ${r.exitCode} after ${duration(r.durationMs)}`;
  return 'failed';
}

/** One gate's result: a line, then (when it failed) the end of what it printed and where its log is. */
export function renderGateResult(r: GateResult, lines = 12): string {
  const head = `${r.passed ? 'PASS' : 'FAIL'}  ${r.name}${r.required ? '' : ' (optional)'}: ${gateOutcome(r)}`;
  if (r.passed) return head;
  const printed = [r.stdout, r.stderr].map((s) => s.replace(/^\s*\n/, '').trimEnd()).filter(Boolean).join('\n').split('\n').slice(-lines);
  return [head, ...printed.map((l) => (l.trim() ? `    ${l}` : '')), ...(r.log ? [`    log: ${r.log}`] : [])].join('\n');
}

/** The last line: how many passed, and whether every required gate did. */
export function gatesVerdict(results: readonly GateResult[]): { ok: boolean; text: string } {
  const failedRequired = results.filter((r) => r.required && !r.passed).map((r) => r.name);
  const passed = results.filter((r) => r.passed).length;
  const text = `${passed} of ${results.length} gate(s) passed; ${failedRequired.length ? `required gate(s) failed: ${failedRequired.join(', ')}` : 'every required gate passed'}`;
  return { ok: failedRequired.length === 0, text };
}
