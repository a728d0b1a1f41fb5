/**
 * Merging a worker branch into the base branch of the workspace repository, with a merge commit
 * (`--no-ff`) naming the team and worker. Everything that could stop it is checked first, without
 * touching the working tree: conflicts (with `git merge-tree`), staged changes, and uncommitted or
 * untracked files the merge would overwrite. A base checked out in no worktree is merged in the
 * object store (commit-tree and a compare-and-swap of its ref), so no working tree changes at all.
 */
import { SwitchboardError } from '../errors';
import { branchExists, findRepo, git, gitAsks, listWorktrees, resolveCommit, splitNul } from './gitCommand';
import { checkMerge } from './mergeScore';
import { gitRefusal, listSome, workerBranch } from './names';

export interface MergeWorkerOptions {
  workspace: string;
  team: string;
  worker: string;
  /** The branch to merge into; by default the one checked out in the workspace. */
  base?: string;
  /** More lines for the merge commit's message (what the worker did, say). */
  body?: string;
  /** The merge commit's first line, instead of `Merge worker <worker> of team <team> (<branch>)`. */
  title?: string;
}

export interface MergeOutcome {
  /** The merge commit, or the base's commit when the branch was merged already. */
  commit: string;
  branch: string;
  base: string;
  alreadyMerged: boolean;
  /** The files the merge changed in the base. */
  files: string[];
}

const nulList = async (cwd: string, args: string[]): Promise<string[]> => splitNul((await git(cwd, args)).stdout);

/** Refuses when the worktree holding the base has changes that `git merge` would trip over. */
async function checkWorkingTree(worktree: string, base: string, touched: readonly string[]): Promise<void> {
  const staged = await nulList(worktree, ['diff', '--cached', '--name-only', '-z', '--no-ext-diff']);
  const touchedSet = new Set(touched);
  const modified = (await nulList(worktree, ['diff', '--name-only', '-z', '--no-ext-diff'])).filter((p) => touchedSet.has(p));
  const untracked = (await nulList(worktree, ['ls-files', '--others', '--exclude-standard', '-z', '--full-name'])).filter((p) => touchedSet.has(p));
  const problems = [
    ...(staged.length ? [`staged changes (${listSome(staged)})`] : []),
    ...(modified.length ? [`uncommitted changes to files the merge would change (${listSome(modified)})`] : []),
    ...(untracked.length ? [`untracked files the merge would overwrite (${listSome(untracked)})`] : []),
  ];
  if (problems.length) {
    throw gitRefusal('uncommitted_changes', `Cannot merge into ${base}: ${worktree} has ${problems.join(' and ')}.`, 'Commit or stash them, then merge again. Nothing was changed.', {
      worktree,
      staged,
      modified,
      untracked,
    });
  }
}

export async function mergeWorkerBranch(options: MergeWorkerOptions): Promise<MergeOutcome> {
  const branch = workerBranch(options.team, options.worker);
  const repo = await findRepo(options.workspace);
  if (!repo?.head) throw new SwitchboardError('bad_cwd', `${options.workspace} is not a git repository with commits, so there is no branch to merge into.`);
  const base = options.base ?? repo.branch;
  if (!base) throw gitRefusal('no_base', `${repo.root} has a detached HEAD, so there is no base branch to merge ${branch} into.`, 'Check out the branch to merge into, or name it.');
  if (!(await branchExists(repo.root, base))) throw gitRefusal('unknown_branch', `There is no branch ${base} in ${repo.root}.`, 'Name an existing local branch.', { base });
  if (!(await branchExists(repo.root, branch))) throw gitRefusal('unknown_branch', `There is no branch ${branch} in ${repo.root}.`, 'Check the team and worker names.', { branch });
  const baseCommit = (await resolveCommit(repo.root, `refs/heads/${base}`))!;
  const theirs = (await resolveCommit(repo.root, `refs/heads/${branch}`))!;
  const done = { branch, base };
  if (await gitAsks(repo.root, ['merge-base', '--is-ancestor', theirs, baseCommit])) return { ...done, commit: baseCommit, alreadyMerged: true, files: [] };

  const check = await checkMerge(repo.root, baseCommit, theirs);
  if (!check.clean) {
    const files = check.files.map((f) => `${f.path} (${f.hunks} hunk${f.hunks === 1 ? '' : 's'})`);
    throw gitRefusal('merge_conflict', `${branch} cannot be merged into ${base} cleanly: ${check.files.length} file(s) conflict: ${listSome(files)}.`, `Merge ${base} into ${branch} in its worktree and resolve the conflicts there, then merge again. Nothing was changed.`, {
      branch,
      base,
      score: check.score,
      files: check.files,
    });
  }
  const touched = await nulList(repo.root, ['diff', '--name-only', '-z', '--no-ext-diff', baseCommit, check.tree, '--']);
  const message = `${options.title ?? `Merge worker ${options.worker} of team ${options.team} (${branch})`}${options.body ? `\n\n${options.body.trim()}` : ''}`;
  const holder = (await listWorktrees(repo.root)).find((w) => w.branch === base);
  if (!holder) {
    const commit = (await git(repo.root, ['commit-tree', check.tree, '-p', baseCommit, '-p', theirs, '-m', message])).stdout.trim();
    await git(repo.root, ['update-ref', '-m', `switchboard: ${message.split('\n')[0]}`, `refs/heads/${base}`, commit, baseCommit]);
    return { ...done, commit, alreadyMerged: false, files: touched };
  }
  await checkWorkingTree(holder.path, base, touched);
  const merged = await git(holder.path, ['merge', '--no-ff', '--no-edit', '-m', message, theirs], { okExitCodes: [1, 2, 128] });
  if (merged.exitCode !== 0) {
    if (await resolveCommit(holder.path, 'MERGE_HEAD')) await git(holder.path, ['merge', '--abort'], { okExitCodes: [128] });
    const why = `${merged.stderr}\n${merged.stdout}`.trim().split('\n').filter(Boolean).slice(-3).join(' ');
    throw new SwitchboardError('internal', `git merge of ${branch} into ${base} failed in ${holder.path}: ${why}`, 'The merge was aborted; the branch is as it was.', { branch, base });
  }
  const commit = (await resolveCommit(holder.path, 'HEAD'))!;
  return { ...done, commit, alreadyMerged: false, files: touched };
}
