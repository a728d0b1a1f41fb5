/**
 * Bringing the work a task builds on into the worktree of the worker that takes it: each
 * dependency's branch that the worktree does not hold yet is merged in (`--no-ff`, a message naming
 * it). A merge that would conflict is refused before the working tree is touched, with the files
 * named; one that fails anyway (uncommitted changes in the way) is aborted, leaving the tree as it was.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, gitAsks, resolveCommit } from './gitCommand';
import { checkMerge } from './mergeScore';
import { gitRefusal, listSome } from './names';

export interface BroughtIn {
  /** The branches merged in now (those already held are left out). */
  merged: string[];
}

async function mergeInProgress(worktree: string): Promise<boolean> {
  const gitDir = (await git(worktree, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  return fs.existsSync(path.join(gitDir, 'MERGE_HEAD'));
}

export async function bringInBranches(worktree: string, branches: readonly string[], why: string): Promise<BroughtIn> {
  const merged: string[] = [];
  for (const branch of new Set(branches)) {
    if (!(await resolveCommit(worktree, branch))) continue; // nothing was committed there (or the branch is gone)
    if (await gitAsks(worktree, ['merge-base', '--is-ancestor', branch, 'HEAD'])) continue;
    const check = await checkMerge(worktree, 'HEAD', branch);
    if (!check.clean) {
      throw gitRefusal('merge_conflict', `${branch} cannot be merged into ${worktree} cleanly: conflicts in ${listSome(check.files.map((f) => f.path))}.`, 'Merge the branches by hand, or give the dependent task to the same worker.', {
        branch,
        files: check.files.map((f) => f.path),
      });
    }
    const result = await git(worktree, ['merge', '--no-ff', '--no-edit', '-m', `Merge ${branch}: ${why}`, branch], { okExitCodes: [1, 128] });
    if (result.exitCode !== 0) {
      if (await mergeInProgress(worktree)) await git(worktree, ['merge', '--abort'], { okExitCodes: [128] });
      const said = `${result.stderr}\n${result.stdout}`.trim().split('\n').filter(Boolean).slice(0, 4).join(' ');
      throw gitRefusal('uncommitted_changes', `${branch} could not be merged into ${worktree}: ${said}`, 'Commit or discard the changes in that worktree, then retry the task.', { branch });
    }
    merged.push(branch);
  }
  return { merged };
}
