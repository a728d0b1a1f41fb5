/**
 * The worktrees of single runs (`run --worktree`): what a run changed against the commit its branch
 * was made from (`diff`), bringing its branch into the branch the folder was on (`merge`: refused,
 * naming the files, when it would conflict, as for team workers), and taking its worktree away
 * (`cleanup`: refused while it runs, or while it holds unmerged or uncommitted work unless forced;
 * the branch stays unless asked to go).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errorMessage, SwitchboardError } from '../errors';
import type { Feed } from '../feed/feed';
import { runKey } from '../feed/feedEvent';
import { diffSummary, diffText, worktreeTree, type FileDiff } from '../git/diffStat';
import { branchExists, git, gitAsks } from '../git/gitCommand';
import { mergeWorkerBranch, type MergeOutcome } from '../git/merge';
import { gitRefusal } from '../git/names';
import { removeWorkerWorktree, uncommittedPaths } from '../git/worktreeRemoval';
import { notCopied } from '../git/worktreeSetup';
import { commitRunWork, RUN_BRANCH_GROUP, runBranchLeaf } from '../runs/runWork';
import { isFinished, type RunRecord, type RunStatus, type RunWorktree } from '../runs/types';
import type { RunRegistry } from './registry';

type WorktreeRun = RunRecord & { worktree: RunWorktree };

export interface RunChanges {
  run: string;
  name: string;
  status: RunStatus;
  branch: string;
  /** The commit the branch was made from, and the branch the folder was on then. */
  baseCommit: string;
  baseBranch?: string;
  folder: string;
  /** Whether the worktree is still on disk. */
  present: boolean;
  /** `worktree`: its files as they are now (the run goes on, or ended without recording its work); `branch`: its branch. */
  from: 'worktree' | 'branch';
  /** Commits on its branch since the base. */
  commits: number;
  files: FileDiff[];
  insertions: number;
  deletions: number;
  /** Files of its worktree that differ from its branch (not committed yet, or changed after it ended: a gate's output, a person's edit). */
  uncommitted: string[];
  /** Whether its branch is in the base branch already (so also when it made no commit). */
  merged: boolean;
  /** The patch, or its `--stat`, when asked for. */
  text?: string;
}

export type RunMerge = MergeOutcome & { run: string; name: string };

export interface RunCleanup {
  run: string;
  name: string;
  folder: string;
  branch: string;
  removedFolder: boolean;
  deletedBranch: boolean;
  /** Nothing was there to remove any more. */
  alreadyRemoved: boolean;
}

const firstLine = (text: string): string => text.trim().split('\n')[0]!.slice(0, 200);

export class RunWorktrees {
  constructor(
    private readonly registry: RunRegistry,
    private readonly feed?: Feed,
  ) {}

  /** The run, which must have been started with a worktree of its own. */
  get(query: string): WorktreeRun {
    const run = this.registry.resolve(query);
    if (!run.worktree) {
      throw new SwitchboardError('bad_cwd', `Run ${run.name} was not started with a worktree of its own, so its changes are in its folder ${run.cwd}.`, 'Look at them with git there; start runs with --worktree (worktree: true) to diff, merge and clean them up here.');
    }
    return run as WorktreeRun;
  }

  /** What the run changed against the commit its branch was made from; `text` adds the patch (or its stat). */
  async changes(query: string, options: { text?: 'patch' | 'stat' } = {}): Promise<RunChanges> {
    const run = this.get(query);
    const wt = run.worktree;
    const present = fs.existsSync(wt.folder);
    const hasBranch = await branchExists(wt.repo, wt.branch);
    const live = present && (!isFinished(run.status) || !wt.end);
    if (!live && !hasBranch) throw new SwitchboardError('bad_cwd', `The branch ${wt.branch} of run ${run.name} was deleted and its worktree removed: nothing is left to compare.`);
    const to = live ? await worktreeTree(wt.folder, copiedPaths(wt)) : wt.branch;
    const summary = await diffSummary(wt.repo, wt.baseCommit, to);
    const commits = hasBranch ? Number((await git(wt.repo, ['rev-list', '--count', `${wt.baseCommit}..${wt.branch}`, '--'])).stdout.trim()) : 0;
    const baseHere = !!wt.baseBranch && (await branchExists(wt.repo, wt.baseBranch));
    return {
      run: run.id,
      name: run.name,
      status: run.status,
      branch: wt.branch,
      baseCommit: wt.baseCommit,
      ...(wt.baseBranch ? { baseBranch: wt.baseBranch } : {}),
      folder: wt.folder,
      present,
      from: live ? 'worktree' : 'branch',
      commits,
      ...summary,
      uncommitted: present ? await this.uncommitted(wt) : [],
      merged: hasBranch && baseHere && (await gitAsks(wt.repo, ['merge-base', '--is-ancestor', wt.branch, wt.baseBranch!])),
      ...(options.text ? { text: await diffText(wt.repo, wt.baseCommit, to, options.text === 'stat') } : {}),
    };
  }

