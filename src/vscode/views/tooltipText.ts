/**
 * What the views' tooltips are written with: a heading, rows of `Key: value`, text in a fence, and
 * a task's and a discovery's details (the Goals and Teams views show tasks and discoveries alike). Text from agents, gates
 * and people is escaped (MarkdownString.appendText) or fenced, never read as Markdown.
 */
import * as vscode from 'vscode';
import type { Task } from '../../core/dag/task';
import type { Discovery } from '../../core/discoveries/discoveryStore';

/** A Markdown tooltip that runs no HTML. */
export function tooltip(): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.supportHtml = false;
  return md;
}

/** Text fenced so that nothing in it (a task title with backticks, say) is read as Markdown. */
export function appendFenced(md: vscode.MarkdownString, text: string): void {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  md.appendMarkdown(`\n${fence}text\n${text}\n${fence}\n`);
}

/** `Key: value` lines (the key is Markdown, the value plain text); empty values are left out. */
export function appendRows(md: vscode.MarkdownString, rows: [string, string | number | undefined][]): void {
  for (const [key, value] of rows) {
    if (value === undefined || value === '') continue;
    md.appendMarkdown(`${key}: `);
    md.appendText(String(value));
    md.appendMarkdown('  \n');
  }
}

/** **title** — state */
export function appendHeading(md: vscode.MarkdownString, title: string, state: string): void {
  md.appendMarkdown('**');
  md.appendText(title);
  md.appendMarkdown('** — ');
  md.appendText(state);
  md.appendMarkdown('\n\n');
}

export const localTime = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toLocaleString());

/** A discovery: its title and status, what it says, where it came from, and what became of it. */
export function discoveryTooltip(d: Discovery): vscode.MarkdownString {
  const md = tooltip();
  appendHeading(md, `${d.id}: ${d.title}`, d.status);
  if (d.description) appendFenced(md, d.description);
  appendRows(md, [
    ['Reported', `${localTime(d.createdAt)} ${d.via === 'mcp' ? 'through MCP (report_discovery)' : "in the agent's output"}`],
    ['During task', d.sourceTaskId],
    ['By run', d.sourceRun],
    ['Became task', d.promotedTask],
    [d.status === 'dismissed' ? 'Dismissed because' : 'Note', d.reason],
  ]);
  if (d.status === 'pending') md.appendMarkdown('\nPromote it into a task of the graph, or dismiss it with a reason.');
  return md;
}

/** A task: its title and status, what it asks, what it waits for, who did it, and what it left. */
export function taskTooltip(task: Task): vscode.MarkdownString {
  const md = tooltip();
  appendHeading(md, `${task.id}: ${task.title}`, task.status);
  if (task.description) appendFenced(md, task.description);
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
