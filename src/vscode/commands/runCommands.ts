/** Show Output, Show Raw Output, Resume Session, Copy Session ID, Reveal Folder, Remove from List. */
import * as vscode from 'vscode';
import { isFinished } from '../../core/runs/types';
import { getRunner } from '../../core/runners/runnerTable';
import { OutputDocuments } from '../outputDocuments';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickRun } from './pickRun';

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
    filter: (r) => isFinished(r.status) && !!r.sessionId && getRunner(r.runner).canResume,
    placeHolder: 'Which session should be resumed?',
    none: 'No finished run has a session that can be resumed.',
  });
  if (!run) return;
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
