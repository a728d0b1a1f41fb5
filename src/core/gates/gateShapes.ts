/**
 * Gates and breakers as programs see them (the CLI's `--format json`, MCP tools): snake_case,
 * times as ISO strings, exactly these fields; and the conversions from the core's values.
 */
import { z } from 'zod';
import type { DetectedGate } from './detectGates';
import type { GateResult } from './gate';
import { BREAKER_STATES, type BreakerView } from './breakerState';

export const gateResultShape = z.object({
  name: z.string(),
  passed: z.boolean(),
  stdout: z.string().describe('The last ~4 KB of its stdout, secrets redacted'),
  stderr: z.string().describe('The last ~4 KB of its stderr, secrets redacted; why it failed when it could not run or its breaker is open'),
  duration_ms: z.number(),
  required: z.boolean(),
  command_line: z.array(z.string()),
  exit_code: z.number().nullable().describe('Null when it did not exit by itself (timed out, killed, never started, not run)'),
  timed_out: z.boolean(),
  log: z.string().describe('The file holding its whole output (empty when it was not run)'),
});
export type GateResultShape = z.output<typeof gateResultShape>;

export const toGateResultShape = (r: GateResult): GateResultShape =>
  gateResultShape.parse({
    name: r.name,
    passed: r.passed,
    stdout: r.stdout,
    stderr: r.stderr,
    duration_ms: r.durationMs,
    required: r.required,
    command_line: r.commandLine,
    exit_code: r.exitCode,
    timed_out: r.timedOut,
    log: r.log,
  });

export const breakerShape = z.object({
  gate_name: z.string(),
  state: z.enum(BREAKER_STATES),
  failure_count: z.number().describe('Failures in a row'),
  last_failure_at: z.string().nullable(),
  recovery_timeout_secs: z.number(),
  half_open_calls_remaining: z.number(),
});
export type BreakerShape = z.output<typeof breakerShape>;

export const toBreakerShape = (b: BreakerView): BreakerShape =>
  breakerShape.parse({
    gate_name: b.gateName,
    state: b.state,
    failure_count: b.failureCount,
    last_failure_at: b.lastFailureAt === undefined ? null : new Date(b.lastFailureAt).toISOString(),
    recovery_timeout_secs: b.recoveryTimeoutSecs,
    half_open_calls_remaining: b.halfOpenCallsRemaining,
  });

/** `gates status`: exactly `{"breakers":[…]}`. */
export const breakersStatusShape = z.object({ breakers: z.array(breakerShape) });
export const toBreakersStatus = (views: readonly BreakerView[]): z.output<typeof breakersStatusShape> => ({ breakers: views.map(toBreakerShape) });

export const detectedGateShape = z.object({
  name: z.string(),
  command: z.string(),
  required: z.boolean(),
  reason: z.string().describe('What in the workspace made it a gate'),
});

export const toDetectedGateShape = (g: DetectedGate): z.output<typeof detectedGateShape> => detectedGateShape.parse(g);

/** `gates reset`: which breakers were reset (those that were not Closed), and every breaker after it. */
export const resetShape = z.object({ reset: z.array(z.string()).describe('The gates whose breaker was reset to Closed'), breakers: z.array(breakerShape) });
