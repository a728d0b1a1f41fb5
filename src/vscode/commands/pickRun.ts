/** The run a command acts on: the tree item it was invoked on, or one the user picks from the matching runs. */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import type { RunRegistry } from '../../core/registry/registry';
import type { RunRecord } from '../../core/runs/types';
import { runDescription } from '../views/runItem';

export async function pickRun(
  registry: RunRegistry,
  arg: unknown,
  options: { filter: (run: RunRecord) => boolean; placeHolder: string; none: string },
): Promise<RunRecord | undefined> {
  const given = (arg as { id?: unknown } | undefined)?.id;
  if (typeof given === 'string') return registry.resolve(given);
  const runs = registry.list().filter(options.filter);
  if (runs.length === 0) throw new SwitchboardError('unknown_run', options.none);
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({ label: run.name, description: runDescription(run), detail: run.prompt.slice(0, 120), run })),
    { placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.run;
}
