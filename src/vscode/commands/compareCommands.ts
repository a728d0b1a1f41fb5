/**
 * Compare Agents… (one prompt, several installed runners, each in a worktree of its own, the same
 * gates run in each) and Show Comparison… (a recorded one, picked): both open the comparison's
 * document, which fills in as its runs go and ends with each contender's actions.
 */
import * as vscode from 'vscode';
import { SwitchboardError } from '../../core/errors';
import { repoForWorktree } from '../../core/registry/isolateRun';
import { askCompareInputs, COMPARE_TITLE } from '../compare/compareInputs';
import { openCompareDocument } from '../compare/compareDocuments';
import { pickFolder } from '../runs/runnerInputs';
import type { Services } from '../services';
import { requireTrust } from '../trust';

export async function compareAgents(services: Services): Promise<void> {
  requireTrust('start agents');
  const cwd = await pickFolder('Which folder should the agents work on?');
  if (!cwd) return;
  // Refused before any question: each contender works in a worktree of the folder's repository.
  await repoForWorktree(cwd);
  const inputs = await askCompareInputs(services, cwd);
  if (!inputs) return;
  const compares = services.switchboard().compares;
  const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${COMPARE_TITLE}: starting ${inputs.runners.join(', ')}…` }, () =>
    compares.start({ ...inputs, cwd, startedBy: 'vscode' }),
  );
  services.logger.info(`[compare] started ${record.id} in ${cwd}: ${record.entries.map((e) => e.name ?? `${e.runner} (${e.error})`).join(', ')}`);
  await openCompareDocument(record.id);
  vscode.window.setStatusBarMessage(`$(versions) Comparison ${record.id} started; its document fills in as the agents work`, 5000);
}

/** `arg`: a comparison's id, or its row in the Agents view; else one is picked. */
export async function showComparison(services: Services, arg?: unknown): Promise<void> {
  const row = arg as { kind?: unknown; id?: unknown } | undefined;
  const id = typeof arg === 'string' ? arg : row?.kind === 'comparison' && typeof row.id === 'string' ? row.id : await pickComparison(services);
  if (id) await openCompareDocument(id);
}

async function pickComparison(services: Services): Promise<string | undefined> {
  const records = services.switchboard().compares.list();
  if (records.length === 0) throw new SwitchboardError('unknown_compare', 'There are no comparisons yet.', 'Start one with Switchboard: Compare Agents….');
  const items = records.map((r) => ({
    label: r.id,
    description: `${r.status} · ${r.entries.map((e) => (e.model ? `${e.runner}:${e.model}` : e.runner)).join(', ')}`,
    detail: r.prompt.replace(/\s+/g, ' ').slice(0, 160),
    id: r.id,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Show Comparison', placeHolder: 'Which comparison?', matchOnDescription: true, matchOnDetail: true });
  return picked?.id;
}
