/**
 * How one agent run looks in the Agents view: icon, description, tooltip, and the menus it offers.
 * The tooltip is built only when a row is hovered (`runTooltip`, from resolveTreeItem): a Markdown
 * tooltip on every item is parsed by the extension host and again by the workbench (for its plain
 * text fallback) each time the row is drawn, about a third of the cost of redrawing a row.
 */
import * as vscode from 'vscode';
import { elapsed, formatDuration, formatLimits, formatTokens, formatUsd } from '../../core/render';
import { interactiveRefusal } from '../../core/runners/interactiveSession';
import { getRunner } from '../../core/runners/runnerTable';
import { isFinished, type RunRecord, type RunStatus } from '../../core/runs/types';
import { worktreeNotes, worktreeRows } from '../runs/worktreeText';
import { refusedWord, retryingDescription, troubleRows } from '../runs/runTroubleText';
import { offersResume } from '../commands/resumeOffer';

const ICONS: Record<RunStatus, [string, string | undefined]> = {
  queued: ['clock', undefined],
  running: ['sync~spin', 'charts.blue'],
  done: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  killed: ['circle-slash', 'disabledForeground'],
  orphaned: ['question', 'list.warningForeground'],
};

export function runDescription(run: RunRecord, now = Date.now()): string {
  if (run.waiting) return [`waiting for ${run.waiting.reason}`, run.runner, formatDuration(elapsed(run, now))].join(' · ');
  // The agent CLI retries a failed model call on its own: said first, with how long it has been at it.
  const retrying = retryingDescription(run, now);
  if (retrying) return [retrying, run.runner, formatDuration(elapsed(run, now))].join(' · ');
  return [run.runner, run.container?.backend, formatDuration(elapsed(run, now)), formatTokens(run.usage), formatUsd(run.usage), refusedWord(run), run.worktree?.branch].filter(Boolean).join(' · ');
}

/** Words the menus match on (`viewItem =~ /\brunning\b/`). */
export function runContextValue(run: RunRecord): string {
  const runner = getRunner(run.runner);
  const words = ['run', isFinished(run.status) ? 'finished' : run.status];
  if (run.status === 'running' && runner.steering !== 'none') words.push('steerable');
  if (run.status === 'running' && run.waiting) words.push('waiting');
  if (run.sessionId) words.push('hasSession');
  // Cline's runs too: Resume answers them with why it cannot (see resumeOffer.ts).
  if (offersResume(run)) words.push('resumable');
  if (!interactiveRefusal(run)) words.push('continuable');
  if (run.worktree) words.push('worktree');
  return words.join(' ');
}

export function runTooltip(run: RunRecord): vscode.MarkdownString {
  const md = new vscode.MarkdownString(undefined, true);
  md.supportHtml = false;
  md.appendMarkdown(`**${escape(run.name)}** — ${run.status}\n\n`);
  md.appendCodeblock(run.commandLine.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' '), 'shell');
  const rows: [string, string | number | undefined][] = [
    // Whose worker it is: a team's and a goal's runs are otherwise told apart only by their number.
    ['Team', run.links.team && `${run.links.team}${run.links.task ? `, task ${run.links.task}` : ''}`],
    ['Goal', run.links.goal],
    ['Folder', run.cwd],
    ['Session', run.sessionId],
    ['PID', run.agent?.pid],
    ['Runs on', run.container ? `${run.container.backend} (${run.container.endpoint})` : undefined],
    ['Container', run.container?.id?.slice(0, 12) ?? run.container?.service?.slice(0, 12)],
    ['Model', run.model],
    // A plain command reports no usage: "0 in / 0 out" would say it used none.
    ['Tokens', getRunner(run.runner).structured ? `${run.usage.inputTokens} in / ${run.usage.outputTokens} out` : undefined],
    ['Cost', run.usage.usd === undefined ? undefined : `${formatUsd(run.usage)} (${run.usage.usdSource})`],
    ['Limits', formatLimits(run.limits)],
    ...(run.worktree ? worktreeRows(run.worktree) : []),
    ['Error', run.lastError],
    ...troubleRows(run),
  ];
  for (const [key, value] of rows) if (value !== undefined && value !== '') md.appendMarkdown(`${key}: ${escape(String(value))}  \n`);
  for (const note of run.worktree ? worktreeNotes(run.worktree) : []) md.appendMarkdown(`\n${escape(note)}\n`);
  return md;
}

function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`);
}

/**
 * Everything a row shows, its tooltip included, as one string: a row is redrawn only when this
 * changes (the elapsed time makes it change once a second while the run runs).
 */
export function runFingerprint(run: RunRecord, now = Date.now()): string {
  const u = run.usage;
  return [
    run.name, run.status, runDescription(run, now), runContextValue(run), run.cwd, run.sessionId, run.agent?.pid, run.model,
    u.inputTokens, u.outputTokens, u.usd, u.usdSource, formatLimits(run.limits), run.lastError, run.commandLine.join('\0'),
    run.worktree?.end?.commit, run.worktree?.end?.error, run.container?.id ?? run.container?.service, run.retrying?.message, run.permissionDenials?.length, JSON.stringify(u.models ?? ''),
  ].join('\u0001');
}

/** The row without its tooltip (see runTooltip). */
export function runTreeItem(run: RunRecord, now = Date.now()): vscode.TreeItem {
  const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.None);
  item.id = run.id;
  const description = runDescription(run, now);
  item.description = description;
  // A run waiting for a person stands out from the spinning ones, and one whose CLI retries a failed model call spins in warning colour.
  const [icon, color] = run.status === 'running' && run.waiting ? ['bell-dot', 'list.warningForeground'] : run.status === 'running' && run.retrying ? ['sync~spin', 'list.warningForeground'] : ICONS[run.status];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.contextValue = runContextValue(run);
  item.accessibilityInformation = { label: `${run.name}, ${run.status}, ${description}` };
  item.command = { command: 'switchboard.showAgentOutput', title: 'Show Agent Output', arguments: [run] };
  return item;
}
