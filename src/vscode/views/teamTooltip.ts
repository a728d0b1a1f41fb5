/**
 * The Teams view's tooltips, built only for the row being hovered (resolveTreeItem): a team's
 * status report, a worker's place and run, a task's dependencies and result, a discovery. Agent
 * text in them (task titles, descriptions, reasons) is escaped (MarkdownString.appendText) or
 * fenced, never read as Markdown.
 */
import type * as vscode from 'vscode';
import { renderTeamStatus } from '../../core/teams/teamText';
import type { TeamSnapshot } from '../teams/teamWatcher';
import type { TeamNode } from './teamNodes';
import { appendFenced, appendHeading, appendRows, discoveryTooltip, taskTooltip, tooltip } from './tooltipText';

export function teamTooltip(node: TeamNode, snapshot: TeamSnapshot): vscode.MarkdownString | undefined {
  const md = tooltip();
  const { team } = snapshot.view;
  if (node.kind === 'discovery') {
    const found = snapshot.discoveries.find((d) => d.id === node.discovery);
    return found && discoveryTooltip(found);
  }
  if (node.kind === 'team' || node.kind === 'workers' || node.kind === 'tasks' || node.kind === 'discoveries') {
    appendFenced(md, renderTeamStatus(snapshot.view));
    return md;
  }
  if (node.kind === 'worker') {
    const worker = snapshot.view.workers.find((w) => w.name === node.worker);
    if (!worker) return undefined;
    appendHeading(md, worker.name, worker.run?.status ?? 'idle');
    const run = worker.run && snapshot.runs.get(worker.run.id);
    appendRows(md, [
      ['Role', worker.role],
      ['Runner', worker.runner],
      ['Branch', worker.branch],
      ['Works in', worker.cwd],
      ['Run', worker.run && `${worker.run.name} (${worker.run.task ?? ''})`],
      ['Error', run?.lastError],
    ]);
    return md;
  }
  const task = team.tasks.find((t) => t.id === node.task);
  return task && taskTooltip(task);
}
