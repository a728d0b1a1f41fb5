/**
 * The Teams view's tooltips, built only for the row being hovered (resolveTreeItem): a team's
 * status report, a worker's place and run, a task's dependencies and result. Agent text in them
 * (task titles, descriptions, reasons) is escaped (MarkdownString.appendText) or fenced, never read
 * as Markdown.
 */
import * as vscode from 'vscode';
import { renderTeamStatus } from '../../core/teams/teamText';
import type { TeamSnapshot } from '../teams/teamWatcher';
import type { TeamNode } from './teamItems';

/** Text fenced so that nothing in it (a task title with backticks, say) is read as Markdown. */
function appendFenced(md: vscode.MarkdownString, text: string): void {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  md.appendMarkdown(`\n${fence}text\n${text}\n${fence}\n`);
}

function appendRows(md: vscode.MarkdownString, rows: [string, string | number | undefined][]): void {
  for (const [key, value] of rows) {
    if (value === undefined || value === '') continue;
    md.appendMarkdown(`${key}: `);
    md.appendText(String(value));
    md.appendMarkdown('  \n');
  }
}

export function teamTooltip(node: TeamNode, snapshot: TeamSnapshot): vscode.MarkdownString | undefined {
  const md = new vscode.MarkdownString();
  md.supportHtml = false;
  const { team } = snapshot.view;
  if (node.kind === 'team' || node.kind === 'workers' || node.kind === 'tasks') {
    appendFenced(md, renderTeamStatus(snapshot.view));
    return md;
  }
  if (node.kind === 'worker') {
    const worker = snapshot.view.workers.find((w) => w.name === node.worker);
    if (!worker) return undefined;
    md.appendMarkdown('**');
    md.appendText(worker.name);
    md.appendMarkdown(`** — ${worker.run?.status ?? 'idle'}\n\n`);
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
  md.appendMarkdown('**');
  md.appendText(`${task.id}: ${task.title}`);
  md.appendMarkdown(`** — ${task.status}\n\n`);
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
