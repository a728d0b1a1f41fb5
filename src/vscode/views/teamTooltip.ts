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
import { appendFenced, appendHeading, appendRows, discoveryTooltip, tooltip } from './tooltipText';

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
  if (!task) return undefined;
  appendHeading(md, `${task.id}: ${task.title}`, task.status);
  if (task.description) {
    md.appendText(task.description);
    md.appendMarkdown('\n\n');
  }
  appendRows(md, [
    ['Depends on', task.dependsOn.join(', ') || 'nothing'],
    ['Role', task.role],
    ['Worker', task.worker],
    ['Attempts', task.attempts || undefined],
    ['Commit', task.result?.commit?.slice(0, 12)],
    ['Changed files', task.result?.changedFiles?.join(', ')],
    ['Summary', task.result?.summary],
    ['Reason', task.reason],
  ]);
  return md;
}
