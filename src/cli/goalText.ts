/** Goals as the CLI shows them to people: a status block (text or Markdown), the proof, and the one-line progress. */
import { budgetLine, type BudgetState } from '../core/goals/budget';
import { formatBudgetTime } from '../core/goals/duration';
import type { GoalProof } from '../core/goals/goalProof';
import type { GoalRecord } from '../core/goals/goalRecord';
import type { GoalStatusView } from '../core/goals/goalService';
import { graphSummary } from '../core/goals/goalTasks';
import { table } from '../core/render';
import type { BudgetReportShape } from '../ops/goalShapes';

const fmt = {
  usd: (n: number): string => `$${n.toFixed(n < 10 ? 2 : 0)}`,
  tokens: (n: number): string => (n >= 1000 ? `${Math.round(n / 1000)}k` : String(n)),
  time: formatBudgetTime,
};

export const goalBudgetLine = (goal: GoalRecord, budget: BudgetState): string => budgetLine(goal, budget.spend, fmt);

/** `goal-…: execution, iteration 1/5 · tasks 2/3 done · $0.12/$5 · 2m/1h` (key: all but the moving figures). */
export function goalProgress(view: GoalStatusView): { key: string; line: string } {
  const { goal } = view;
  const tasks = graphSummary(goal.tasks);
  const head = `goal ${goal.id}: ${goal.status === 'running' ? '' : `${goal.status}, `}${goal.phase}, iteration ${goal.iteration}/${goal.maxIterations}${tasks.total ? ` · tasks ${tasks.done}/${tasks.total} done` : ''}`;
  return { key: head, line: `${head} · ${goalBudgetLine(goal, view.budget)}` };
}

function lines(view: GoalStatusView): [string, string][] {
  const { goal } = view;
  const tasks = graphSummary(goal.tasks);
  const iterations = goal.iterations.filter((i) => i.gates).map((i) => `${i.n}: ${i.passed ? 'passed' : 'failed'} (${i.gates!.map((g) => `${g.name} ${g.passed ? 'ok' : 'failed'}`).join(', ') || 'no gates'})${i.score !== undefined ? ` score ${i.score.toFixed(2)}` : ''}`);
  return [
    ['status', `${goal.status} (${goal.phase}, iteration ${goal.iteration}/${goal.maxIterations}${goal.untilReady ? ', until ready' : ''})${view.owned ? '' : ' — its process has exited: `switchboard goal resume` takes it over'}`],
    ['objective', goal.normalizedGoal],
    ['workspace', `${goal.workspace} (branch ${goal.branch}, from ${goal.base})`],
    ['budget', goalBudgetLine(goal, view.budget) + (view.budget.spend.unpriced ? ` (${view.budget.spend.unpriced} run(s) with no price: dollars are a lower bound)` : '')],
    ['gates', goal.gates.map((g) => `${g.name}${g.required === false ? ' (optional)' : ''}`).join(', ') || 'none'],
    ['team', goal.team ? `${goal.team}, ${tasks.done}/${tasks.total} task(s) done` : tasks.total ? `${tasks.done}/${tasks.total} task(s) done` : ''],
    ['iterations', iterations.join('; ')],
    ['blocked on', goal.blockedOn ?? ''],
    ['failure', goal.failure ?? ''],
  ];
}

export function renderGoal(view: GoalStatusView): string {
  const shown = lines(view).filter(([, v]) => v);
  const width = Math.max(...shown.map(([k]) => k.length));
  return [view.goal.id, ...shown.map(([k, v]) => `  ${`${k}:`.padEnd(width + 2)}${v}`)].join('\n');
}

export function renderGoalMarkdown(view: GoalStatusView): string {
  const rows = lines(view).filter(([, v]) => v).map(([k, v]) => `| ${k} | ${v.replace(/\|/g, '\\|')} |`);
  return [`# Goal ${view.goal.id}`, '', '| | |', '| --- | --- |', ...rows].join('\n');
}

export function renderProof(proof: GoalProof, md: boolean): string {
  const list = (items: string[]): string[] => (items.length ? items.map((i) => `${md ? '- ' : '  - '}${i}`) : [md ? '- none' : '  - none']);
  const gates = proof.gates.map((g) => `${g.name}: ${g.passed ? 'passed' : g.timedOut ? 'timed out' : `failed (exit ${g.exitCode ?? 'none'})`} in ${(g.durationMs / 1000).toFixed(1)} s${g.required ? '' : ' (optional)'}`);
  const head = md ? [`# Proof of ${proof.goalId}`, '', `**${proof.readiness}**`, '', proof.summary] : [`proof of ${proof.goalId}: ${proof.readiness}`, proof.summary];
  const section = (title: string, items: string[]): string[] => (md ? ['', `## ${title}`, ...list(items)] : [`${title}:`, ...list(items)]);
  return [
    ...head,
    ...section('Gates', gates),
    ...section('Commits', proof.commits),
    ...section('Changed files', proof.changedFiles),
    ...section('Known gaps', proof.knownGaps),
    ...section('For a person to decide', proof.humanDecisionsRequired),
  ].join('\n');
}

/** A goal's budget report for people: limits and use, the checkpoints, and where the spend went. */
export function renderBudgetReport(report: BudgetReportShape, md: boolean): string {
  const of = (used: string, limit: string | null): string => (limit === null ? used : `${used} of ${limit}`);
  const head = [
    `${md ? '# ' : ''}Budget of ${report.goal_id}`,
    `${of(`$${report.estimated_cost_usd.toFixed(4)}`, report.budget_usd === null ? null : `$${report.budget_usd.toFixed(2)}`)} · ${of(`${report.used_tokens} tokens`, report.budget_tokens === null ? null : String(report.budget_tokens))} · ${of(`${report.spent_seconds} s`, report.total_budget_secs === null ? null : `${report.total_budget_secs} s (${report.budget_time})`)}`,
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
