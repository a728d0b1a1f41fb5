/**
 * The team commands, from the Teams view's menus or the palette (which asks which team, worker or
 * task): Run Team, Shut Down (graceful or forced), Show DAG, Show Merge Status, Open Worker Diff,
 * Merge Worker Branch, Add Task, Cancel Task, Remove Worktrees. Errors are thrown to the command
 * table's wrapper, which logs and shows them.
 */
import * as vscode from 'vscode';
import { SETTLED_TASK_STATUSES } from '../../core/dag/task';
import { SwitchboardError } from '../../core/errors';
import { isActiveTeam, type TeamRecord } from '../../core/teams/teamStore';
import type { Services } from '../services';
import { requireTrust } from '../trust';
import { pickTask, pickTeam, pickWorker } from '../teams/pickTeam';
import { askTeamInputs } from '../teams/runTeamInputs';
import { TeamDocuments } from '../teams/teamDocuments';
import type { TeamWatcher } from '../teams/teamWatcher';
import { openWorkerDiff } from '../teams/workerDiff';

/** What the team commands work with besides the services: the view's model and the team documents. */
export interface TeamUi {
  watcher: TeamWatcher;
  documents: TeamDocuments;
}

const active = { filter: (t: TeamRecord) => isActiveTeam(t.status), none: 'No team is at work.' };
const anyTeam = { filter: () => true, none: 'There are no teams yet. Run one with Switchboard: Run Team…' };
const withBranches = (t: TeamRecord): boolean => t.workers.some((w) => w.branch);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export async function runTeam(services: Services, ui: TeamUi): Promise<void> {
  requireTrust('start teams');
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new SwitchboardError('bad_cwd', 'Open a folder first: a team works in a folder (a git repository gives each worker its own worktree).', 'File > Open Folder…');
  const inputs = await askTeamInputs(services.settings().config.teams.roles, folder.uri);
  if (!inputs) return;
  const teams = services.switchboard().teams;
  const record = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Starting team ${inputs.spec}…` }, () =>
    teams.run({ spec: inputs.spec, task: inputs.goal, tasks: inputs.tasks, workspace: folder.uri.fsPath }),
  );
  services.logger.info(`[teams] started ${record.name} (${inputs.spec}) in ${folder.uri.fsPath}: ${record.status}`);
  if (record.warning) void vscode.window.showWarningMessage(`Team ${record.name}: ${record.warning}`);
  ui.watcher.reread(record.name);
  await vscode.commands.executeCommand('switchboard.teams.focus');
  vscode.window.setStatusBarMessage(`$(organization) Team ${record.name} started with ${plural(record.workers.length, 'worker')}${record.status === 'planning' ? ', planning' : ''}`, 5000);
}

export async function shutdownTeam(services: Services, ui: TeamUi, arg: unknown, force: boolean): Promise<void> {
  const team = await pickTeam(ui.watcher, arg, { ...active, placeHolder: force ? 'Which team should be stopped at once?' : 'Which team should be shut down?' });
  if (!team) return;
  if (force) {
    const detail = 'Its agents are killed at once, without the graceful interrupt; unfinished tasks are cancelled. Committed work stays on the workers\' branches.';
    const answer = await vscode.window.showWarningMessage(`Force shut down team ${team.name}?`, { modal: true, detail }, 'Force Shut Down');
    if (answer !== 'Force Shut Down') return;
  }
  const ended = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Shutting down team ${team.name}` }, () => services.switchboard().teams.shutdown(team.name, force));
  ui.watcher.reread(team.name);
  vscode.window.setStatusBarMessage(`Team ${team.name} is ${ended.status}`, 5000);
}

export async function showTeamDag(_services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  const team = await pickTeam(ui.watcher, arg, { ...anyTeam, placeHolder: 'Whose task graph?' });
  if (team) await vscode.window.showTextDocument(TeamDocuments.dagUri(team.name), { preview: false });
}

export async function showMergeStatus(_services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  const team = await pickTeam(ui.watcher, arg, { filter: withBranches, none: 'No team has worker branches (teams in a git repository do).', placeHolder: 'Whose merge status?' });
  if (team) await vscode.window.showTextDocument(TeamDocuments.mergeStatusUri(team.name), { preview: false });
}

const branched = { filter: (w: { branch?: string }) => !!w.branch, none: 'No team worker has a branch of its own (teams in a git repository do).' };

export async function openWorkerBranchDiff(services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  const picked = await pickWorker(ui.watcher, arg, { ...branched, placeHolder: 'Whose changes?' });
  if (picked) await openWorkerDiff(services.switchboard().teams, picked.team.name, picked.worker.name);
}

