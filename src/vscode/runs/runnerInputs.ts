/** Questions shared by Run Agent and Compare Agents: which installed runners, the custom runner's command, the folder. */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import type { Services } from '../services';

/** The installed runners that work (the preferred one first), as quick pick items, and the names of those missing. */
export async function installedRunnerItems(services: Services): Promise<{ items: (vscode.QuickPickItem & { runner: string })[]; missing: string[] }> {
  const report = await services.availability.get();
  const preferred = services.settings().defaultRunner;
  const items = report.runners
    .filter((r) => r.installed && !r.problem)
    .map((r) => ({ label: r.displayName, description: r.runner === 'custom' ? r.note : r.version, detail: r.path, runner: r.runner }))
    .sort((a, b) => Number(b.runner === preferred) - Number(a.runner === preferred));
  return { items, missing: report.runners.filter((r) => !r.installed).map((r) => r.displayName) };
}

/** The folder an agent works in: the workspace's only folder, or the one picked. */
export async function pickFolder(placeHolder = 'Which folder should the agent work in?'): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    throw new SwitchboardError('bad_cwd', 'Open a folder first: an agent works in a folder.', 'File > Open Folder…');
  }
  if (folders.length === 1) return folders[0]!.uri.fsPath;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder });
  return picked?.uri.fsPath;
}

/** The custom runner's command when its setting has none (asked); undefined when given up. */
export async function askCustomCommand(services: Services, title: string): Promise<{ command?: string } | undefined> {
  if (services.settings().config.runners.custom?.command) return {};
  const command = await vscode.window.showInputBox({
    title: `${title}: custom command`,
    prompt: 'The command to start; {prompt} is replaced by the prompt (no shell is involved)',
    placeHolder: 'my-agent --task {prompt}',
    ignoreFocusOut: true,
  });
  return command ? { command } : undefined;
}
