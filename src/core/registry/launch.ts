/**
 * Starting a run: check the request (runner, prompt, folder, binary), record it, and start its
 * detached supervisor, which answers with the agent's pid on one line before it goes its own way.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { SwitchboardConfig } from '../config';
import { SwitchboardError } from '../errors';
import { statePaths } from '../paths';
import { redactArgs, redactText, secretsFromEnv } from '../redact';
import { findBinary } from '../runners/findBinary';
import { getRunner } from '../runners/runnerTable';
import type { SpawnSpec, StartRequest } from '../runners/types';
import { readRecord, writeRecord } from '../runs/recordFile';
import type { RunLinks, RunRecord } from '../runs/types';
import type { Handshake } from '../supervisor/main';
import { writePlan } from '../supervisor/plan';

export interface RunOptions {
  runner: string;
  prompt: string;
  name?: string;
  cwd?: string;
  /** The custom runner's command template (`{prompt}` is replaced). */
  command?: string;
  resumeSessionId?: string;
  links?: RunLinks;
  /** Extra environment for the agent. */
  env?: Record<string, string>;
  mcpConfig?: string;
}

export interface LaunchContext {
  stateDir: string;
  config: SwitchboardConfig;
  supervisorScript: string;
  nodePath: string;
  env: NodeJS.ProcessEnv;
  name: string;
}

