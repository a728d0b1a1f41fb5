/**
 * What a worker left uncommitted when its task ended. Done: committed on its branch by Switchboard
 * (the message says so; the repository's hooks are not run for this checkpoint), so that the task's
 * work is on the branch to review and merge. Failed or stopped: put aside in a stash named after the
 * task, so that the next task starts from clean work and nothing is lost. Files copied in from the
 * workspace (`.env`, ...) are not the worker's and are left out of both.
 */
import * as path from 'node:path';
import { git, gitAsks } from './gitCommand';
import { uncommittedPaths } from './worktreeRemoval';
import { notCopied } from './worktreeSetup';

/** Repositories known to have a git identity (asked once each). */
const hasIdentity = new Set<string>();

/** The worktree's top folder and the uncommitted paths that are the worker's (relative to it). */
async function leftovers(cwd: string, exclude: readonly string[], root?: string, signal?: AbortSignal): Promise<{ root: string; paths: string[]; excluded: string[] }> {
  root ??= (await git(cwd, ['rev-parse', '--show-toplevel'])).stdout.trim();
  const { copied, mine } = notCopied(path.relative(root, cwd).split(path.sep).join('/'), exclude);
  return { root, paths: (await uncommittedPaths(root, signal)).filter(mine), excluded: copied };
}

/** Git's identity options when the repository has none, so that the work is still recorded (under Switchboard's name). */
async function identity(root: string): Promise<string[]> {
  if (!hasIdentity.has(root) && (await gitAsks(root, ['config', '--get', 'user.email']))) hasIdentity.add(root);
  return hasIdentity.has(root) ? [] : ['-c', 'user.name=Switchboard', '-c', 'user.email=switchboard@localhost'];
}

/**
 * Commits everything uncommitted in the worktree of `cwd` but `exclude` (workspace-relative names);
 * the new commit, or undefined when there was nothing. `root`, the worktree's top folder, saves asking git;
 * `signal` stops the git under way (the call then throws).
 */
export async function commitLeftovers(cwd: string, message: string, exclude: readonly string[] = [], root?: string, signal?: AbortSignal): Promise<string | undefined> {
  const found = await leftovers(cwd, exclude, root, signal);
  if (found.paths.length === 0) return undefined;
  // Everything, then the copied files back out: no path list on the command line, however many files.
  await git(found.root, ['add', '-A'], { signal });
  if (found.excluded.length) await git(found.root, ['--literal-pathspecs', 'reset', '-q', '--', ...found.excluded], { okExitCodes: [1], signal });
  await git(found.root, [...(await identity(found.root)), 'commit', '--quiet', '--no-verify', '-m', message], { signal });
  return (await git(found.root, ['rev-parse', 'HEAD'])).stdout.trim();
}

/** Puts what is uncommitted (but `exclude`) in a stash with `message`; whether there was anything. */
export async function stashLeftovers(cwd: string, message: string, exclude: readonly string[] = [], root?: string): Promise<boolean> {
  const found = await leftovers(cwd, exclude, root);
  if (found.paths.length === 0) return false;
  const keep = found.excluded.map((e) => `:(exclude,literal)${e}`);
  await git(found.root, [...(await identity(found.root)), 'stash', 'push', '--include-untracked', '-m', message, '--', '.', ...keep]);
  return true;
}
