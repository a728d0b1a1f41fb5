/** Comparisons as text for people: a table (or a Markdown one) of the contenders, and a one-line summary. */
import { formatDuration, formatTokens, formatUsd, table } from '../render';
import type { CompareRecord, CompareRow, CompareView } from './compareRecord';

const HEADERS = ['RUNNER', 'MODEL', 'STATUS', 'TIME', 'TOKENS', 'COST', 'GATES', 'FILES', 'DIFF', 'RUN'];

/** `pass`, `FAIL: test, lint`, `skipped (its run ended failed)`, `-` without gates, `…` not yet run. */
function gatesCell(row: CompareRow, gates: number): string {
  if (row.gates) return row.gates.passed ? 'pass' : `FAIL: ${row.gates.results.filter((r) => !r.passed).map((r) => r.name).join(', ') || 'not all ran'}`;
  if (row.gatesSkipped) return `skipped (${row.gatesSkipped})`;
  return gates === 0 || row.status === 'not started' ? '-' : '…';
}

function cells(row: CompareRow, gates: number): string[] {
  const usage = row.usage;
  return [
    row.runner,
    row.model ?? '(default)',
    row.error ? `not started: ${row.error}` : row.status,
    row.elapsedMs === undefined ? '' : formatDuration(row.elapsedMs),
    usage ? formatTokens(usage) : '',
    usage ? formatUsd(usage) : '',
    gatesCell(row, gates),
    row.files === undefined ? '' : String(row.files),
    row.insertions === undefined ? '' : `+${row.insertions} -${row.deletions ?? 0}`,
    row.name ?? '',
  ];
}

/** `done: 2 of 3 runs done, 1 passed its gates`. */
export function compareSummary(record: CompareRecord): string {
  const started = record.entries.filter((e) => e.runId).length;
  const done = record.entries.filter((e) => e.outcome?.status === 'done').length;
  const passed = record.entries.filter((e) => e.gates?.passed).length;
  const ended = record.entries.filter((e) => e.outcome).length;
  const gates = record.gates.length ? `, ${passed} passed its gates` : '';
  return `${started} of ${record.entries.length} run(s) started, ${ended} ended (${done} done)${gates}`;
}

function heading(view: CompareView): string[] {
  const { record } = view;
  const status = view.owned ? record.status : `${record.status}, but the process that ran it has exited (its gates were not run)`;
  const gates = record.gates.length ? record.gates.map((g) => `${g.name}=${typeof g.command === 'string' ? g.command : g.command.join(' ')}`).join('; ') : 'none';
  return [`${record.id} ${status}: ${JSON.stringify(record.prompt.length > 100 ? `${record.prompt.slice(0, 99)}…` : record.prompt)}`, `in ${record.workspace}; gates: ${gates}`];
}

const footer = (view: CompareView): string => {
  const names = view.rows.filter((r) => r.name).map((r) => r.name!);
  return names.length ? `See one's changes with \`switchboard diff <run>\`, bring them in with \`switchboard merge <run>\`, remove the worktrees with \`switchboard cleanup <run>\`.` : '';
};

export function renderCompare(view: CompareView): string {
  const gates = view.record.gates.length;
  return [...heading(view), '', table(HEADERS, view.rows.map((r) => cells(r, gates))), '', footer(view)].join('\n').trimEnd();
}

const mdCell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ') || ' ';

/** `end`: the paragraph after the table (by default, how to diff, merge and clean up with the CLI). */
export function renderCompareMarkdown(view: CompareView, end = footer(view)): string {
  const gates = view.record.gates.length;
  const [title, where] = heading(view);
  const rows = view.rows.map((r) => `| ${cells(r, gates).map(mdCell).join(' | ')} |`);
  return [`## Comparison ${title}`, '', where, '', `| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => ' --- ').join('|')}|`, ...rows, '', end].join('\n').trimEnd();
}

/** One line per comparison, for `compare list`. */
export function renderCompareList(records: readonly CompareRecord[]): string {
  if (records.length === 0) return 'No comparisons yet. Start one with: switchboard compare "<prompt>" --runners claude,codex';
  return table(['ID', 'STATUS', 'STARTED', 'RUNNERS', 'PROMPT'], records.map((r) => [r.id, r.status, new Date(r.createdAt).toISOString(), r.entries.map((e) => (e.model ? `${e.runner}:${e.model}` : e.runner)).join(','), r.prompt.replace(/\s+/g, ' ').slice(0, 60)]));
}
