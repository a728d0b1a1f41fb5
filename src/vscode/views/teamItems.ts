/**
 * How a team looks in the Teams view: the team row (status icon, `running · 3/5 done · $0.12`),
 * its Workers, Tasks and (for a team that is not a goal's) Discoveries, each worker with its
 * current run (the run's icon and click-to-output come from the Agents view's runTreeItem), each
 * task as taskItem.ts shows it, each discovery as the Goals view shows them. Every row has a
 * `print`: the text it shows, so the view redraws only rows whose print changed. Tooltips:
 * teamTooltip.ts.
 */
import * as vscode from 'vscode';
import { SETTLED_TASK_STATUSES } from '../../core/dag/task';
import { PLAN_TASK } from '../../core/teams/planner';
import { isActiveTeam, type TeamStatus } from '../../core/teams/teamStore';
import { discoveriesSummary, discoveryRow, teamTakesTasks } from '../discoveries/discoveryRows';
import type { TeamSnapshot } from '../teams/teamWatcher';
import { icon, modelTreeItem } from './icon';
import { nodeKey, type TeamNode } from './teamNodes';
import { runTreeItem } from './runItem';
import { TASK_ICONS, taskTreeItem } from './taskItem';

type Worker = TeamSnapshot['view']['workers'][number];

const TEAM_ICONS: Record<TeamStatus, [string, string?]> = {
  // The states teams and tasks share look alike, like a run's in the Agents view.
  running: TASK_ICONS.running,
  done: TASK_ICONS.done,
  failed: TASK_ICONS.failed,
  planning: ['loading~spin', 'charts.blue'],
  shutdown: ['debug-stop', 'disabledForeground'],
  interrupted: ['debug-pause', 'list.warningForeground'],
};

/** The team's status as a word: an active team whose process has exited says so. */
export function teamState(snapshot: TeamSnapshot): string {
  const { team, owned } = snapshot.view;
  return owned ? team.status : `${team.status}, orphaned`;
}

export function teamDescription(snapshot: TeamSnapshot): string {
  const { team, spend } = snapshot.view;
  const done = team.tasks.filter((t) => t.status === 'done').length;
  const tasks = team.tasks.length ? `${done}/${team.tasks.length} done` : 'no tasks yet';
  const usd = `${spend.usdKnown ? '' : '≥ '}$${spend.usd.toFixed(2)}`;
  return [teamState(snapshot), tasks, usd].join(' · ');
}

function workerDescription(worker: Worker): string {
  const run = worker.run ? `${worker.run.task === PLAN_TASK ? 'plan' : (worker.run.task ?? worker.run.name)} ${worker.run.status}` : 'idle';
  return [run, worker.role, worker.runner, worker.branch ?? 'shared folder'].join(' · ');
}

/** The row, without its tooltip; undefined when the team (or its worker or task) is gone. */
export function teamTreeItem(node: TeamNode, snapshot: TeamSnapshot, expanded: boolean): vscode.TreeItem | undefined {
  const { team } = snapshot.view;
  const none = vscode.TreeItemCollapsibleState.None;
  const open = expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  let item: vscode.TreeItem;
  let state: string;
  if (node.kind === 'team') {
    item = new vscode.TreeItem(team.name, open);
    item.description = teamDescription(snapshot);
    const [id, color] = snapshot.view.owned ? TEAM_ICONS[team.status] : ['warning', 'list.warningForeground'];
    item.iconPath = icon(id, color);
    const words = ['team', isActiveTeam(team.status) ? 'active' : 'ended'];
    if (team.workers.some((w) => w.branch)) words.push('hasBranches');
    item.contextValue = words.join(' ');
    state = teamState(snapshot);
  } else if (node.kind === 'workers' || node.kind === 'tasks') {
    const workers = node.kind === 'workers';
    item = new vscode.TreeItem(workers ? 'Workers' : 'Tasks', vscode.TreeItemCollapsibleState.Expanded);
    item.description = String(workers ? team.workers.length : team.tasks.length);
    item.iconPath = icon(workers ? 'organization' : 'checklist');
    state = item.description;
  } else if (node.kind === 'discoveries') {
    // Empty, it is a plain row saying so (no twistie that opens onto nothing).
    item = new vscode.TreeItem('Discoveries', snapshot.discoveries.length ? vscode.TreeItemCollapsibleState.Expanded : none);
    item.description = discoveriesSummary(snapshot.discoveries);
    item.iconPath = icon('lightbulb');
    item.contextValue = 'teamDiscoveries';
    state = item.description;
  } else if (node.kind === 'discovery') {
    const found = snapshot.discoveries.find((d) => d.id === node.discovery);
    if (!found) return undefined;
    const model = discoveryRow(found, teamTakesTasks(team));
    item = modelTreeItem(model);
    state = model.state;
  } else if (node.kind === 'worker') {
    const worker = snapshot.view.workers.find((w) => w.name === node.worker);
    if (!worker) return undefined;
    item = new vscode.TreeItem(worker.name, none);
    item.description = workerDescription(worker);
    const run = worker.run && snapshot.runs.get(worker.run.id);
    const runItem = run && runTreeItem(run);
    item.iconPath = runItem?.iconPath ?? icon(worker.run ? 'history' : 'circle-large-outline', 'disabledForeground');
    item.command = runItem?.command;
    item.contextValue = ['worker', ...(worker.branch ? ['hasBranch'] : []), ...(run ? ['hasRun'] : [])].join(' ');
    state = worker.run?.status ?? 'idle';
  } else {
    const task = team.tasks.find((t) => t.id === node.task);
    if (!task) return undefined;
    const row = taskTreeItem(task, snapshot.runs);
    item = row.item;
    const cancellable = !SETTLED_TASK_STATUSES.has(task.status) && isActiveTeam(team.status);
    const retryable = (task.status === 'failed' || task.status === 'cancelled') && isActiveTeam(team.status);
    item.contextValue = ['task', ...(cancellable ? ['cancellable'] : []), ...(retryable ? ['retryable'] : []), ...(row.run ? ['hasRun'] : [])].join(' ');
    state = task.status;
  }
  item.id = nodeKey(node);
  // "<label>, <state>, <description>": what a screen reader says, and what the tests find rows by.
  item.accessibilityInformation = { label: `${String(item.label)}, ${state}, ${String(item.description ?? '')}` };
  return item;
}
