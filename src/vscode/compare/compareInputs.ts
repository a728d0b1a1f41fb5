/**
 * What Compare Agents asks: the prompt, which installed runners take it (two or more, a runner twice
 * to compare it with itself: two models, or the same one twice), the model of each (its default, a
 * known one, or one typed), and the gates run in each worktree whose run is done (those detected in
 * the workspace, to confirm or uncheck, and any added as name=command).
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
  for (const [i, runner] of runners.entries()) {
    const picked = await pickModel(services, runner, `${COMPARE_TITLE}: model for ${contenderName(runners, i)}`);
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

/** `Codex`, or `Codex (run 2)` when the runner is a contender more than once. */
export function contenderName(runners: string[], i: number): string {
  const runner = runners[i]!;
  const name = getRunner(runner).displayName;
  return runners.filter((r) => r === runner).length > 1 ? `${name} (run ${runners.slice(0, i + 1).filter((r) => r === runner).length})` : name;
}

type RunnerItem = vscode.QuickPickItem & { runner: string; order: number };

/** Each installed runner, then each again under a separator: checking both compares a runner with itself. */
async function pickRunners(services: Services): Promise<string[] | undefined> {
  const installed = await installedRunnerItems(services);
  const notInstalled = installed.missing.length ? ` (not installed: ${installed.missing.join(', ')} — see Doctor)` : '';
  if (installed.items.length === 0) throw new SwitchboardError('runner_not_installed', `Compare Agents needs an agent CLI that works; none does${notInstalled}.`, 'Install one, or set its path in the settings.');
  const first: RunnerItem[] = installed.items.map((item, order) => ({ ...item, order }));
  const second: RunnerItem[] = installed.items.map((item, order) => ({ label: `${item.label} (second run)`, description: 'another model, or the same one twice', runner: item.runner, order }));
  const items = [...first, { label: 'A second run of the same agent', kind: vscode.QuickPickItemKind.Separator }, ...second] as RunnerItem[];
  let placeHolder = `Which agents take it? Two or more, or one twice${notInstalled}`;
  for (;;) {
    const picked = await vscode.window.showQuickPick(items, { title: `${COMPARE_TITLE}: agents`, placeHolder, canPickMany: true, ignoreFocusOut: true });
    if (!picked) return undefined;
    if (picked.length >= 2 && picked.length <= MAX_CONTENDERS) return [...picked].sort((a, b) => a.order - b.order).map((p) => p.runner);
    for (const item of items) item.picked = picked.includes(item);
    placeHolder = picked.length < 2 ? 'Pick two agents or more, or one and its second run, to compare.' : `Pick at most ${MAX_CONTENDERS}.`;
  }
}
