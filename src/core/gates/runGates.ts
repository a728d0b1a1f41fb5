/**
 * Runs a workspace's gates in order, each through its circuit breaker: an open breaker fails the
 * gate at once (nothing runs); otherwise the gate runs and its verdict is recorded in the breaker.
 * Each result goes to the feed (`gate.passed`, `gate.failed`) when one is given.
 */
import * as path from 'node:path';
import type { Feed } from '../feed/feed';
import { gateKey } from '../feed/feedEvent';
import { redactArgs, secretsFromEnv } from '../redact';
import type { BreakerPolicy } from './breakerState';
import { Breakers } from './breakers';
import { gateArgv, type GateEntity, type GateLinks, type GateResult, type GateSpec } from './gate';
import { gateLogName, pruneLogs } from './gateOutput';
import { runGate } from './runGate';

export interface RunGatesOptions {
  stateDir: string;
  /** Whose breakers these are (by its real path). */
  workspace: string;
  /** Where the commands run (default: the workspace). */
  cwd?: string;
  /** Where each run's log goes (default: the workspace's gate logs in the state folder, of which the newest 100 are kept). */
  logDir?: string;
  feed?: Feed;
  /** Who runs them (a goal), carried on their feed events and the breakers'. */
  links?: GateLinks;
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the running gate; the gates after it are not run (and not returned). */
  signal?: AbortSignal;
  policy?: Partial<BreakerPolicy>;
  clock?: () => number;
  /** Hears each result as soon as it is there. */
  onResult?: (result: GateResult) => void;
  /** Hears what a person should know (a corrupt breakers file set aside). */
  warn?: (message: string) => void;
}

const KEPT_LOGS = 100;

/** A gate its breaker did not let run: failed at once, saying why. */
function notRun(spec: GateSpec, reason: string, env: NodeJS.ProcessEnv): GateResult {
  let words: string[];
  try {
    words = gateArgv(spec);
  } catch {
    words = typeof spec.command === 'string' ? [spec.command] : [...spec.command];
  }
  return { name: spec.name, passed: false, stdout: '', stderr: `switchboard: ${reason}\n`, durationMs: 0, required: spec.required ?? true, commandLine: redactArgs(words, secretsFromEnv(env)), exitCode: null, timedOut: false, log: '' };
}

export async function runGates(specs: readonly GateSpec[], options: RunGatesOptions): Promise<GateResult[]> {
  const breakers = new Breakers(options.stateDir, options.workspace, { policy: options.policy, clock: options.clock, feed: options.feed, links: options.links });
  const logDir = options.logDir ?? breakers.paths.logs;
  const env = options.env ?? process.env;
  const results: GateResult[] = [];
  for (const spec of specs) {
    if (options.signal?.aborted) break;
    const admission = await breakers.admit(spec.name);
    const result = admission.allowed
      ? await runGate(spec, { cwd: options.cwd ?? options.workspace, logFile: path.join(logDir, gateLogName(spec.name)), env, signal: options.signal })
      : notRun(spec, admission.reason, env);
    const entity: GateEntity = { ...result, workspace: options.workspace, ...(options.links ? { links: options.links } : {}) };
    options.feed?.append({ type: result.passed ? 'gate.passed' : 'gate.failed', key: gateKey(breakers.paths.key, spec.name), entity });
    // A cancelled run says nothing about the work: it is no verdict.
    if (admission.allowed && options.signal?.aborted) {
      if (admission.trialId) await breakers.release(spec.name, admission.trialId);
    } else if (admission.allowed) await breakers.record(spec.name, result.passed, admission.trialId);
    for (const warning of breakers.warnings.splice(0)) options.warn?.(warning);
    results.push(result);
    options.onResult?.(result);
  }
  if (!options.logDir) pruneLogs(logDir, KEPT_LOGS);
  return results;
}
