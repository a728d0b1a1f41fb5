/**
 * Goals of this window's folders whose process has gone (the window was reloaded or closed, the
 * terminal's `switchboard goal create` was stopped) are taken over by this extension host, so that
 * their loop goes on here: runs that went on are not started again.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { GoalService } from '../../core/goals/goalService';
import type { Logger } from '../../core/logger';
import { insideAny, localFolders } from '../localFolders';

export async function adoptGoals(goals: GoalService, logger: Logger): Promise<void> {
  if (!vscode.workspace.isTrusted) return;
  const folders = localFolders();
  if (folders.length === 0) return;
  try {
    const adopted = await goals.adoptOrphans((record) => insideAny(record.workspace, folders));
    for (const goal of adopted) {
      logger.info(`[goals] took over goal ${goal.id} (${goal.status}, ${goal.phase}): the process that ran it had exited`);
      void vscode.window.showInformationMessage(`Switchboard took over goal "${goal.normalizedGoal}": the process that ran it had exited, and it goes on here.`);
    }
  } catch (error) {
    logger.error(`[goals] could not take over a goal: ${errorMessage(error)}`);
    void vscode.window.showWarningMessage(`Switchboard could not take over a goal of this workspace: ${errorMessage(error)}`);
  }
}
