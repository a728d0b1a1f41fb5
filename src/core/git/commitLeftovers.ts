/**
 * What a worker left uncommitted when its task ended, committed on its branch by Switchboard (the
 * message says so), so that the task's work is on the branch to review and merge. Files copied in
 * from the workspace (`.env`, ...) are not the worker's and are left out.
 */
import * as path from 'node:path';
import { git, gitAsks } from './gitCommand';
import { uncommittedPaths } from './worktreeRemoval';

/** Repositories known to have a git identity (asked once each). */
const hasIdentity = new Set<string>();

/**
 * Commits everything uncommitted in the worktree of `cwd` but `exclude` (workspace-relative names);
 * the new commit, or undefined when there was nothing. `root`, the worktree's top folder, saves asking git.
 */
export async function commitLeftovers(cwd: string, message: string, exclude: readonly string[] = [], root?: string): Promise<string | undefined> {
  root ??= (await git(cwd, ['rev-parse', '--show-toplevel'])).stdout.trim();
  const prefix = path.relative(root, cwd).split(path.sep).filter(Boolean).join('/');
  const excluded = exclude.map((name) => (prefix ? `${prefix}/${name}` : name));
  const mine = (p: string): boolean => !excluded.some((e) => p === e || p.startsWith(`${e}/`));
  const paths = (await uncommittedPaths(root)).filter(mine);
  if (paths.length === 0) return undefined;
  await git(root, ['--literal-pathspecs', 'add', '-A', '--', ...paths]);
  // A machine without a git identity still gets the work committed, under Switchboard's name.
  if (!hasIdentity.has(root) && (await gitAsks(root, ['config', '--get', 'user.email']))) hasIdentity.add(root);
  const identity = hasIdentity.has(root) ? [] : ['-c', 'user.name=Switchboard', '-c', 'user.email=switchboard@localhost'];
  await git(root, [...identity, 'commit', '--quiet', '-m', message]);
  return (await git(root, ['rev-parse', 'HEAD'])).stdout.trim();
}
