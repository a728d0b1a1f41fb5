/**
 * What a run in a worktree of its own changed, in VS Code's diff editors: each file at the commit its
 * branch was made from against the branch's version once it has ended, or against the file in its
 * worktree as it is now while it runs.
 */
import * as vscode from 'vscode';
import { resolveCommit } from '../../core/git/gitCommand';
import type { RunWorktrees } from '../../core/registry/runWorktrees';
import { showChanges } from '../diffEditors';
import { GitRevisions } from '../teams/gitRevisions';
import { diffPairs, type DiffSide } from './worktreeText';

export async function openRunDiff(worktrees: RunWorktrees, id: string): Promise<void> {
  const changes = await worktrees.changes(id);
  const repo = worktrees.get(id).worktree.repo;
  const since = `${changes.baseBranch ?? 'its base'} (${changes.baseCommit.slice(0, 12)})`;
  if (changes.files.length === 0) {
    void vscode.window.showInformationMessage(`${changes.name} has changed nothing ${changes.from === 'worktree' ? 'yet ' : ''}since ${since}.`);
    return;
  }
  const tip = changes.from === 'branch' ? await resolveCommit(repo, changes.branch) : undefined;
  const uri = (side: DiffSide): vscode.Uri | undefined => (!side ? undefined : 'file' in side ? vscode.Uri.file(side.file) : GitRevisions.uri(repo, side.commit, side.path));
  const pairs = diffPairs(changes, tip).map((p) => ({ path: p.path, left: uri(p.left), right: uri(p.right) }));
  const now = changes.from === 'worktree' ? ' (its worktree now)' : '';
  await showChanges(repo, `${changes.name}: ${changes.baseBranch ?? changes.baseCommit.slice(0, 12)} ↔ ${changes.branch}${now}`, pairs);
}