  /** Merges the run's branch into the branch the folder was on (or `into`), with a merge commit; refuses while it runs or when it would conflict. */
  async merge(query: string, options: { into?: string } = {}): Promise<RunMerge> {
    const run = this.get(query);
    const wt = run.worktree;
    this.requireEnded(run, 'merge');
    // Its supervisor never recorded its end (it was orphaned): what it left is committed now.
    if (!wt.end && fs.existsSync(wt.folder)) await commitRunWork(run);
    const base = options.into ?? wt.baseBranch;
    if (!base) throw gitRefusal('no_base', `${wt.workspace} was on a detached HEAD when run ${run.name} started, so there is no branch to merge its work into.`, 'Name the branch to merge into (--into BRANCH; MCP: into).');
    const merge = { run: run.id, name: run.name, branch: wt.branch, base };
    this.feed?.append({ type: 'merge.started', key: runKey(run.id), entity: merge });
    let outcome: MergeOutcome;
    try {
      outcome = await mergeWorkerBranch({
        workspace: wt.workspace,
        team: RUN_BRANCH_GROUP,
        worker: runBranchLeaf(wt.branch),
        base,
        title: `Merge run ${run.name} (${wt.branch})`,
        body: `${run.runner}${run.model ? ` (${run.model})` : ''}: ${firstLine(run.prompt)}`,
      });
    } catch (error) {
      this.feed?.append({ type: 'merge.failed', key: runKey(run.id), entity: { ...merge, error: errorMessage(error) } });
      throw error;
    }
    this.feed?.append({ type: 'merge.completed', key: runKey(run.id), entity: { ...merge, commit: outcome.commit, alreadyMerged: outcome.alreadyMerged, files: outcome.files } });
    return { run: run.id, name: run.name, ...outcome };
  }

  /** Removes the run's worktree (and its branch with `deleteBranch`); refuses while it runs, or with unmerged or uncommitted work unless `force`. */
  async cleanup(query: string, options: { force?: boolean; deleteBranch?: boolean } = {}): Promise<RunCleanup> {
    const run = this.get(query);
    const wt = run.worktree;
    this.requireEnded(run, 'cleanup');
    const done = { run: run.id, name: run.name, folder: wt.folder, branch: wt.branch };
    const hasBranch = await branchExists(wt.repo, wt.branch);
    if (!fs.existsSync(wt.folder) && !(options.deleteBranch && hasBranch)) return { ...done, removedFolder: false, deletedBranch: false, alreadyRemoved: true };
    const base = wt.baseBranch && (await branchExists(wt.repo, wt.baseBranch)) ? wt.baseBranch : undefined;
    const removed = await removeWorkerWorktree({
      workspace: wt.workspace,
      team: RUN_BRANCH_GROUP,
      worker: runBranchLeaf(wt.branch),
      folder: wt.folder,
      ...(base ? { base } : {}),
      force: options.force,
      deleteBranch: options.deleteBranch,
      copyFiles: wt.copied,
      label: `run ${run.name}`,
    }).catch((error: unknown) => {
      if (!(error instanceof SwitchboardError) || error.code !== 'not_merged') throw error;
      throw new SwitchboardError('not_merged', error.message, `Merge it first (switchboard merge ${run.name}), or force the removal (--force; MCP: force) to discard that work; with the branch kept, its commits stay.`, error.details);
    });
    // git leaves the folder's parent; a folder git did not know (a half-made worktree) goes too.
    if (options.force) fs.rmSync(wt.folder, { recursive: true, force: true });
    return { ...done, removedFolder: removed.removedFolder, deletedBranch: removed.deletedBranch, alreadyRemoved: false };
  }

  private requireEnded(run: RunRecord, action: 'merge' | 'cleanup'): void {
    if (isFinished(run.status)) return;
    const then = action === 'merge' ? 'then merge it' : 'then remove its worktree';
    throw new SwitchboardError('invalid_argument', `Run ${run.name} is still ${run.status} in its worktree.`, `Wait for it (switchboard wait ${run.name}) or stop it (switchboard kill ${run.name}), ${then}.`);
  }

  /** The worktree's files that differ from its last commit, but those copied in. */
  private async uncommitted(wt: RunWorktree): Promise<string[]> {
    const { mine } = notCopied(prefixOf(wt), wt.copied ?? []);
    return (await uncommittedPaths(wt.folder)).filter(mine);
  }
}

/** Where the run's folder is inside its repository (`packages/a`, or '' at the top). */
const prefixOf = (wt: RunWorktree): string => path.relative(wt.repo, fs.existsSync(wt.workspace) ? fs.realpathSync(wt.workspace) : wt.workspace).split(path.sep).join('/');

/** The copied-in files, as paths from the worktree's top. */
const copiedPaths = (wt: RunWorktree): string[] => notCopied(prefixOf(wt), wt.copied ?? []).copied;
