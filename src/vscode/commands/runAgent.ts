/** Run Agent: pick a runner Doctor found, type the prompt and any limits, pick the folder (in a multi-root workspace), go. */
import * as vscode from 'vscode';
import { errorMessage, SwitchboardError } from '../../core/errors';
import { parseLimitsText } from '../../core/runs/runLimitsInput';
import { getRunner } from '../../core/runners/runnerTable';
import type { Services } from '../services';
import { requireTrust } from '../trust';

async function pickRunner(services: Services): Promise<string | undefined> {
  const report = await services.availability.get();
  const preferred = services.settings().defaultRunner;
  const items = report.runners
    .filter((r) => r.installed && !r.problem)
    .map((r) => ({ label: r.displayName, description: r.runner === 'custom' ? r.note : r.version, detail: r.path, runner: r.runner }))
    .sort((a, b) => Number(b.runner === preferred) - Number(a.runner === preferred));
  const missing = report.runners.filter((r) => !r.installed).map((r) => r.displayName);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Run Agent',
    placeHolder: missing.length ? `Which agent? (not installed: ${missing.join(', ')} — see Doctor)` : 'Which agent?',
  });
  return picked?.runner;
}

async function pickFolder(): Promise<string | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    throw new SwitchboardError('bad_cwd', 'Open a folder first: an agent works in a folder.', 'File > Open Folder…');
  }
  if (folders.length === 1) return folders[0]!.uri.fsPath;
  const picked = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Which folder should the agent work in?' });
  return picked?.uri.fsPath;
}

export async function runAgent(services: Services, runnerArg?: unknown): Promise<void> {
  requireTrust('start agents');
  const registry = services.switchboard().runs;
  const runner = typeof runnerArg === 'string' ? runnerArg : await pickRunner(services);
  if (!runner) return;
  let command: string | undefined;
  if (runner === 'custom' && !services.settings().config.runners.custom?.command) {
    command = await vscode.window.showInputBox({
      title: 'Run Agent: custom command',
      prompt: 'The command to start; {prompt} is replaced by the prompt (no shell is involved)',
      placeHolder: 'my-agent --task {prompt}',
      ignoreFocusOut: true,
    });
    if (!command) return;
  }
  const prompt = await vscode.window.showInputBox({
    title: `Run Agent: ${getRunner(runner).displayName}`,
    prompt: 'What should the agent do?',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the agent should do.'),
  });
  if (!prompt) return;
  const limitsText = await vscode.window.showInputBox({
    title: `Run Agent: ${getRunner(runner).displayName}: limits`,
    prompt: 'Stop it when it crosses any of these (optional; Enter for none)',
    placeHolder: '$0.50  200k tokens  30m',
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        parseLimitsText(value);
        return undefined;
      } catch (error) {
        return errorMessage(error);
      }
    },
  });
  if (limitsText === undefined) return;
  const limits = parseLimitsText(limitsText);
  const cwd = await pickFolder();
  if (!cwd) return;
  const run = await registry.run({ runner, prompt, cwd, command, ...(limits ? { limits } : {}) });
  if (run.status === 'queued') {
    services.logger.info(`[commands] ${run.name} (${run.id}) waits for a slot in pool ${run.pool}`);
    vscode.window.setStatusBarMessage(`$(clock) ${run.name} waits for a slot in pool ${run.pool}; it starts by itself when one frees`, 5000);
    return;
  }
  services.logger.info(`[commands] started ${run.name} (${run.id}) with ${runner} in ${cwd}`);
  vscode.window.setStatusBarMessage(`$(play) Started ${run.name} (pid ${run.agent?.pid ?? '?'}); click its row for its output`, 5000);
}
