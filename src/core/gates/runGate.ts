/**
 * Runs one gate: its command with execa (never through a shell) in its own session and process
 * group, stdout and stderr into its log file, the end of each kept for the result. On timeout or
 * abort the whole tree is killed (graceful first); when it exits, whatever it left running in its
 * group is ended too, so a gate never leaves processes behind. It never throws for the command:
 * one that cannot be read or started is a failed gate saying why in its stderr.
 */
import * as fs from 'node:fs';
import { setLongTimeout } from '../longTimeout';
import { redactArgs, secretsFromEnv } from '../redact';
import { killTree, treeMembers } from '../proc/killTree';
import { startTokenOf } from '../proc/processTable';
import type { ProcessIdentity } from '../runs/types';
import { DEFAULT_GATE_TIMEOUT_MS, gateArgv, type GateResult, type GateSpec } from './gate';
import { GateLog, Tail } from './gateOutput';
import { duration } from './gateText';

export interface RunGateOptions {
  cwd: string;
  /** Gets the whole output (made owner-only, its folder too). */
  logFile: string;
  /** The gate's whole environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Aborting kills the gate's processes; the gate fails. */
  signal?: AbortSignal;
  /** How long its processes get after SIGTERM before SIGKILL (default 2 s). */
  killGraceMs?: number;
}

/** How long the pipes may stay open after the gate exited (held by a process outside its group). */
const DRAIN_MS = 2000;

export async function runGate(spec: GateSpec, options: RunGateOptions): Promise<GateResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const secrets = secretsFromEnv(env);
  const log = new GateLog(options.logFile);
  const out = new Tail();
  const err = new Tail();
  const note = (text: string): void => {
    const line = Buffer.from(`switchboard: ${text}\n`);
    log.write(line);
    err.push(line);
  };
  const finish = (commandLine: string[], exitCode: number | null, timedOut: boolean, failed = false): GateResult => {
    log.close();
    return {
      name: spec.name,
      passed: !failed && !timedOut && exitCode === 0,
      stdout: out.text(secrets),
      stderr: err.text(secrets),
      durationMs: Date.now() - started,
      required: spec.required ?? true,
      commandLine: redactArgs(commandLine, secrets),
      exitCode,
      timedOut,
      log: options.logFile,
    };
  };

  let argv: string[];
  try {
    argv = gateArgv(spec);
  } catch (error) {
    note((error as Error).message);
    return finish(typeof spec.command === 'string' ? [spec.command] : [...spec.command], null, false, true);
  }
  if (!fs.existsSync(options.cwd)) return note(`cannot run ${argv[0]}: the folder ${options.cwd} does not exist`), finish(argv, null, false, true);
  if (options.signal?.aborted) return note('cancelled before it started'), finish(argv, null, false, true);

  // Imported here: execa is ESM-only, and a dynamic import loads it under the test runner too.
  const { execa } = await import('execa');
  const child = execa(argv[0]!, argv.slice(1), {
    cwd: options.cwd,
    env,
    extendEnv: false,
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
    detached: true,
    cleanup: false,
    windowsHide: true,
  });
  const pid = child.pid;
  const startToken = pid ? startTokenOf(pid) : undefined;
  const identity: ProcessIdentity | undefined = pid && startToken ? { pid, startToken } : undefined;
  const take = (tail: Tail) => (chunk: Buffer | string) => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    log.write(bytes);
    tail.push(bytes);
  };
  child.stdout?.on('data', take(out));
  child.stderr?.on('data', take(err));
  // Every byte is in once both pipes have ended (execa does not wait for them without a buffer).
  const ended = Promise.all([child.stdout, child.stderr].map((s) => s && new Promise<void>((resolve) => ['end', 'close', 'error'].forEach((e) => s.once(e, () => resolve())))));

  if (!pid) {
    const failure = (await child) as { code?: string; shortMessage?: string; message?: string };
    const why = failure.code === 'ENOENT' ? 'command not found (is it installed, and on PATH?)' : (failure.shortMessage ?? failure.message ?? 'it could not be started');
    note(`cannot run ${argv[0]}: ${why}${failure.code && failure.code !== 'ENOENT' ? ` (${failure.code})` : ''}`);
    return finish(argv, null, false, true);
  }

  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  let stopping: 'timeout' | 'abort' | undefined;
  let killed: Promise<unknown> = Promise.resolve();
  const stop = (why: 'timeout' | 'abort'): void => {
    if (stopping) return;
    stopping = why;
    note(why === 'timeout' ? `timed out after ${duration(spec.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS)}; its processes were killed` : 'cancelled; its processes were killed');
    if (identity) killed = killTree(identity, { graceMs: options.killGraceMs ?? 2000 });
  };
  const timer = setLongTimeout(() => stop('timeout'), spec.timeoutMs ?? DEFAULT_GATE_TIMEOUT_MS);
  const onAbort = (): void => stop('abort');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const exit = await exited;
    await killed;
    // What it left running in its group (a server its tests started) ends with it.
    const left = identity ? treeMembers(identity).filter((m) => m.pid !== pid) : [];
    if (left.length > 0 && identity) {
      note(`${left.length} process(es) it left running were ended`);
      await killTree(identity, { graceMs: options.killGraceMs ?? 2000 });
    }
    let drainTimer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([ended.then(() => true), new Promise<boolean>((resolve) => (drainTimer = setTimeout(resolve, DRAIN_MS, false)))]);
    clearTimeout(drainTimer);
    if (!drained) {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }
    if (exit.signal && !stopping) note(`it was killed by ${exit.signal}`);
    return finish(argv, exit.code, stopping === 'timeout', stopping === 'abort');
  } finally {
    timer.clear();
    options.signal?.removeEventListener('abort', onAbort);
  }
}
