/**
 * The discovery commands, from a Discoveries row (of a goal or a team), a notification, or the
 * palette (which asks which): Promote Discovery… (optionally after tasks of its graph; it becomes a
 * task that the team at work, or the goal's next team, takes), Dismiss Discovery… (asks the
 * reason), Show Discovery (its row in its view). Errors go to the command table's wrapper.
 */
import * as vscode from 'vscode';
import { SETTLED_TASK_STATUSES } from '../../core/dag/task';
import { ownerOf } from '../../core/discoveries/discoveryStore';
import { canPromote, pickDiscovery, graphOf, ownerLabel, type DiscoveryUi } from '../discoveries/pickDiscovery';
import type { Services } from '../services';
import { requireTrust } from '../trust';

const pending = { filter: (d: { status: string }) => d.status === 'pending', none: 'No discovery is pending: agents have reported no work that waits for a decision.' };

export async function promoteDiscovery(services: Services, ui: DiscoveryUi, arg: unknown): Promise<void> {
  // Promoted, it is scheduled at once by a team at work.
  requireTrust('promote discoveries');
  const d = await pickDiscovery(ui, arg, {
    filter: (x) => pending.filter(x) && canPromote(ui, x),
    placeHolder: 'Which discovery should become a task?',
    none: 'No pending discovery belongs to a goal or team at work (an ended one takes no more tasks).',
  });
  if (!d) return;
  const where = ownerLabel(ui, d);
  // Tasks it may wait for: those of its graph that can still be done.
  const tasks = graphOf(ui, d).filter((t) => t.status === 'done' || !SETTLED_TASK_STATUSES.has(t.status));
  let dependsOn: string[] = [];
  if (tasks.length > 0) {
    const items = tasks.map((t) => ({ label: t.id, description: t.title, detail: t.status }));
    const picked = await vscode.window.showQuickPick(items, { title: `Promote ${d.id} "${d.title}": dependencies`, placeHolder: 'Which tasks must be done before it? (none: it can start at once)', canPickMany: true, ignoreFocusOut: true });
    if (!picked) return;
    dependsOn = picked.map((p) => p.label);
  }
  const { task } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Promoting ${d.id}` }, () => services.switchboard().discoveries.promote(d.id, ownerOf(d), dependsOn));
  reread(ui, d);
  services.logger.info(`[discoveries] promoted ${d.id} of ${where} to task ${task.id}${dependsOn.length ? ` after ${dependsOn.join(', ')}` : ''}`);
  vscode.window.setStatusBarMessage(`$(tasklist) ${d.id} is task ${task.id} of ${where}${dependsOn.length ? ` after ${dependsOn.join(', ')}` : ''}`, 5000);
}

export async function dismissDiscovery(services: Services, ui: DiscoveryUi, arg: unknown): Promise<void> {
  const d = await pickDiscovery(ui, arg, { ...pending, placeHolder: 'Which discovery should be dismissed?' });
  if (!d) return;
  const reason = await vscode.window.showInputBox({
    title: `Dismiss ${d.id} "${d.title}"`,
    prompt: 'Why is this work not wanted? (kept with it, for whoever reported it)',
    placeHolder: 'Known flake, tracked elsewhere',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'A dismissal needs a reason.'),
  });
  if (!reason) return;
  await services.switchboard().discoveries.dismiss(d.id, ownerOf(d), reason);
  reread(ui, d);
  vscode.window.setStatusBarMessage(`Dismissed ${d.id} of ${ownerLabel(ui, d)}`, 5000);
}

export async function showDiscovery(_services: Services, ui: DiscoveryUi, arg: unknown): Promise<void> {
  const d = await pickDiscovery(ui, arg, { filter: () => true, placeHolder: 'Which discovery?', none: 'No agent has reported a discovery yet.' });
  if (d) await ui.reveal(d);
}

function reread(ui: DiscoveryUi, d: { goal?: string; team?: string }): void {
  if (d.goal) ui.goals.reread(d.goal);
  else if (d.team) ui.teams.reread(d.team);
}
