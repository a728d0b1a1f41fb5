/**
 * Preparing a fresh worktree: copying in the files git does not carry (like `.env`) and running the
 * setup command (`npm ci`, say), given as argv or as a template split like a shell would, without one.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { splitCommandLine } from '../runners/commandTemplate';
import { gitRefusal } from './names';

export interface SetupOutcome {
  argv: string[];
  durationMs: number;
}

/** The argv of a setup command: an array as is, a string split into words. */
export function setupArgv(setup: string | readonly string[]): string[] {
  const argv = typeof setup === 'string' ? splitCommandLine(setup) : [...setup];
  if (argv.length === 0 || !argv[0]) {
    throw new SwitchboardError('invalid_argument', 'The worktree setup command is empty.', 'Give a command such as "npm ci", or none at all.');
  }
  return argv;
}

interface Exit {
  exitCode?: number;
  signal?: string;
  spawnError?: string;
  timedOut: boolean;
  /** The last lines of stdout and stderr together. */
  tail: string;
}

/** Spawns argv without a shell, keeping only the end of its output (an `npm ci` can print a lot). */
function spawnKeepingTail(argv: string[], cwd: string, env: NodeJS.ProcessEnv | undefined, timeoutMs: number): Promise<Exit> {
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs, windowsHide: true });
    let tail = '';
    const keep = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-4096);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let spawnError: string | undefined;
    child.on('error', (error) => (spawnError = error.message));
    child.on('close', (code, signal) => {
      const lines = tail.trim().split('\n').slice(-5).join('\n');
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined, spawnError, timedOut: signal === 'SIGTERM' && code === null, tail: lines });
    });
  });
}

/** Runs the setup command in `cwd`; a failure is refused with its exit and the end of its output. */
export async function runSetup(cwd: string, setup: string | readonly string[], env?: NodeJS.ProcessEnv, timeoutMs = 600_000): Promise<SetupOutcome> {
  const argv = setupArgv(setup);
  const started = Date.now();
  const exit = await spawnKeepingTail(argv, cwd, env, timeoutMs);
  if (exit.exitCode === 0) return { argv, durationMs: Date.now() - started };
  const how = exit.spawnError
    ? `could not start (${exit.spawnError})`
    : exit.timedOut && Date.now() - started >= timeoutMs
      ? `timed out after ${Math.round(timeoutMs / 1000)} s`
      : exit.signal
        ? `was killed by ${exit.signal}`
        : `exited with ${exit.exitCode}`;
  throw gitRefusal('setup_failed', `The worktree setup command \`${argv.join(' ')}\` ${how} in ${cwd}.${exit.tail ? `\n${exit.tail}` : ''}`, 'Fix the setup command in the settings (it runs in each new worktree, without a shell), or remove it.', {
    argv,
    cwd,
    exitCode: exit.exitCode,
    output: exit.tail,
  });
}

/** A path relative to the workspace that stays inside it (`.env`, `config/local.json`). */
export function checkCopyName(name: string): string {
  const normal = path.normalize(name);
  if (!name || path.isAbsolute(name) || normal === '.' || normal.split(path.sep).includes('..')) {
    throw new SwitchboardError('invalid_argument', `${JSON.stringify(name)} cannot be copied into a worktree.`, 'Name files by their path inside the workspace, such as .env or config/local.json.', { field: 'copyFiles', value: name });
  }
  return normal;
}

/**
 * The copied-in files' paths from the worktree's top (`prefix`: the workspace's folder inside it,
 * `sub/` or empty), and a filter keeping the other paths: the worker's own.
 */
export function notCopied(prefix: string, names: readonly string[]): { copied: string[]; mine: (p: string) => boolean } {
  const copied = names.map((name) => path.posix.join(prefix, checkCopyName(name).split(path.sep).join('/')).replace(/\/+$/, ''));
  return { copied, mine: (p) => !copied.some((c) => p === c || p.startsWith(`${c}/`)) };
}

/**
 * Copies each named file or folder that exists in `from` to the same place in `to`, keeping its mode.
 * One the worktree already has (a tracked file) is left as the branch has it. Returns what was copied.
 */
export function copyNamedFiles(from: string, to: string, names: readonly string[]): string[] {
  const copied: string[] = [];
  for (const name of names.map(checkCopyName)) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    if (!fs.existsSync(source) || fs.existsSync(target)) continue;
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.cpSync(source, target, { recursive: true, preserveTimestamps: true });
    copied.push(name);
  }
  return copied;
}
