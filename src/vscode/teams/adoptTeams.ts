/**
 * Teams of this window's folders whose process has gone (the window was reloaded or closed while
 * they ran) are resumed in this extension host, so that their tasks go on being scheduled.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import type { Logger } from '../../core/logger';
import type { TeamService } from '../../core/teams/teamService';
import { insideAny, localFolders } from '../localFolders';

export async function adoptTeams(teams: TeamService, logger: Logger): Promise<void> {
  if (!vscode.workspace.isTrusted) return;
  const folders = localFolders();
  try {
    const adopted = await teams.adoptOrphans((record) => insideAny(record.workspace, folders));
    for (const team of adopted) {
      logger.info(`[teams] resumed team ${team.name} (${team.status}): the process that ran it had exited`);
      void vscode.window.showInformationMessage(`Switchboard resumed team ${team.name}: the window that ran it had closed, and its tasks go on here.`);
    }
  } catch (error) {
    logger.error(`[teams] could not resume a team: ${errorMessage(error)}`);
    void vscode.window.showWarningMessage(`Switchboard could not resume a team of this workspace: ${errorMessage(error)}`);
  }
}
