/** What the notification of a run that ended says (a failure has its own): how it ended, in how long, for what, then its answer or where its work is. */
import { elapsed, formatDuration, formatTokens, formatUsd } from '../../core/render';
import type { RunRecord } from '../../core/runs/types';

const ANSWER_CHARS = 200;

export function endedMessage(run: RunRecord, now = Date.now()): string {
  const how = run.status === 'done' ? 'finished' : `was ${run.status}`;
  const figures = [formatDuration(elapsed(run, now)), formatTokens(run.usage), formatUsd(run.usage)].filter(Boolean).join(' · ');
  const head = `Agent ${run.name} ${how} (${figures})`;
  if (run.worktree) return `${head}; its work is on branch ${run.worktree.branch}.`;
  const answer = run.resultText?.trim().split('\n')[0];
  if (!answer) return `${head}.`;
  return `${head}: ${answer.length > ANSWER_CHARS ? `${answer.slice(0, ANSWER_CHARS)}…` : answer}`;
}

/** The buttons it offers: a run in a worktree of its own has its diff, and once done its merge. */
export function endedActions(run: RunRecord): string[] {
  if (!run.worktree) return ['Show Output'];
  return ['Open Diff', ...(run.status === 'done' ? ['Merge…'] : []), 'Show Output'];
}
