/**
 * What the budget report panel shows (no `vscode` import): spend over time from the runs (dollars
 * reported by the CLIs and estimated from the price table kept apart, tokens), the limits and the
 * warning line, the checkpoints, the breakdowns by runner, model, worker and task, what remains,
 * and for a goal its replay's timeline. For a goal (its budget report), a team, or today's runs.
 */
import { spendLines, type BudgetReport } from '../../core/goals/budgetReport';
import { WARN_AT } from '../../core/goals/budget';
import type { Replay } from '../../core/goals/replay';
import type { RunRecord } from '../../core/runs/types';
import type { BudgetReportView, SpendPoint } from '../../shared/protocol/budgetProtocol';

/** Cumulative spend, one point per run (at its end, or now while it runs), oldest first, from zero. */
export function spendSeries(runs: readonly RunRecord[], now = Date.now()): SpendPoint[] {
  const ordered = runs.map((r) => ({ at: r.endedAt ?? now, r })).sort((a, b) => a.at - b.at);
  const first = Math.min(...runs.map((r) => r.startedAt ?? r.createdAt), now);
  const points: SpendPoint[] = [{ at: first, reportedUsd: 0, estimatedUsd: 0, tokens: 0 }];
  let reportedUsd = 0;
  let estimatedUsd = 0;
  let tokens = 0;
  for (const { at, r } of ordered) {
    if (r.usage.usd !== undefined && r.usage.usdSource === 'estimated') estimatedUsd += r.usage.usd;
    else if (r.usage.usd !== undefined) reportedUsd += r.usage.usd;
    tokens += r.usage.inputTokens + r.usage.outputTokens;
    points.push({ at, reportedUsd, estimatedUsd, tokens });
  }
  return points;
}

function totals(series: SpendPoint[], runs: number): BudgetReportView['spent'] {
  const last = series.at(-1)!;
  return { usd: last.reportedUsd + last.estimatedUsd, reportedUsd: last.reportedUsd, estimatedUsd: last.estimatedUsd, tokens: last.tokens, runs };
}

/** By runner, model, worker (`workerOf`, else the run's name) and task, for runs that are not a goal's. */
export function runsBreakdown(runs: readonly RunRecord[], workerOf: (r: RunRecord) => string | undefined): BudgetReportView['breakdown'] {
  return {
    runner: spendLines(runs, (r) => r.runner),
    model: spendLines(runs, (r) => r.model ?? `${r.runner} (model not reported)`),
    worker: spendLines(runs, (r) => workerOf(r) ?? r.name),
    task: spendLines(runs, (r) => (r.links.task ? `${r.links.team ? `${r.links.team}/` : ''}${r.links.task}` : 'none')),
  };
}

/** Runs that are no goal's or team's: a team's, today's. */
export function runsReport(key: string, title: string, runs: readonly RunRecord[], workerOf: (r: RunRecord) => string | undefined, status?: string, now = Date.now()): BudgetReportView {
  const series = spendSeries(runs, now);
  return {
    key, title, at: now, warnAt: WARN_AT, limits: {}, remaining: {}, checkpoints: [],
    ...(status ? { status } : {}),
    spent: totals(series, runs.length),
    series,
    breakdown: runsBreakdown(runs, workerOf),
    ...(runs.length ? {} : { note: 'No run has spent anything here yet.' }),
  };
}

export function goalReport(key: string, title: string, report: BudgetReport, runs: readonly RunRecord[], replay: Replay | undefined, now = Date.now(), warnAt = WARN_AT): BudgetReportView {
  const series = spendSeries(runs, now);
  const n = report.now;
  const spent = totals(series, runs.length);
  const b = report.breakdown;
  return {
    key, title, status: n.status, at: now, warnAt,
    limits: { ...(n.budgetUsd !== undefined ? { usd: n.budgetUsd } : {}), ...(n.budgetTokens !== undefined ? { tokens: n.budgetTokens } : {}), ...(n.totalBudgetSecs !== undefined ? { seconds: n.totalBudgetSecs } : {}) },
    remaining: { ...(n.remainingBudgetUsd !== undefined ? { usd: n.remainingBudgetUsd } : {}), ...(n.remainingBudgetTokens !== undefined ? { tokens: n.remainingBudgetTokens } : {}), ...(n.remainingBudgetSecs !== undefined ? { seconds: n.remainingBudgetSecs } : {}) },
    spent: { ...spent, seconds: report.spent.seconds },
    series,
    checkpoints: report.checkpoints.map((c) => ({ label: c.label, at: c.recordedAt, status: c.status, usd: c.estimatedCostUsd, tokens: c.usedTokens })),
    breakdown: { runner: b.byRunner, model: b.byModel, worker: b.byWorker, task: b.byTask },
    ...(replay ? { timeline: replay.timeline } : {}),
  };
}

/** Midnight of today, local time. */
export function startOfToday(now = Date.now()): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}
