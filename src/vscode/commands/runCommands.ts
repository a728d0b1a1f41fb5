/** Show Output, Show Raw Output, Resume Session, Continue in Terminal, Copy Session ID, Reveal Folder, Remove from List. */
import * as vscode from 'vscode';
import { isFinished, type RunRecord } from '../../core/runs/types';
import { interactiveRefusal, interactiveSession } from '../../core/runners/interactiveSession';
import { OutputDocuments } from '../outputDocuments';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickRun } from './pickRun';
import { offersResume, refuseUnresumable } from './resumeOffer';

const anyRun = { filter: () => true, none: 'There are no agent runs yet.' };

async function showOutput(services: Services, arg: unknown, raw: boolean): Promise<void> {
  const run = await pickRun(services.switchboard().runs, arg, { ...anyRun, placeHolder: 'Whose output?' });
  if (!run) return;
  const doc = await vscode.workspace.openTextDocument(OutputDocuments.uriFor(run, raw));
  const editor = await vscode.window.showTextDocument(doc, { preview: false });
  const end = doc.lineAt(doc.lineCount - 1).range.end;
  editor.revealRange(new vscode.Range(end, end));
}

export const showAgentOutput = (services: Services, arg?: unknown): Promise<void> => showOutput(services, arg, false);
export const showAgentRawOutput = (services: Services, arg?: unknown): Promise<void> => showOutput(services, arg, true);

export async function resumeAgentSession(services: Services, arg?: unknown): Promise<void> {
  requireTrust('resume agent sessions');
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, {
    filter: offersResume,
    placeHolder: 'Which session should be resumed?',
    none: 'No finished run has a session to resume.',
  });
  if (!run) return;
  refuseUnresumable(run);
  const prompt = await vscode.window.showInputBox({
    title: `Resume ${run.name}`,
    prompt: `Continue session ${run.sessionId} with:`,
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the agent should do next.'),
  });
  if (!prompt) return;
  const next = await registry.run({ runner: run.runner, prompt, cwd: run.cwd, resumeSessionId: run.sessionId, links: run.links });
  void vscode.window.showTextDocument(OutputDocuments.uriFor(next), { preview: false });
}

/**
 * The agent CLI's own interactive session on a finished run's session, in an integrated terminal in
 * the run's folder: the CLI is started directly (no shell), with its runner's binary and settings.
 */
export async function continueInTerminal(services: Services, arg?: unknown): Promise<void> {
  requireTrust('start agents');
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, { filter: (r) => !interactiveRefusal(r), placeHolder: 'Whose session should continue in a terminal?', none: noContinuable(registry.list()) });
  if (!run) return;
  const launch = interactiveSession(run, services.settings().config.runners, process.env);
  services.logger.info(`[terminal] ${run.name}: ${launch.command} ${launch.args.join(' ')} in ${launch.cwd}`);
  const terminal = vscode.window.createTerminal({ name: launch.name, shellPath: launch.command, shellArgs: launch.args, cwd: launch.cwd, env: launch.env, iconPath: new vscode.ThemeIcon('terminal') });
  terminal.show();
}

/** Why no run can be continued: none has a session yet, or the reasons of those that have one. */
function noContinuable(runs: RunRecord[]): string {
  const reasons = [...new Set(runs.filter((r) => r.sessionId).map((r) => interactiveRefusal(r)!))];
  if (reasons.length === 0) return 'No run has a session to continue yet: a run has one once its agent has reported it.';
  return `No run can be continued in a terminal. ${reasons.slice(0, 3).join(' ')}`;
}

export async function copySessionId(services: Services, arg?: unknown): Promise<void> {
  const run = await pickRun(services.switchboard().runs, arg, { filter: (r) => !!r.sessionId, placeHolder: 'Whose session id?', none: 'No run has reported a session id yet.' });
  if (!run?.sessionId) return;
  await vscode.env.clipboard.writeText(run.sessionId);
  vscode.window.setStatusBarMessage(`Copied session id ${run.sessionId}`, 3000);
}

export async function revealFolder(services: Services, arg?: unknown): Promise<void> {
  const run = await pickRun(services.switchboard().runs, arg, { ...anyRun, placeHolder: 'Whose folder?' });
  if (!run) return;
  const uri = vscode.Uri.file(run.cwd);
  if (vscode.workspace.getWorkspaceFolder(uri)) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}

export async function removeFromList(services: Services, arg?: unknown): Promise<void> {
  const run = await pickRun(services.switchboard().runs, arg, { filter: (r) => isFinished(r.status), placeHolder: 'Which finished run should be removed?', none: 'No finished run to remove.' });
  if (!run) return;
  services.switchboard().runs.remove(run.id);
}
