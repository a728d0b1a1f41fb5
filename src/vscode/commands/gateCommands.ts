/**
 * The gate commands: Run Gates Now (a goal's gates on its checkout, each through its breaker, the
 * results in a read-only document), Reset Gate (one breaker, from its row, a notification or the
 * palette) and Reset All Gates (of a goal's workspace, or of every workspace this window knows).
 * A reset goes to the feed, so a goal blocked on that breaker goes on, whichever process runs it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { Breakers } from '../../core/gates/breakers';
import { renderGateResult, gatesVerdict } from '../../core/gates/gateText';
import { resetGates } from '../../core/gates/resetGates';
import { runGates } from '../../core/gates/runGates';
import type { Switchboard } from '../../core/switchboard';
import { givenGoal, pickGoal } from '../goals/pickGoal';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import type { GoalUi } from './goalCommands';
import { localFolders } from '../localFolders';

export async function runGatesNow(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  requireTrust('run gates');
  const picked = await pickGoal(ui.watcher, arg, { filter: (s) => s.view.goal.gates.length > 0 && fs.existsSync(s.view.goal.checkout), placeHolder: 'Whose gates?', none: 'No goal has gates and a checkout to run them on.' });
  if (!picked) return;
  const { goal } = picked.view;
  if (goal.gates.length === 0) throw new SwitchboardError('invalid_argument', `Goal ${goal.id} has no gates.`);
  if (!fs.existsSync(goal.checkout)) throw new SwitchboardError('bad_cwd', `The checkout of goal ${goal.id} (${goal.checkout}) is gone.`);
  const sb = services.switchboard();
  const started = new Date();
  const results = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Running the gates of "${goal.normalizedGoal}"`, cancellable: true }, (progress, token) => {
    const abort = new AbortController();
    token.onCancellationRequested(() => abort.abort());
    return runGates(goal.gates, {
      stateDir: sb.stateDir,
      workspace: goal.workspace,
      cwd: goal.checkout,
      feed: sb.feed,
      policy: sb.runs.config.gates,
      signal: abort.signal,
      onResult: (r) => progress.report({ message: `${r.name} ${r.passed ? 'passed' : 'failed'}`, increment: 100 / goal.gates.length }),
      warn: (m) => services.logger.warn(`[gates] ${m}`),
    });
  });
  ui.watcher.reread(goal.id);
  const verdict = gatesVerdict(results);
  const text = [`Gates of goal ${goal.id} ("${goal.normalizedGoal}"), run on ${goal.branch} in ${goal.checkout} at ${started.toLocaleString()}`, '', ...results.map((r) => renderGateResult(r)), '', verdict.text, ''].join('\n');
  await vscode.window.showTextDocument(ui.documents.gateRunUri(goal.id, text), { preview: false });
  const message = `Goal "${goal.normalizedGoal}": ${verdict.text}.`;
  void (verdict.ok ? vscode.window.showInformationMessage(message) : vscode.window.showWarningMessage(message));
}

/** The workspaces whose breakers a command may reset: the given goal's, else this window's folders and every goal's. */
function workspaces(sb: Switchboard, ui: GoalUi, arg: unknown): string[] {
  const id = givenGoal(arg);
  if (id) return [(ui.watcher.get(id)?.view.goal ?? sb.goals.get(id)).workspace];
  return [...new Set([...localFolders(), ...ui.watcher.list().map((s) => s.view.goal.workspace)])];
}

export async function resetGate(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const sb = services.switchboard();
  const gate = (arg as { gate?: unknown } | undefined)?.gate;
  let target: { workspace: string; gate: string } | undefined;
  if (typeof gate === 'string') target = { workspace: workspaces(sb, ui, arg)[0]!, gate };
  else {
    const open = workspaces(sb, ui, arg).flatMap((workspace) => new Breakers(sb.stateDir, workspace).status().filter((b) => b.state !== 'Closed').map((b) => ({ workspace, breaker: b })));
    if (open.length === 0) throw new SwitchboardError('invalid_argument', 'No gate has an open or half-open breaker.');
    const picked = await vscode.window.showQuickPick(
      open.map(({ workspace, breaker }) => ({ label: breaker.gateName, description: `${breaker.state} · ${breaker.failureCount} failure(s) in a row · ${path.basename(workspace)}`, detail: workspace, value: { workspace, gate: breaker.gateName } })),
      { placeHolder: 'Which gate\'s breaker should be reset to Closed?', matchOnDescription: true },
    );
    target = picked?.value;
  }
  if (!target) return;
  const answer = await resetGates(new Breakers(sb.stateDir, target.workspace, { feed: sb.feed }), { gate: target.gate });
  rereadGoalsOf(ui, [target.workspace]);
  void vscode.window.showInformationMessage(answer.summary);
}

export async function resetAllGates(services: Services, ui: GoalUi, arg: unknown): Promise<void> {
  const sb = services.switchboard();
  const places = workspaces(sb, ui, arg);
  const summaries = await Promise.all(places.map((workspace) => resetGates(new Breakers(sb.stateDir, workspace, { feed: sb.feed }), { all: true })));
  rereadGoalsOf(ui, places);
  const reset = summaries.filter((s) => s.reset.length > 0);
  void vscode.window.showInformationMessage(reset.length ? reset.map((s) => s.summary).join(' ') : 'No gate had an open or half-open breaker; nothing to reset.');
}

function rereadGoalsOf(ui: GoalUi, places: string[]): void {
  for (const s of ui.watcher.list()) if (places.includes(s.view.goal.workspace)) ui.watcher.reread(s.view.goal.id);
}
