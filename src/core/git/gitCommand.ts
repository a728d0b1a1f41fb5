/**
 * Runs git with execFile (never through a shell) and answers the few questions about a repository
 * the rest of src/core/git asks: where its root is, what HEAD is, which branch is checked out where.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';

export interface GitResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface GitOptions {
  /** Exit codes that are answers rather than failures (0 always is). */
  okExitCodes?: readonly number[];
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** An index of its own (GIT_INDEX_FILE), so that the worktree's index is not touched. */
  indexFile?: string;
  /** Ends git (SIGTERM: it removes its lock files) when aborted; the call then throws. */
  signal?: AbortSignal;
}

/**
 * Variables with which git would look at another repository than the one in `cwd`. They are set
 * while a hook runs (a pre-commit hook that runs the tests, say); every call here names its folder.
 */
const LOCATING_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_NAMESPACE'];

function gitEnv(env: NodeJS.ProcessEnv = process.env, indexFile?: string): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...env, GIT_TERMINAL_PROMPT: '0' };
  for (const name of LOCATING_VARIABLES) delete clean[name];
  if (indexFile) clean.GIT_INDEX_FILE = indexFile;
  return clean;
}

interface Ran extends GitResult {
  missing: boolean;
  timedOut: boolean;
}

/** execFile, resolved whatever the exit (plain node:child_process: execa loads only when bundled, not under the test runner). */
function run(cwd: string, args: readonly string[], options: GitOptions): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      'git',
      args,
      { cwd, env: gitEnv(options.env, options.indexFile), encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: options.timeoutMs ?? 60_000, windowsHide: true, signal: options.signal },
      (error, stdout, stderr) => {
        const failure = error as (Error & { code?: number | string; killed?: boolean }) | null;
        resolve({
          stdout,
          stderr,
          exitCode: !failure ? 0 : typeof failure.code === 'number' ? failure.code : -1,
          missing: failure?.code === 'ENOENT',
          timedOut: !!failure?.killed,
        });
      },
    ).stdin?.end();
  });
}

/** `git <args>` in `cwd`; throws a SwitchboardError naming the command and git's own complaint unless the exit code is allowed. */
export async function git(cwd: string, args: readonly string[], options: GitOptions = {}): Promise<GitResult> {
  const { missing, timedOut, ...out } = await run(cwd, args, options);
  if (missing && !fs.existsSync(cwd)) throw new SwitchboardError('bad_cwd', `The folder ${cwd} does not exist.`);
  if (missing) {
    throw new SwitchboardError('spawn_failed', 'git was not found on PATH.', 'Install git (2.38 or later) to give each worker its own worktree.');
  }
  if (out.exitCode === 0 || options.okExitCodes?.includes(out.exitCode)) return out;
  const why = out.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ') || (timedOut ? 'timed out' : `exit code ${out.exitCode}`);
  throw new SwitchboardError('internal', `git ${args.join(' ')} failed in ${cwd}: ${why}`, undefined, { args: [...args], cwd, exitCode: out.exitCode, stderr: out.stderr });
}

/** True when `git <args>` exits 0, false when it exits 1 (questions such as `merge-base --is-ancestor`). */
export async function gitAsks(cwd: string, args: readonly string[]): Promise<boolean> {
  return (await git(cwd, args, { okExitCodes: [1] })).exitCode === 0;
}

/** Splits NUL-separated output (`-z`), without the empty piece after the last NUL. */
export function splitNul(text: string): string[] {
  const parts = text.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

export interface RepoInfo {
  /** The top folder of the working tree. */
  root: string;
  /** Where the asked folder is inside it, as git spells it (`packages/a/`, or `` at the top). */
  prefix: string;
  /** The commit HEAD points to; undefined in a repository without commits. */
  head?: string;
  /** The checked-out branch (`main`); undefined when HEAD is detached. */
  branch?: string;
}

/** The git repository `folder` belongs to, or undefined when it belongs to none (or is inside a .git folder or a bare repository). */
export async function findRepo(folder: string): Promise<RepoInfo | undefined> {
  if (!fs.existsSync(folder)) throw new SwitchboardError('bad_cwd', `The folder ${folder} does not exist.`);
  const top = await git(folder, ['rev-parse', '--show-toplevel', '--show-prefix'], { okExitCodes: [128] });
  if (top.exitCode !== 0) return undefined;
  const [root, prefix = ''] = top.stdout.split('\n');
  if (!root) return undefined;
  const head = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'], { okExitCodes: [1, 128] });
  const branch = await git(root, ['symbolic-ref', '--quiet', '--short', 'HEAD'], { okExitCodes: [1, 128] });
  return {
    root: path.resolve(root),
    prefix,
    ...(head.exitCode === 0 && head.stdout.trim() ? { head: head.stdout.trim() } : {}),
    ...(branch.exitCode === 0 && branch.stdout.trim() ? { branch: branch.stdout.trim() } : {}),
  };
}

/** The full id of the commit a branch, tag or commit names; undefined when it names none. */
export async function resolveCommit(repo: string, rev: string): Promise<string | undefined> {
  const result = await git(repo, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${rev}^{commit}`], { okExitCodes: [1, 128] });
  return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
}

export async function branchExists(repo: string, branch: string): Promise<boolean> {
  return (await git(repo, ['show-ref', '--verify', '--quiet', `refs/heads/${branch}`], { okExitCodes: [1] })).exitCode === 0;
}

export interface WorktreeEntry {
  path: string;
  head?: string;
  /** The branch checked out there (`main`, not `refs/heads/main`); undefined when detached or bare. */
  branch?: string;
  bare: boolean;
}

/** Every worktree of the repository (the main one first), from `git worktree list --porcelain -z`. */
export async function listWorktrees(repo: string): Promise<WorktreeEntry[]> {
  const out = await git(repo, ['worktree', 'list', '--porcelain', '-z']);
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of out.stdout.split('\0')) {
    if (line === '') {
      current = undefined;
      continue;
    }
    const [key, ...rest] = line.split(' ');
    const value = rest.join(' ');
    if (key === 'worktree') entries.push((current = { path: path.resolve(value), bare: false }));
    else if (!current) continue;
    else if (key === 'HEAD') current.head = value;
    else if (key === 'branch') current.branch = value.replace(/^refs\/heads\//, '');
    else if (key === 'bare') current.bare = true;
  }
  return entries;
}

/** The same folder, whatever symlinks (like macOS's /tmp) lead to it. */
export function samePath(a: string, b: string): boolean {
  const real = (p: string): string => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  return real(a) === real(b);
}
