/**
 * Run Agent's choice of where the agent works: in the folder itself, or in a worktree and branch of
 * its own. Offered only when the folder is in a git repository with a commit; when the folder has
 * uncommitted changes the choice says the run will not see them.
 */
import * as vscode from 'vscode';
import { findRepo } from '../../core/git/gitCommand';
import { uncommittedPaths } from '../../core/git/worktreeRemoval';
import { worktreeOfferDetail } from './worktreeText';

export const IN_FOLDER = 'Work in the folder itself';
export const IN_WORKTREE = 'Work in its own worktree';

/** Whether to work in a worktree (false, not asked, when the folder cannot have one); undefined when given up. */
export async function askWorktree(folder: string, title: string): Promise<boolean | undefined> {
  const repo = await findRepo(folder).catch(() => undefined);
  if (!repo?.head) return false;
  const dirty = (await uncommittedPaths(repo.root)).length > 0;
  const picked = await vscode.window.showQuickPick(
    [
      { label: IN_FOLDER, detail: `Its changes land in ${folder} as it makes them.`, worktree: false },
      { label: IN_WORKTREE, detail: worktreeOfferDetail({ branch: repo.branch, head: repo.head }, dirty), worktree: true },
    ],
    { title, placeHolder: 'Where should the agent work?', ignoreFocusOut: true },
  );
  return picked?.worktree;
}
