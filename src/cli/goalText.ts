/** Goals as the CLI shows them to people: a status block (text or Markdown), the proof, and the one-line progress. */
import type { GoalStatusView } from '../core/goals/goalService';
import { goalBudgetLine, renderProof } from '../core/goals/goalText';
import { graphSummary } from '../core/goals/goalTasks';

// The budget figures and the proof are written as VS Code writes them (core/goals/goalText.ts).
export { goalBudgetLine, renderProof };

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
