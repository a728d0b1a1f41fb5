/** Steer, Interrupt, Kill and Kill All: acting on running agents. */
import * as vscode from 'vscode';
import { isFinished } from '../../core/runs/types';
import { getRunner, runnerOfRun } from '../../core/runners/runnerTable';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickRun } from './pickRun';

const SOURCE = 'vscode';
const running = { filter: (r: { status: string }) => r.status === 'running', none: 'No agent is running.' };

export async function steerAgent(services: Services, arg?: unknown): Promise<void> {
  requireTrust('steer agents');
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, {
    filter: (r) => r.status === 'running' && getRunner(r.runner).steering !== 'none',
    placeHolder: 'Which agent should be steered?',
    none: 'No running agent can be steered (custom commands cannot).',
  });
  if (!run) return;
  const message = await vscode.window.showInputBox({
    title: `Steer ${run.name}`,
    prompt: runnerOfRun(run)?.steering === 'live' ? 'Delivered live on the agent\'s input' : 'The agent is interrupted and resumes its session with this message',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the agent should do differently.'),
  });
  if (!message) return;
  const result = await registry.steer(run.id, message, SOURCE);
  vscode.window.setStatusBarMessage(`Steered ${run.name} (${result.delivery === 'live' ? 'live' : 'interrupt + resume'})`, 4000);
}

export async function interruptAgent(services: Services, arg?: unknown): Promise<void> {
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, { ...running, placeHolder: 'Which agent should be interrupted?' });
  if (!run) return;
  await registry.interrupt(run.id, SOURCE);
}

export async function killAgent(services: Services, arg?: unknown): Promise<void> {
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, { ...running, placeHolder: 'Which agent should be killed?' });
  if (!run) return;
  const result = await registry.kill(run.id, { source: SOURCE });
  if (!result.killed && !isFinished(result.status)) {
    void vscode.window.showWarningMessage(`${run.name} could not be killed: it is ${result.status} with no agent process yet, and its supervisor does not answer. Try again in a moment.`);
    return;
  }
  vscode.window.setStatusBarMessage(result.killed ? `Killed ${run.name} and its process tree` : `${run.name} had already finished (${result.status})`, 4000);
}

export async function killAllAgents(services: Services): Promise<void> {
  const registry = services.switchboard().runs;
  const runs = registry.list().filter((r) => !isFinished(r.status));
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('No agent is running.');
    return;
  }
  const answer = await vscode.window.showWarningMessage(
    `Kill all ${runs.length} running agent${runs.length === 1 ? '' : 's'}?`,
    { modal: true, detail: runs.map((r) => r.name).join(', ') },
    'Kill All',
  );
  if (answer !== 'Kill All') return;
  await Promise.all(runs.map((r) => registry.kill(r.id, { source: SOURCE })));
}

const waiting = { filter: (r: { status: string; waiting?: unknown }) => r.status === 'running' && !!r.waiting, none: 'No agent is waiting for an approval.' };

/** Allow or deny the tool call an agent waits on (its oldest, if it asked several). */
export async function answerAgentRequest(services: Services, arg: unknown, allow: boolean): Promise<void> {
  if (allow) requireTrust('let agents run tools');
  const registry = services.switchboard().runs;
  const run = await pickRun(registry, arg, { ...waiting, placeHolder: allow ? 'Whose request should be allowed?' : 'Whose request should be denied?' });
  if (!run) return;
  const message = allow ? undefined : await vscode.window.showInputBox({ title: `Deny ${run.name}'s request`, prompt: 'Tell the agent why, or what to do instead (optional)', ignoreFocusOut: true });
  if (message === undefined && !allow) return;
  const result = await registry.approve(run.id, allow, SOURCE, message || undefined);
  vscode.window.setStatusBarMessage(`${allow ? 'Allowed' : 'Denied'} ${run.name}'s ${result.tool}`, 4000);
}
