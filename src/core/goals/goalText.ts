/**
 * Goals as text for people, shared by the CLI and the Goals view in VS Code: the budget figures
 * (`$2.50/$10 · 125k/500k tok · 20m/8h`), a goal's place in its loop (`execution · iteration 2/5`)
 * and its proof (plain text or Markdown).
 */
import { budgetLine, type BudgetState } from './budget';
import { formatBudgetTime } from './duration';
import type { GoalProof } from './goalProof';
import type { GoalRecord } from './goalRecord';

/**
 * How budget figures are written: `$2.50`, `$10`, `$12.50`, `$0.0025`, `125k`, `1500`, `20m`. Rounding
 * stays below what a budget can tell: a cent budget is not shown as `$0.00`, nor $12.50 as `$13`, nor
 * 1400 tokens of 1500 as `1k/2k`.
 */
export const BUDGET_FIGURES = {
  usd: (n: number): string => `$${n > 0 && n < 0.01 ? n.toFixed(4) : n >= 10 && Number.isInteger(n) ? n : n.toFixed(2)}`,
  tokens: (n: number): string => (n >= 10_000 ? `${Math.round(n / 1000)}k` : String(n)),
  time: formatBudgetTime,
};

/** What the goal spent against the limits it has: `$2.50/$10 · 125k/500k tok · 20m/8h`. */
export const goalBudgetLine = (goal: GoalRecord, budget: BudgetState): string => budgetLine(goal, budget.spend, BUDGET_FIGURES);

/** `execution · iteration 2/5`. */
export const goalPlace = (goal: Pick<GoalRecord, 'phase' | 'iteration' | 'maxIterations'>): string => `${goal.phase} · iteration ${goal.iteration}/${goal.maxIterations}`;

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
