/**
 * A settled goal's worktrees taken away, and its checkout made again when it is needed. A goal works
 * in a full checkout of its own under the state folder and keeps it after it ends; over weeks of goals
 * those checkouts fill the disk. Removing one loses nothing committed: the goal branch stays, and
 * whatever needs the checkout again (a resume or a rollback of the ended goal) checks the branch out anew.
 * Uncommitted changes in it keep it, unless forced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, SwitchboardError } from '../errors';
import { branchExists, findRepo, git } from '../git/gitCommand';
import { listSome } from '../git/names';
import { uncommittedPaths } from '../git/worktreeRemoval';
import { StateMap } from '../state/stateMap';
import type { TeamService } from '../teams/teamService';
import { isSettledGoal, type GoalRecord } from './goalRecord';

export interface GoalWorktreeRemoval {
  /** `goal` for the goal's own checkout, else `<team>/<worker>`. */
  worktree: string;
  folder: string;
  removed: boolean;
  /** Why it was kept. */
  reason?: string;
}

export interface GoalCleanup {
  goal: string;
  /** The branch that keeps the goal's work (never deleted here). */
  branch: string;
  worktrees: GoalWorktreeRemoval[];
}

/** The folder the goal's checkout lives in (the checkout is this folder, or the workspace's subfolder of it). */
const checkoutRoot = (stateDir: string, goal: GoalRecord): string => new StateMap(stateDir).worktree(goal.id, 'goal');

/** A goal that has ended and still has its checkout (what Remove Goal Worktrees is offered for). */
export const hasWorktrees = (goal: GoalRecord): boolean => isSettledGoal(goal.status) && fs.existsSync(goal.checkout);

/**
 * Removes the worktrees of a settled goal: its teams' (those with unmerged work only when forced, as
 * `team cleanup` does) and then its own checkout (one with uncommitted changes only when forced).
 */
export async function removeGoalWorktrees(stateDir: string, teams: TeamService, goal: GoalRecord, options: { force?: boolean } = {}): Promise<GoalCleanup> {
  if (!isSettledGoal(goal.status)) {
    throw new SwitchboardError('not_running', `Goal ${goal.id} is ${goal.status}; it still works in its checkout.`, `Remove its worktrees once it has ended, or cancel it first (switchboard goal cancel ${goal.id}).`);
  }
  const worktrees: GoalWorktreeRemoval[] = [];
  const map = new StateMap(stateDir);
  const teamFolder = (team: string): string => path.dirname(map.worktree(team, 'worker'));
  for (const team of teams.list().filter((t) => t.goal === goal.id)) {
    // A team whose worktrees all went as it ended is not asked (their base, the checkout, may be gone already).
    if (hasEntries(teamFolder(team.name))) {
      try {
        for (const r of await teams.removeWorktrees(team.name, { force: options.force })) {
          worktrees.push({ worktree: `${team.name}/${r.worker}`, folder: map.worktree(team.name, r.worker), removed: r.removed, ...(r.reason ? { reason: r.reason } : {}) });
        }
      } catch (error) {
        worktrees.push({ worktree: team.name, folder: teamFolder(team.name), removed: false, reason: errorMessage(error) });
      }
    }
    removeIfEmpty(teamFolder(team.name));
  }
  const root = checkoutRoot(stateDir, goal);
  const teamKept = worktrees.find((w) => !w.removed);
  // A team's worktree is made from the checkout (its base is the goal branch there): the checkout goes after it.
  if (fs.existsSync(root)) worktrees.push(teamKept ? { worktree: 'goal', folder: root, removed: false, reason: `the worktree ${teamKept.worktree} made from it is kept` } : await removeCheckout(goal, root, options.force === true));
  removeIfEmpty(path.dirname(root));
  return { goal: goal.id, branch: goal.branch, worktrees };
}

async function removeCheckout(goal: GoalRecord, root: string, force: boolean): Promise<GoalWorktreeRemoval> {
  const kept = (reason: string): GoalWorktreeRemoval => ({ worktree: 'goal', folder: root, removed: false, reason });
  const repo = await findRepo(goal.workspace);
  if (!repo) return kept(`its workspace ${goal.workspace} is no longer a git repository, so git cannot remove the worktree`);
  try {
    const dirty = await uncommittedPaths(root);
    if (dirty.length && !force) return kept(`it has uncommitted changes: ${listSome(dirty)}`);
    await git(repo.root, ['worktree', 'remove', '--force', ...(force ? ['--force'] : []), root]);
    await git(repo.root, ['worktree', 'prune']);
  } catch (error) {
    return kept(errorMessage(error));
  }
  return { worktree: 'goal', folder: root, removed: true };
}

/**
 * Makes the goal's checkout again from its branch when it was removed: before the goal works or
 * rolls back. Its branch holds everything that was committed there.
 */
export async function restoreGoalCheckout(stateDir: string, goal: GoalRecord): Promise<void> {
  if (fs.existsSync(goal.checkout)) return;
  const repo = await findRepo(goal.workspace);
  if (!repo) throw new SwitchboardError('bad_cwd', `Goal ${goal.id} works on ${goal.workspace}, which is no longer a git repository; its checkout cannot be made again.`);
  if (!(await branchExists(repo.root, goal.branch))) {
    throw new SwitchboardError('bad_cwd', `The branch of goal ${goal.id} (${goal.branch}) is gone from ${repo.root}, and with it the goal's work; nothing was done.`, 'Start a new goal.');
  }
  const root = checkoutRoot(stateDir, goal);
  await git(repo.root, ['worktree', 'prune']);
  fs.mkdirSync(path.dirname(root), { recursive: true, mode: 0o700 });
  await git(repo.root, ['worktree', 'add', '--quiet', root, goal.branch]);
}

/** One sentence for what a cleanup did: the CLI's and the tool's answer. */
export function cleanupSummary(done: GoalCleanup): string {
  const kept = done.worktrees.filter((w) => !w.removed);
  const removed = done.worktrees.length - kept.length;
  if (!done.worktrees.length) return `Goal ${done.goal} has no worktrees left; its work is on ${done.branch}.`;
  return (
    `Removed ${removed} of ${done.worktrees.length} worktree(s) of goal ${done.goal}; its work stays on ${done.branch}.` +
    (kept.length ? ` Kept ${kept.map((w) => `${w.worktree} (${w.reason})`).join('; ')} — force removes them.` : '')
  );
}

function hasEntries(folder: string): boolean {
  try {
    return fs.readdirSync(folder).length > 0;
  } catch {
    return false;
  }
}

function removeIfEmpty(folder: string): void {
  try {
    fs.rmdirSync(folder);
  } catch {
    // Not empty (a worktree was kept), or already gone.
  }
}
