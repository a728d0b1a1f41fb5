/**
 * Run Agent: pick a runner Doctor found, type the prompt, pick its model and any limits, pick the
 * folder (in a multi-root workspace), in a git repository whether it works in a worktree of its own,
 * and, when container runs are configured, where it runs (this machine, Docker, a context, a swarm); go.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../../core/errors';
import { parseLimitsText } from '../../core/runs/runLimitsInput';
import { getRunner } from '../../core/runners/runnerTable';
import { pickModel } from '../runs/pickModel';
import { askCustomCommand, installedRunnerItems, pickFolder } from '../runs/runnerInputs';
import { askWorktree } from '../runs/worktreeChoice';
import { askBackend, lookForBackends } from '../runs/backendChoice';
import type { Services } from '../services';
import { requireTrust } from '../trust';

async function pickRunner(services: Services): Promise<string | undefined> {
  const { items, missing } = await installedRunnerItems(services);
  const picked = await vscode.window.showQuickPick(items, {
    title: 'Run Agent',
    placeHolder: missing.length ? `Which agent? (not installed: ${missing.join(', ')} — see Doctor)` : 'Which agent?',
  });
  return picked?.runner;
}

export async function runAgent(services: Services, runnerArg?: unknown): Promise<void> {
  requireTrust('start agents');
  const registry = services.switchboard().runs;
  const runner = typeof runnerArg === 'string' ? runnerArg : await pickRunner(services);
  if (!runner) return;
  const backends = lookForBackends(services);
  const title = `Run Agent: ${getRunner(runner).displayName}`;
  const custom = runner === 'custom' ? await askCustomCommand(services, 'Run Agent') : {};
  if (!custom) return;
  const prompt = await vscode.window.showInputBox({
    title,
    prompt: 'What should the agent do?',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the agent should do.'),
  });
  if (!prompt) return;
  const model = await pickModel(services, runner, `${title}: model`);
  if (!model) return;
  const limitsText = await vscode.window.showInputBox({
    title: `${title}: limits`,
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
  const worktree = await askWorktree(cwd, `${title}: where`);
  if (worktree === undefined) return;
  const backend = await askBackend(backends, `${title}: runs on`);
  if (!backend) return;
  const run = await registry.run({ runner, prompt, cwd, ...custom, ...model, ...(limits ? { limits } : {}), ...(worktree ? { worktree: true } : {}), ...(backend !== 'local' ? { backend } : {}) });
  if (run.status === 'queued') {
    services.logger.info(`[commands] ${run.name} (${run.id}) waits for a slot in pool ${run.pool}`);
    vscode.window.setStatusBarMessage(`$(clock) ${run.name} waits for a slot in pool ${run.pool}; it starts by itself when one frees`, 5000);
    return;
  }
  const where = `${run.worktree ? `on branch ${run.worktree.branch}` : `in ${cwd}`}${run.container ? ` (${run.container.backend})` : ''}`;
  services.logger.info(`[commands] started ${run.name} (${run.id}) with ${runner}${run.model ? ` (${run.model})` : ''} ${where}`);
  vscode.window.setStatusBarMessage(`$(play) Started ${run.name} (${run.container ? `container ${run.container.id?.slice(0, 12) ?? 'starting'}` : `pid ${run.agent?.pid ?? '?'}`}) ${where}; click its row for its output`, 5000);
}
