/**
 * A goal's budget report and replay for people: the CLI's text and Markdown (`goal budget`, `goal
 * replay`, `--follow` one entry at a time) and VS Code's read-only documents, written once here.
 */
import { BUDGET_FIGURES } from '../core/goals/goalText';
import { table } from '../core/render';
import type { BudgetReportShape, ReplayShape } from './goalShapes';

type ReplayEntry = ReplayShape['timeline'][number];

/** A goal's budget report for people: limits and use, the checkpoints, and where the spend went. */
export function renderBudgetReport(report: BudgetReportShape, md: boolean): string {
  const of = (used: string, limit: string | null): string => (limit === null ? used : `${used} of ${limit}`);
  const head = [
    `${md ? '# ' : ''}Budget of ${report.goal_id}`,
    `${of(`$${report.estimated_cost_usd.toFixed(4)}`, report.budget_usd === null ? null : BUDGET_FIGURES.usd(report.budget_usd))} · ${of(`${report.used_tokens} tokens`, report.budget_tokens === null ? null : String(report.budget_tokens))} · ${of(`${report.spent_seconds} s`, report.total_budget_secs === null ? null : `${report.total_budget_secs} s (${report.budget_time})`)}`,
  ];
  const checkpoints = table(['CHECKPOINT', 'AT', 'STATUS', 'PHASE', 'ELAPSED', 'TOKENS', 'USD'], report.checkpoints.map((c) => [c.label, c.recorded_at.slice(11, 19), c.status, c.phase, `${c.elapsed_since_created_secs}s`, String(c.used_tokens), `$${c.estimated_cost_usd.toFixed(4)}`]));
  const spend = (title: string, lines: BudgetReportShape['breakdown']['by_runner']): string[] => [
    md ? `\n## By ${title}` : `by ${title}:`,
    ...lines.map((l) => `${md ? '- ' : '  '}${l.key}: $${l.usd.toFixed(4)} (${l.usd_source}), ${l.tokens} tokens, ${l.runs} run(s)`),
  ];
  return [
    ...head,
    md ? '\n## Checkpoints\n```' : 'checkpoints:',
    checkpoints,
    ...(md ? ['```'] : []),
    ...spend('runner', report.breakdown.by_runner),
    ...spend('model', report.breakdown.by_model),
    ...spend('worker', report.breakdown.by_worker),
    ...spend('task', report.breakdown.by_task),
  ].join('\n');
}

/** The replay's heading: a line of text, or a Markdown title and the head of the timeline's table. */
export function replayHeading(shape: ReplayShape, md: boolean): string {
  return md
    ? `# Replay of ${shape.goal_id} (${shape.status}, ${shape.phase})\n\n| # | at | kind | actor | summary |\n| --- | --- | --- | --- | --- |`
    : `replay of ${shape.goal_id}: ${shape.status}, ${shape.phase}, ${shape.event_count} event(s)`;
}

/** One entry of the timeline: a row of the Markdown table, or an aligned line of text. */
export function replayEntryLine(e: ReplayEntry, md: boolean): string {
  return md
    ? `| ${e.index} | ${e.ts.slice(11, 23)} | ${e.kind} | ${e.actor ?? ''} | ${e.summary.replace(/\|/g, '\\|')} |`
    : `${String(e.index).padStart(5)}  ${e.ts.slice(11, 23)}  ${e.kind.padEnd(20)} ${e.actor ? `${e.actor}: ` : ''}${e.summary}`;
}

/** The whole replay as one document: the heading, the timeline, then what it could not tell (the CLI says those on stderr). */
export function renderReplay(shape: ReplayShape, md: boolean): string {
  const notes = [
    ...(shape.recovery_status ? [`Recovery: ${shape.recovery_status}.`] : []),
    ...shape.known_gaps.map((gap) => `Known gap: ${gap}.`),
    ...(shape.duplicate_events ? [`${shape.duplicate_events} change(s) told more than once, counted once.`] : []),
    ...(shape.parse_failures ? [`${shape.parse_failures} damaged line(s) skipped.`] : []),
  ];
  return [replayHeading(shape, md), ...shape.timeline.map((e) => replayEntryLine(e, md)), ...(notes.length ? ['', ...notes.map((n) => (md ? `- ${n}` : n))] : [])].join('\n');
}