export async function mergeWorker(services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  requireTrust('merge worker branches');
  const picked = await pickWorker(ui.watcher, arg, { ...branched, placeHolder: 'Whose branch should be merged?' });
  if (!picked) return;
  const { team, worker } = picked;
  const base = team.base ?? 'the branch checked out in the workspace';
  const done = team.tasks.filter((t) => t.worker === worker.name && t.status === 'done').map((t) => t.id);
  const detail = `A merge commit is made on ${base} in ${team.workspace}. Tasks done by ${worker.name}: ${done.join(', ') || 'none'}. Nothing is changed if the merge would conflict.`;
  const answer = await vscode.window.showWarningMessage(`Merge ${worker.branch} into ${base}?`, { modal: true, detail }, 'Merge');
  if (answer !== 'Merge') return;
  const merged = await services.switchboard().teams.mergeWorker(team.name, worker.name);
  ui.documents.refresh(team.name);
  const how = merged.alreadyMerged ? 'was already merged into' : `was merged into`;
  const what = merged.alreadyMerged ? '' : ` as ${merged.commit.slice(0, 12)} (${plural(merged.files.length, 'file')})`;
  void vscode.window.showInformationMessage(`${merged.branch} ${how} ${merged.base}${what}.${merged.removedWorktree ? ' Its worktree was removed.' : ''}`);
}

export async function addTeamTask(services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  requireTrust('add tasks to teams');
  const team = await pickTeam(ui.watcher, arg, { ...active, placeHolder: 'Which team gets the task?' });
  if (!team) return;
  const title = await vscode.window.showInputBox({
    title: `Add Task to ${team.name}`,
    prompt: 'What should be done?',
    ignoreFocusOut: true,
    validateInput: (value) => (value.trim() ? undefined : 'Say what the task is.'),
  });
  if (!title) return;
  let dependsOn: string[] = [];
  if (team.tasks.length > 0) {
    const items = team.tasks.map((t) => ({ label: t.id, description: t.title, detail: t.status }));
    const picked = await vscode.window.showQuickPick(items, { title: `Add Task to ${team.name}: dependencies`, placeHolder: 'Which tasks must be done first? (none: it can start at once)', canPickMany: true, ignoreFocusOut: true });
    if (!picked) return;
    dependsOn = picked.map((p) => p.label);
  }
  const [task] = await services.switchboard().teams.addTasks(team.name, [{ title, dependsOn }]);
  ui.watcher.reread(team.name);
  vscode.window.setStatusBarMessage(`Added ${task?.id ?? 'the task'} to ${team.name}${dependsOn.length ? ` after ${dependsOn.join(', ')}` : ''}`, 5000);
}

export async function cancelTeamTask(services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  const picked = await pickTask(ui.watcher, arg, {
    filter: (t, team) => isActiveTeam(team.status) && !SETTLED_TASK_STATUSES.has(t.status),
    placeHolder: 'Which task should be cancelled?',
    none: 'No task of a team at work is waiting or running.',
  });
  if (!picked) return;
  const task = await services.switchboard().teams.cancelTask(picked.team.name, picked.task.id);
  ui.watcher.reread(picked.team.name);
  vscode.window.setStatusBarMessage(`${task.id} of ${picked.team.name} is ${task.status}`, 5000);
}

export async function removeTeamWorktrees(services: Services, ui: TeamUi, arg: unknown): Promise<void> {
  const team = await pickTeam(ui.watcher, arg, { filter: (t) => !isActiveTeam(t.status) && withBranches(t), none: 'No ended team has worktrees.', placeHolder: 'Whose worktrees should be removed?' });
  if (!team) return;
  const teams = services.switchboard().teams;
  const first = await teams.removeWorktrees(team.name);
  const kept = first.filter((r) => !r.removed);
  const removed = first.length - kept.length;
  if (kept.length === 0) {
    void vscode.window.showInformationMessage(first.length ? `Removed ${plural(removed, 'worktree')} of team ${team.name}; the branches stay.` : `Team ${team.name} has no worktrees left.`);
    return;
  }
  const them = kept.length === 1 ? 'it' : 'them';
  const detail = [...kept.map((k) => `${k.worker}: ${k.reason ?? 'kept'}`), '', `Forcing discards what is uncommitted in ${them}; the branches stay, with everything committed.`].join('\n');
  const answer = await vscode.window.showWarningMessage(`${removed ? `Removed ${plural(removed, 'worktree')}; kept` : 'Kept'} ${plural(kept.length, 'worktree')} of team ${team.name}. Force-remove ${them}?`, { modal: true, detail }, 'Force Remove');
  if (answer !== 'Force Remove') return;
  const forced = await teams.removeWorktrees(team.name, { force: true, workers: kept.map((k) => k.worker) });
  void vscode.window.showInformationMessage(`Removed ${plural(forced.filter((r) => r.removed).length, 'more worktree')} of team ${team.name}; the branches stay.`);
}
