/**
 * What Compare Agents asks: the prompt, which installed runners take it (two or more), the model of
 * each (its default, a known one, or one typed), and the gates run in each worktree whose run is
 * done (those detected in the workspace, to confirm or uncheck, and any added as name=command).
 */
import * as vscode from 'vscode';
import { MAX_CONTENDERS, type CompareOptions } from '../../core/compare/compareService';
import { SwitchboardError } from '../../core/errors';
import { getRunner } from '../../core/runners/runnerTable';
import { pickGates } from '../gatePicks';
import { pickModel } from '../runs/pickModel';
import { askCustomCommand, installedRunnerItems } from '../runs/runnerInputs';
import type { Services } from '../services';

export const COMPARE_TITLE = 'Compare Agents';

export type CompareInputs = Pick<CompareOptions, 'prompt' | 'runners' | 'models' | 'gates' | 'command'>;

/** Undefined when the user gave up along the way. */
export async function askCompareInputs(services: Services, workspace: string): Promise<CompareInputs | undefined> {
  const prompt = await vscode.window.showInputBox({
    title: COMPARE_TITLE,
    prompt: 'What should every agent do? Each gets the same prompt, in a worktree of its own.',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the agents should do.'),
  });
  if (!prompt) return undefined;
  const runners = await pickRunners(services);
  if (!runners) return undefined;
  const custom = runners.includes('custom') ? await askCustomCommand(services, COMPARE_TITLE) : {};
  if (!custom) return undefined;
  const models: (string | undefined)[] = [];
  for (const runner of runners) {
    const picked = await pickModel(services, runner, `${COMPARE_TITLE}: model for ${getRunner(runner).displayName}`);
    if (!picked) return undefined;
    models.push(picked.model);
  }
  const gates = await pickGates(workspace, {
    title: COMPARE_TITLE,
    found: 'Gates run in the worktree of each run that is done (found in the workspace; uncheck or add)',
    none: 'No gates found in the workspace: add one, or go on without (the table still compares time, cost and changes)',
    runsIn: 'in the worktree of each run that is done',
  });
  if (!gates) return undefined;
  return { prompt, runners, models, gates, ...custom };
}

async function pickRunners(services: Services): Promise<string[] | undefined> {
  const { items, missing } = await installedRunnerItems(services);
  const notInstalled = missing.length ? ` (not installed: ${missing.join(', ')} — see Doctor)` : '';
  if (items.length < 2) throw new SwitchboardError('runner_not_installed', `Compare Agents needs two agent CLIs that work; ${items.length ? `only ${items[0]!.label} does` : 'none does'}${notInstalled}.`, 'Install another one, or set its path in the settings.');
  let placeHolder = `Which agents take it? Two or more${notInstalled}`;
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title: `${COMPARE_TITLE}: agents`, placeHolder, canPickMany: true, ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.length >= 2 && picked.length <= MAX_CONTENDERS) return picked.map((p) => p.runner);
    for (const item of items) item.picked = picked.includes(item);
    placeHolder = picked.length < 2 ? 'Pick two agents or more to compare.' : `Pick at most ${MAX_CONTENDERS}.`;
  }
}
