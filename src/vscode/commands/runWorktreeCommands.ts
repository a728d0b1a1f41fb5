/**
 * The worktree of a single run (Run Agent in its own worktree, a contender of Compare Agents), from
 * its row's menu, a comparison's document, a notification or the palette: Open Diff, Merge Run
 * Branch… (asks first; a refusal shows the conflicting files) and Remove Run Worktree… (asks,
 * offering to delete the branch too, and to force what is refused).
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { isFinished, type RunRecord } from '../../core/runs/types';
import { openRunDiff } from '../runs/runDiff';
import { refusalDetail } from '../runs/worktreeText';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickRun } from './pickRun';

const NONE = 'No run has a worktree of its own: start one with Run Agent (Work in its own worktree) or Compare Agents….';
const withWorktree = { filter: (r: RunRecord) => !!r.worktree, none: NONE };
const endedWithWorktree = { filter: (r: RunRecord) => !!r.worktree && isFinished(r.status), none: `No run with a worktree of its own has ended. ${NONE}` };
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function openRunDiffCommand(services: Services, arg?: unknown): Promise<void> {
  const sb = services.switchboard();
  const run = await pickRun(sb.runs, arg, { ...withWorktree, placeHolder: 'Whose changes?' });
  if (run) await openRunDiff(sb.worktrees, run.id);
}

export async function mergeRun(services: Services, arg?: unknown): Promise<void> {
  requireTrust('merge run branches');
  const sb = services.switchboard();
  const picked = await pickRun(sb.runs, arg, { ...endedWithWorktree, placeHolder: 'Whose branch should be merged?' });
  if (!picked) return;
  const changes = await sb.worktrees.changes(picked.id);
  const { branch, name } = changes;
  const wt = sb.worktrees.get(picked.id).worktree;
  if (changes.commits === 0) {
    void vscode.window.showInformationMessage(`${name} made no commit on ${branch}: there is nothing to merge.`);
    return;
  }
  if (changes.merged) {
    void vscode.window.showInformationMessage(`${branch} is merged into ${changes.baseBranch} already.`);
    return;
  }
  const into = changes.baseBranch ?? (await vscode.window.showInputBox({ title: `Merge ${branch}`, prompt: `${wt.workspace} was on a detached HEAD when ${name} started: which branch should its work be merged into?`, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? undefined : 'Name a branch.') }));
  if (!into) return;
  const detail = `A merge commit is made on ${into} in ${wt.workspace}: ${plural(changes.files.length, 'file')} changed (+${changes.insertions} -${changes.deletions}) in ${plural(changes.commits, 'commit')}. Nothing is changed if the merge would conflict.`;
  if ((await vscode.window.showWarningMessage(`Merge ${branch} into ${into}?`, { modal: true, detail }, 'Merge')) !== 'Merge') return;
  let merged;
  try {
    merged = await sb.worktrees.merge(picked.id, changes.baseBranch ? {} : { into });
  } catch (error) {
    if (!(error instanceof SwitchboardError) || !['merge_conflict', 'uncommitted_changes'].includes(error.code)) throw error;
    const choice = await vscode.window.showWarningMessage(error.message, { modal: true, detail: [refusalDetail(error.details), error.hint].filter(Boolean).join('\n\n') }, 'Open Diff');
    if (choice) await openRunDiff(sb.worktrees, picked.id);
    return;
  }
  const what = merged.alreadyMerged ? `${branch} was already merged into ${merged.base}.` : `${branch} was merged into ${merged.base} as ${merged.commit.slice(0, 12)} (${plural(merged.files.length, 'file')}).`;
  const choice = await vscode.window.showInformationMessage(what, 'Remove Worktree…');
  if (choice) await removeRunWorktree(services, { id: picked.id });
}

const REMOVE = 'Remove Worktree';
const REMOVE_ALL = 'Remove Worktree and Branch';

export async function removeRunWorktree(services: Services, arg?: unknown): Promise<void> {
  const sb = services.switchboard();
  const run = await pickRun(sb.runs, arg, { ...endedWithWorktree, placeHolder: 'Whose worktree should be removed?' });
  if (!run) return;
  const wt = sb.worktrees.get(run.id).worktree;
  const detail = `Its folder ${wt.folder} goes. The branch ${wt.branch} stays, with everything committed on it, unless you remove it too. Nothing is removed while its work is unmerged or uncommitted unless you say so next.`;
  const answer = await vscode.window.showWarningMessage(`Remove the worktree of ${run.name}?`, { modal: true, detail }, REMOVE, REMOVE_ALL);
  if (!answer) return;
  const deleteBranch = answer === REMOVE_ALL;
  let done;
  try {
    done = await sb.worktrees.cleanup(run.id, { deleteBranch });
  } catch (error) {
    if (!(error instanceof SwitchboardError) || error.code !== 'not_merged') throw error;
    const lost = deleteBranch ? 'Forcing discards what is uncommitted in it and deletes the branch with its unmerged commits.' : 'Forcing discards what is uncommitted in it; the branch stays, with its commits.';
    const force = await vscode.window.showWarningMessage(`${run.name}'s worktree was not removed. Force it?`, { modal: true, detail: `${refusalDetail(error.details)}\n\n${lost}` }, 'Force Remove');
    if (force !== 'Force Remove') return;
    done = await sb.worktrees.cleanup(run.id, { deleteBranch, force: true });
  }
  const branch = done.deletedBranch ? `; branch ${done.branch} deleted` : `; branch ${done.branch} kept`;
  void vscode.window.showInformationMessage(done.alreadyRemoved ? `${run.name}'s worktree was removed already.` : `Removed ${run.name}'s worktree${branch}.`);
}
