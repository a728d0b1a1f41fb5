/**
 * Taking a worker's worktree away: refused, with every reason listed, while its branch holds commits
 * the base lacks or its folder holds uncommitted work, unless forced. The branch can go with it.
 */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import { branchExists, findRepo, git, gitAsks, listWorktrees, resolveCommit, samePath, splitNul } from './gitCommand';
import { gitRefusal, listSome, workerBranch } from './names';
import { notCopied } from './worktreeSetup';

export interface RemoveWorktreeOptions {
  workspace: string;
  team: string;
  worker: string;
  folder: string;
  /** The branch the work must be merged into; by default the one checked out in the workspace. */
  base?: string;
  /** Remove even unmerged or uncommitted work. */
  force?: boolean;
  /** Delete the branch `switchboard/<team>/<worker>` too. */
  deleteBranch?: boolean;
  /** The files copied in when the worktree was made: not the worker's work, so not counted as uncommitted. */
  copyFiles?: readonly string[];
  /** How refusals name the worktree's owner (default `<team>/<worker>`). */
  label?: string;
}

export interface RemovedWorktree {
  folder: string;
  branch: string;
  removedFolder: boolean;
  deletedBranch: boolean;
}

/** Paths with changes not committed in a worktree (tracked and untracked), from `git status --porcelain -z`. */
export async function uncommittedPaths(worktree: string, signal?: AbortSignal): Promise<string[]> {
  const out = splitNul((await git(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all'], { signal })).stdout);
  const paths: string[] = [];
  for (let i = 0; i < out.length; i++) {
    const entry = out[i]!;
    paths.push(entry.slice(3));
    if (entry[0] === 'R' || entry[0] === 'C') i++; // the old path of a rename follows
  }
  return paths;
}

export async function removeWorkerWorktree(options: RemoveWorktreeOptions): Promise<RemovedWorktree> {
  const branch = workerBranch(options.team, options.worker);
  const repo = await findRepo(options.workspace);
  if (!repo) throw new SwitchboardError('bad_cwd', `${options.workspace} is not a git repository, so it has no worktrees to remove.`);
  const base = options.base ?? repo.branch ?? repo.head;
  if (!base || !(await resolveCommit(repo.root, base))) {
    throw gitRefusal('no_base', `There is no base ${base ? `"${base}"` : 'commit'} to check ${branch} against.`, 'Name the branch the work should be merged into.', { base });
  }
  await git(repo.root, ['worktree', 'prune']);
  const worktree = (await listWorktrees(repo.root)).find((w) => samePath(w.path, options.folder));
  const hasBranch = await branchExists(repo.root, branch);

  const reasons: string[] = [];
  if (worktree && worktree.branch !== branch) reasons.push(`the worktree is on ${worktree.branch ?? 'a detached HEAD'}, not on ${branch}`);
  if (hasBranch && !(await gitAsks(repo.root, ['merge-base', '--is-ancestor', branch, base]))) {
    const ahead = (await git(repo.root, ['rev-list', '--count', `${base}..${branch}`])).stdout.trim();
    reasons.push(`${branch} has ${ahead} commit(s) not merged into ${base}`);
  }
  if (worktree && fs.existsSync(worktree.path)) {
    const dirty = (await uncommittedPaths(worktree.path)).filter(notCopied(repo.prefix, options.copyFiles ?? []).mine);
    if (dirty.length) reasons.push(`the worktree has uncommitted changes: ${listSome(dirty)}`);
  }
  if (reasons.length && !options.force) {
    throw gitRefusal('not_merged', `The worktree of ${options.label ?? `${options.team}/${options.worker}`} was not removed: ${reasons.join('; ')}.`, `Merge the branch into ${base} (or commit the changes), or force the removal to discard them.`, {
      folder: options.folder,
      branch,
      base,
      reasons,
    });
  }

  if (worktree) await git(repo.root, ['worktree', 'remove', '--force', ...(options.force ? ['--force'] : []), worktree.path]);
  let deletedBranch = false;
  if (options.deleteBranch && hasBranch) {
    await git(repo.root, ['branch', '-D', '--', branch]);
    deletedBranch = true;
  }
  return { folder: options.folder, branch, removedFolder: !!worktree, deletedBranch };
}
