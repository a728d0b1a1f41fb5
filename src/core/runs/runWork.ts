/**
 * The branch of a run with a worktree of its own (`switchboard/run/<name>`), and its work when it
 * ends: what the agent left uncommitted is committed for it on that branch (the message says so; the
 * repository's hooks are not run for this checkpoint), so that nothing is lost and the branch holds
 * all of it to diff, merge or throw away. Files copied in from the folder are not its work.
 */
import * as fs from 'node:fs';
import { commitLeftovers } from '../git/commitLeftovers';
import { git } from '../git/gitCommand';
import { BRANCH_PREFIX, checkSlug, workerBranch } from '../git/names';
import type { RunRecord, RunWorktree } from './types';

/** The middle part of run branches: `switchboard/run/<name>`, as a team's name is in `switchboard/<team>/<worker>`. */
export const RUN_BRANCH_GROUP = 'run';

/** The branch for a run's name, or undefined when the name cannot be part of a branch name. */
export function runBranch(leaf: string): string | undefined {
  try {
    checkSlug('worker', leaf);
  } catch {
    return undefined;
  }
  return workerBranch(RUN_BRANCH_GROUP, leaf);
}

/** The last part of a run's branch (what the git layer calls its worker). */
export const runBranchLeaf = (branch: string): string => branch.slice(`${BRANCH_PREFIX}/${RUN_BRANCH_GROUP}/`.length);

const firstLine = (text: string): string => {
  const line = text.trim().split('\n')[0]!.trim();
  return line.length > 72 ? `${line.slice(0, 71)}…` : line;
};

/** Commits what the run left in its worktree; says what its branch ends with. `stop` ends the commit under way (its reason says who stopped it). */
export async function commitRunWork(run: Pick<RunRecord, 'id' | 'name' | 'runner' | 'prompt' | 'status' | 'cwd'> & { worktree: RunWorktree }, stop?: AbortSignal): Promise<NonNullable<RunWorktree['end']>> {
  const { worktree } = run;
  if (!fs.existsSync(worktree.folder)) return { committedLeftovers: false, error: `its worktree ${worktree.folder} is gone` };
  const message = `${run.name}: ${firstLine(run.prompt)}\n\nCommitted by Switchboard: run ${run.name} (${run.id}, ${run.runner}) left these changes uncommitted when it ended ${run.status}.`;
  try {
    const commit = await commitLeftovers(run.cwd, message, worktree.copied ?? [], worktree.folder, stop);
    const head = commit ?? (await git(worktree.folder, ['rev-parse', 'HEAD'])).stdout.trim();
    return { ...(head !== worktree.baseCommit ? { commit: head } : {}), committedLeftovers: commit !== undefined };
  } catch (error) {
    if (stop?.aborted) return { committedLeftovers: false, error: `what it left uncommitted in ${worktree.folder} was not committed: the commit was stopped by ${String(stop.reason)}` };
    return { committedLeftovers: false, error: (error as Error).message };
  }
}
