/** Asks which model a run of a runner uses (see modelChoices); the custom runner takes none and is not asked. */
import * as vscode from 'vscode';
import { getRunner } from '../../core/runners/runnerTable';
import type { Services } from '../services';
import { modelChoices, modelProblem } from './modelChoices';

/** `{}` for the runner's default (and for custom), `{ model }` for one picked or typed; undefined when given up. */
export async function pickModel(services: Services, runner: string, title: string): Promise<{ model?: string } | undefined> {
  if (runner === 'custom') return {};
  const choices = modelChoices(runner, services.settings().config);
  const picked = await vscode.window.showQuickPick(choices, { title, placeHolder: `Which model should ${getRunner(runner).displayName} use?`, ignoreFocusOut: true, matchOnDescription: true });
  if (!picked) return undefined;
  if (picked.choice === 'default') return {};
  if (picked.choice === 'known') return { model: picked.model! };
  const typed = await vscode.window.showInputBox({ title, prompt: `The model for ${getRunner(runner).displayName}, as its CLI names it`, placeHolder: 'claude-sonnet-4-5, gpt-5, gemini-2.5-pro', ignoreFocusOut: true, validateInput: modelProblem });
  return typed === undefined ? undefined : { model: typed.trim() };
}
