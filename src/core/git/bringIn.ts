/**
 * Bringing the work a task builds on into the worktree of the worker that takes it: each commit a
 * dependency ended with that the worktree does not hold yet is merged in (`--no-ff`, a message naming
 * it). A merge that would conflict is refused before the working tree is touched, with the files
 * named; one that fails anyway (uncommitted changes in the way, a timeout) is aborted, leaving the
 * tree as it was. A merge left half-done by a crash is aborted first.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './gitCommand';
import { checkMerge } from './mergeScore';
import { gitRefusal, listSome } from './names';

export interface WorkToBringIn {
  /** A commit (or branch). */
  rev: string;
  /** How the merge message and errors name it (`T3 of executor-2`). */
  label: string;
}

async function abortMergeInProgress(worktree: string): Promise<void> {
  const gitDir = (await git(worktree, ['rev-parse', '--absolute-git-dir'])).stdout.trim();
  if (fs.existsSync(path.join(gitDir, 'MERGE_HEAD'))) await git(worktree, ['merge', '--abort'], { okExitCodes: [128] });
}

/**
 * Of `work`, what the worktree lacks and no other piece of it already holds (two git processes,
 * however many pieces): merging those brings in all of it.
 */
async function needed(worktree: string, work: readonly WorkToBringIn[]): Promise<WorkToBringIn[]> {
  const revs = [...new Set(work.map((w) => w.rev))];
  const lines = async (args: string[]): Promise<Set<string>> => new Set((await git(worktree, args)).stdout.split('\n').filter(Boolean));
  const commits = [...(await lines(['rev-parse', ...revs.map((r) => `${r}^{commit}`)]))];
  const byCommit = new Map(commits.map((c, i) => [c, revs[i]!]));
  const missing = await lines(['rev-list', ...commits, '^HEAD', '--']);
  const lacking = commits.filter((c) => missing.has(c));
  const frontier = lacking.length > 1 ? await lines(['merge-base', '--independent', ...lacking]) : new Set(lacking);
  const keep = new Set([...frontier].map((c) => byCommit.get(c)));
  return work.filter((w, i) => keep.has(w.rev) && work.findIndex((x) => x.rev === w.rev) === i);
}

/** Merges each of `work` the worktree lacks; resolves with the labels of those merged. */
export async function bringIn(worktree: string, work: readonly WorkToBringIn[], why: string): Promise<string[]> {
  const merged: string[] = [];
  if (work.length === 0) return merged;
  await abortMergeInProgress(worktree);
  for (const { rev, label } of await needed(worktree, work)) {
    const check = await checkMerge(worktree, 'HEAD', rev);
    if (!check.clean) {
      throw gitRefusal('merge_conflict', `The work of ${label} cannot be merged into ${worktree} cleanly: conflicts in ${listSome(check.files.map((f) => f.path))}.`, 'Merge it by hand in that worktree and retry the task, or cancel the task; `team merge-status` scores the branches.', {
        rev,
        files: check.files.map((f) => f.path),
      });
    }
    let result: Awaited<ReturnType<typeof git>> | undefined;
    try {
      result = await git(worktree, ['merge', '--no-ff', '--no-edit', '-m', `Merge ${label}: ${why}`, rev], { okExitCodes: [1, 128] });
    } finally {
      if (result?.exitCode !== 0) await abortMergeInProgress(worktree).catch(() => undefined);
    }
    if (result.exitCode !== 0) {
      const said = `${result.stderr}\n${result.stdout}`.trim().split('\n').filter(Boolean).slice(0, 4).join(' ');
      throw gitRefusal('uncommitted_changes', `The work of ${label} could not be merged into ${worktree}: ${said}`, 'Commit or discard the changes in that worktree, then retry the task.', { rev });
    }
    merged.push(label);
  }
  return merged;
}