const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRunId(): string {
  const bytes = crypto.randomBytes(8);
  return [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function checkCwd(cwd: string): string {
  const full = path.resolve(cwd);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new SwitchboardError('bad_cwd', `The folder ${full} does not exist.`, 'Pass an existing folder with --cwd.');
  }
  if (!stat.isDirectory()) throw new SwitchboardError('bad_cwd', `${full} is not a folder.`, 'Pass a folder with --cwd.');
  return full;
}

/** Validates a run request and builds what the agent will be started with. */
export interface PreparedStart {
  request: StartRequest;
  spec: SpawnSpec;
}

export function prepareStart(options: RunOptions, context: Pick<LaunchContext, 'config' | 'env'>): PreparedStart {
  const runner = getRunner(options.runner);
  if (!options.prompt?.trim()) throw new SwitchboardError('invalid_argument', 'The prompt is empty.', 'Say what the agent should do.');
  if (options.resumeSessionId && !runner.canResume) {
    throw new SwitchboardError('invalid_argument', `The ${runner.displayName} runner cannot resume a session.`);
  }
  const cwd = checkCwd(options.cwd ?? process.cwd());
  const settings = context.config.runners[runner.id] ?? {};
  const request: StartRequest = {
    prompt: options.prompt,
    cwd,
    settings: { binary: settings.binary || runner.defaultBinary, extraArgs: settings.extraArgs ?? [], model: settings.model, permissionMode: settings.permissionMode },
    resumeSessionId: options.resumeSessionId,
    commandTemplate: options.command ?? settings.command,
    mcpConfig: options.mcpConfig,
  };
  const spec = runner.build(request);
  const env = { ...context.env, ...options.env };
  const lookup = findBinary(spec.command, env, cwd);
  if (!lookup.found) {
    throw new SwitchboardError(
      'runner_not_installed',
      `${runner.displayName} is not installed: "${spec.command}" was not found (looked in ${lookup.lookedIn.join(', ') || 'an empty PATH'}).`,
      runner.installHint,
      { binary: spec.command, lookedIn: lookup.lookedIn },
    );
  }
  if (runner.id !== 'custom') request.settings.binary = lookup.path;
  return { request, spec: { ...spec, command: lookup.path, env: { ...options.env, ...spec.env } } };
}

function controlSocketPath(runDir: string): string {
  const preferred = path.join(runDir, 'control.sock');
  if (preferred.length <= 100) return preferred;
  const hash = crypto.createHash('sha256').update(runDir).digest('hex').slice(0, 16);
  return path.join(os.tmpdir(), `switchboard-${hash}.sock`);
}

/** Claims a fresh run id by creating its folder (mkdir fails if another process took the same id). */
export function claimRunDir(stateDir: string): string {
  const paths = statePaths(stateDir);
  fs.mkdirSync(paths.runs, { recursive: true, mode: 0o700 });
  for (;;) {
    const id = newRunId();
    try {
      fs.mkdirSync(paths.run(id).dir, { mode: 0o700 });
      return id;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/** Records the run in its claimed folder and starts its supervisor; resolves once the agent has a pid (or the start failed). */
export async function launch(id: string, prepared: PreparedStart, options: RunOptions, context: LaunchContext): Promise<RunRecord> {
  const { request, spec } = prepared;
  const run = statePaths(context.stateDir).run(id);
  const env = { ...context.env, ...options.env };
  const secrets = secretsFromEnv(env);
  const controlSocket = controlSocketPath(run.dir);
  const record: RunRecord = {
    version: 1,
    id,
    name: context.name,
    runner: options.runner,
    commandLine: redactArgs([spec.command, ...spec.args], secrets),
    cwd: request.cwd,
    prompt: redactText(options.prompt, secrets),
    status: 'queued',
    controlSocket,
    createdAt: Date.now(),
    usage: { inputTokens: 0, outputTokens: 0 },
    links: options.links ?? {},
    outputBytes: 0,
    eventCount: 0,
  };
  // The supervisor rewrites this record (durably) within milliseconds, so it is not fsynced here.
  writeRecord(run, record, { durable: false });
  writePlan(run.dir, { version: 1, runId: id, stateDir: context.stateDir, runner: options.runner, request, killGraceMs: context.config.killGraceMs, prices: context.config.prices, controlSocket });
  const handshake = await startSupervisor(run.dir, run.supervisorLog, context, { ...env, ...spec.env });
  const after = readRecord(run);
  const saved = after.kind === 'ok' ? after.value : record;
  if (!handshake.ok) {
    if (saved.status === 'queued') writeRecord(run, { ...saved, status: 'failed', endedAt: Date.now(), lastError: handshake.error?.message });
    throw new SwitchboardError('spawn_failed', `The agent could not be started: ${handshake.error?.message ?? 'unknown error'}`, undefined, { id });
  }
  return saved;
}

function startSupervisor(runDir: string, logFile: string, context: LaunchContext, env: NodeJS.ProcessEnv): Promise<Handshake> {
  const log = fs.openSync(logFile, 'a', 0o600);
  const child = spawn(context.nodePath, [context.supervisorScript, runDir], {
    detached: true,
    stdio: ['ignore', 'pipe', log],
    env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
    cwd: runDir,
    windowsHide: true,
  });
  fs.closeSync(log);
  return new Promise<Handshake>((resolve) => {
    let text = '';
    let settled = false;
    const settle = (handshake: Handshake): void => {
      if (settled) return;
      settled = true;
      child.stdout?.destroy();
      child.unref();
      resolve(handshake);
    };
    child.stdout?.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const newline = text.indexOf('\n');
      if (newline < 0) return;
      try {
        settle(JSON.parse(text.slice(0, newline)) as Handshake);
      } catch {
        settle({ ok: false, error: { code: 'internal', message: `the supervisor said something unexpected: ${text.slice(0, 200)}` } });
      }
    });
    const died = (why: string): void => {
      let detail = '';
      try {
        detail = fs.readFileSync(logFile, 'utf8').trim().split('\n').slice(-3).join(' ');
      } catch {
        // No log to quote.
      }
      settle({ ok: false, error: { code: 'internal', message: `the supervisor ${why}${detail ? `: ${detail}` : ''}` } });
    };
    child.once('error', (error) => died(`could not start (${error.message})`));
    // 'close', not 'exit': the handshake line may still be in the pipe when the process is gone.
    child.once('close', (code, signal) => died(`exited before the agent started (${signal ?? `code ${code}`})`));
  });
}
