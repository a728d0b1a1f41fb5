/** Teams as text, for the CLI and the read-only editors: status (workers, tasks by status, spend, the DAG) and merge scores. */
import { renderDag } from '../dag/render';
import { table } from '../render';
import type { ConflictMatrix, PairScore } from '../git/mergeScore';
import type { TeamStatusView } from './teamService';

export function spendText(spend: TeamStatusView['spend']): string {
  const usd = spend.usdKnown ? `$${spend.usd.toFixed(spend.usd < 1 ? 4 : 2)}` : `at least $${spend.usd.toFixed(2)} (some runs report no cost)`;
  return `${usd}, ${spend.inputTokens.toLocaleString('en-US')} tokens in, ${spend.outputTokens.toLocaleString('en-US')} out, over ${spend.runs} run(s)`;
}

export function countsText(counts: TeamStatusView['counts']): string {
  return Object.entries(counts).map(([status, n]) => `${n} ${status}`).join(', ') || 'no tasks yet';
}

export function renderTeamStatus(view: TeamStatusView): string {
  const { team } = view;
  const head = [
    `team ${team.name}: ${team.status}${view.owned ? '' : ' (the process that ran it has exited)'} — ${team.task}`,
    ...(team.reason ? [`why: ${team.reason}`] : []),
    ...(team.warning ? [`warning: ${team.warning}`] : []),
    ...(team.plan?.rejected?.length ? team.plan.rejected.map((r, i) => `plan ${i + 1} rejected: ${r}`) : []),
    `tasks: ${countsText(view.counts)}`,
    `spend: ${spendText(view.spend)}`,
  ];
  const workers = table(
    ['WORKER', 'ROLE', 'RUNNER', 'WORKS IN', 'RUN'],
    view.workers.map((w) => [w.name, w.role, w.runner, w.branch ?? w.cwd, w.run ? `${w.run.name} ${w.run.status}${w.run.task ? ` (${w.run.task})` : ''}` : '-']),
  );
  return [...head, '', workers, '', renderDag(team.tasks)].join('\n');
}

const pairRow = (p: PairScore): string[] => [p.a, p.b, String(p.score), p.clean ? 'clean' : p.files.map((f) => `${f.path} (${f.hunks})`).join(', ')];

export function renderMergeStatus(matrix: ConflictMatrix): string {
  const headers = ['BRANCH', 'WITH', 'SCORE', 'CONFLICTS'];
  return [
    `against the base (${matrix.base}):`,
    table(headers, matrix.againstBase.map((p) => pairRow({ ...p, a: p.b, b: p.a }))),
    '',
    'between workers:',
    matrix.pairs.length ? table(headers, matrix.pairs.map(pairRow)) : '(one worker branch only)',
    '',
    'score: 0 merges cleanly; otherwise the sum over conflicting files of 1 + their conflicting hunks.',
  ].join('\n');
}
