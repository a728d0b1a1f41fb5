/**
 * A run with a worktree of its own (`run --worktree`): its branch `switchboard/run/<name>` is made
 * from the folder's HEAD in `<state>/run-worktrees/<run id>/`, with the teams' setup command run and
 * their files copied in (unless the run names its own), and the run is started there. The folder
 * must be in a git repository with a commit; uncommitted changes in it are fine (they stay where they
 * are: the worktree is made from HEAD, and the record says the folder had some).
 */
import { SwitchboardError } from '../errors';
import { branchExists, findRepo, git, type RepoInfo } from '../git/gitCommand';
import { uncommittedPaths } from '../git/worktreeRemoval';
import { createWorkerWorktree } from '../git/worktrees';
import { RUN_BRANCH_GROUP, runBranch, runBranchLeaf } from '../runs/runWork';
import type { RunWorktree } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { checkCwd, prepareStart, type LaunchContext, type PreparedStart, type RunOptions } from './launch';

/** The first of `name`, `name-<id>` and `<id>` that makes a branch name not taken yet. */
async function freeBranch(repo: string, name: string, id: string): Promise<string> {
  for (const leaf of [name, `${name}-${id}`, id]) {
    const branch = runBranch(leaf);
    if (branch && !(await branchExists(repo, branch))) return branch;
  }
  throw new SwitchboardError('name_taken', `The branch ${runBranch(id)} already exists in ${repo}.`, 'Start the run again: it gets a new id.');
}

const WITHOUT = 'Run it without --worktree (worktree: false) to work in the folder itself.';

/** The repository of a folder a run is to have a worktree of (refused when it is in none, or one without a commit). */
export async function repoForWorktree(workspace: string): Promise<RepoInfo & { head: string }> {
  const repo = await findRepo(workspace);
  if (!repo) throw new SwitchboardError('bad_cwd', `${workspace} is not in a git repository, so a run there cannot have a worktree of its own.`, `${WITHOUT} Or \`git init\` and commit there first.`);
  if (!repo.head) throw new SwitchboardError('bad_cwd', `The git repository ${repo.root} has no commit yet, so there is nothing to make a run's worktree from.`, `${WITHOUT} Or commit first.`);
  return repo as RepoInfo & { head: string };
}

/** Makes the run's worktree, then prepares its start there (throws, the worktree taken away again, when it cannot). */
export async function isolateRun(options: RunOptions, context: Pick<LaunchContext, 'stateDir' | 'config' | 'env'>, id: string, name: string): Promise<PreparedStart> {
  const workspace = checkCwd(options.cwd ?? process.cwd());
  const repo = await repoForWorktree(workspace);
  const branch = await freeBranch(repo.root, name, id);
  const own = typeof options.worktree === 'object' ? options.worktree : {};
  const made = await createWorkerWorktree({
    workspace,
    team: RUN_BRANCH_GROUP,
    worker: runBranchLeaf(branch),
    folder: new StateMap(context.stateDir).runWorktree(id),
    setup: own.setup ?? context.config.teams.setup,
    copyFiles: own.copyFiles ?? context.config.teams.copyFiles,
    env: { ...context.env, ...options.env },
  });
  if (!made.isolated) throw new SwitchboardError('bad_cwd', `${workspace} is not in the last commit of ${repo.root}, so a worktree made from HEAD would not hold it.`, `${WITHOUT} Or commit it first.`);
  const worktree: RunWorktree = {
    workspace,
    repo: repo.root,
    folder: made.folder,
    branch,
    baseCommit: made.baseCommit,
    ...(made.baseBranch ? { baseBranch: made.baseBranch } : {}),
    ...(made.copied.length ? { copied: made.copied } : {}),
    ...((await uncommittedPaths(repo.root)).length ? { workspaceDirty: true } : {}),
  };
  try {
    return { ...prepareStart({ ...options, cwd: made.cwd }, context), worktree };
  } catch (error) {
    await discardWorktree(worktree);
    throw error;
  }
}

/** Takes away the worktree and branch of a run that never started (nothing was done in them). */
export async function discardWorktree(worktree: Pick<RunWorktree, 'repo' | 'folder' | 'branch'>): Promise<void> {
  await git(worktree.repo, ['worktree', 'remove', '--force', worktree.folder], { okExitCodes: [128] });
  await git(worktree.repo, ['branch', '-D', '--', worktree.branch], { okExitCodes: [1] });
}
