/**
 * Where a goal works: its own branch `switchboard/goal/<id>`, made from the workspace's HEAD, checked
 * out in its own worktree under the state folder (the workspace itself is never touched). Each
 * iteration's team works in worktrees made from that checkout, and its workers' branches are merged
 * into the goal branch in the order of their tasks' dependencies; the gates run on that checkout.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { layers } from '../dag/graph';
import { errorMessage, SwitchboardError } from '../errors';
import { findRepo, git } from '../git/gitCommand';
import { BRANCH_PREFIX } from '../git/names';
import { StateMap } from '../state/stateMap';
import type { TeamService } from '../teams/teamService';

export interface GoalCheckout {
  branch: string;
  /** Where the goal branch is checked out (the workspace's own subfolder of it, when the workspace is one). */
  checkout: string;
  /** The branch the workspace was on (or its commit, when detached), and that commit. */
  base: string;
  baseCommit: string;
}

export const goalBranch = (id: string): string => `${BRANCH_PREFIX}/goal/${id}`;

export async function prepareGoalCheckout(stateDir: string, id: string, workspace: string): Promise<GoalCheckout> {
  const repo = await findRepo(workspace);
  if (!repo?.head) {
    throw new SwitchboardError('bad_cwd', `A goal works on a git branch of its own, and ${workspace} is not a git repository with a commit.`, 'Run `git init` and commit what is there, then create the goal again.');
  }
  const branch = goalBranch(id);
  const folder = new StateMap(stateDir).worktree(id, 'goal');
  fs.mkdirSync(path.dirname(folder), { recursive: true, mode: 0o700 });
  await git(repo.root, ['worktree', 'add', '--quiet', '-b', branch, folder, repo.head]);
  return { branch, checkout: path.join(folder, repo.prefix.replace(/\/$/, '')), base: repo.branch ?? repo.head, baseCommit: repo.head };
}

/**
 * Merges what a team's workers did into the goal branch (checked out where the team worked from),
 * the worker whose tasks come first in the graph first. A merge that cannot be made is a problem
 * named in the result, not an error: the gates will tell whether the work is there.
 */
export async function mergeTeamWork(teams: TeamService, team: string): Promise<{ merged: string[]; problems: string[] }> {
  const record = teams.get(team);
  const layer = layers(record.tasks);
  const rank = (worker: string): number => Math.min(...record.tasks.filter((t) => t.worker === worker && t.status === 'done').map((t) => layer.get(t.id) ?? Infinity), Infinity);
  const workers = record.workers.filter((w) => w.branch && rank(w.name) < Infinity).sort((a, b) => rank(a.name) - rank(b.name));
  const merged: string[] = [];
  const problems: string[] = [];
  for (const worker of workers) {
    try {
      await teams.mergeWorker(team, worker.name);
      merged.push(worker.name);
    } catch (error) {
      problems.push(`the work of ${worker.name} (${worker.branch}) could not be merged into the goal branch: ${errorMessage(error)}`);
    }
  }
  return { merged, problems };
}

/** What the goal branch holds that its base did not: the files changed and the commits (short ids, oldest first). */
export async function goalChanges(checkout: string, baseCommit: string, branch: string): Promise<{ files: string[]; commits: string[] }> {
  const files = (await git(checkout, ['diff', '--name-only', `${baseCommit}...${branch}`])).stdout.split('\n').filter(Boolean);
  const commits = (await git(checkout, ['rev-list', '--reverse', '--abbrev-commit', `${baseCommit}..${branch}`])).stdout.split('\n').filter(Boolean);
  return { files, commits };
}
