/** One-line and detailed descriptions of a run, shared by the commands that print runs. */
import { elapsed, formatDenials, formatDuration, formatLimits, formatModels, formatStatus, formatTokens, formatUsd } from '../../core/render';
import type { RunRecord } from '../../core/runs/types';
import { keyValues } from '../output';

export function describeRun(run: RunRecord): string {
  const parts = [`${run.name} (${run.id}) ${formatStatus(run)}`, formatDuration(elapsed(run)), formatTokens(run.usage), formatUsd(run.usage)];
  if (run.lastError && run.status !== 'done') parts.push(`— ${run.lastError}`);
  if (run.permissionDenials?.length) parts.push(`— ${formatDenials(run.permissionDenials)}`);
  return parts.filter(Boolean).join('  ');
}

/** Where a run with a worktree of its own works (and that the folder's uncommitted changes are not there), for stderr; '' without one. */
export function worktreeNote({ worktree: wt, name }: RunRecord): string {
  if (!wt) return '';
  const dirty = wt.workspaceDirty ? `; ${wt.workspace} has uncommitted changes, which ${name} does not see (its worktree is made from HEAD, ${wt.baseCommit.slice(0, 12)})` : '';
  return `${name} works on branch ${wt.branch} in ${wt.folder}${dirty}`;
}

export function runRow(run: RunRecord): string[] {
  return [
    run.id,
    run.name,
    run.runner,
    formatStatus(run),
    formatDuration(elapsed(run)),
    formatTokens(run.usage),
    formatUsd(run.usage),
    run.agent ? String(run.agent.pid) : '',
  ];
}

export const RUN_HEADERS = ['ID', 'NAME', 'RUNNER', 'STATUS', 'ELAPSED', 'TOKENS', 'COST', 'PID'];

export function runDetails(run: RunRecord, tail: string): string {
  const exit = run.signal ? `signal ${run.signal}` : run.exitCode !== undefined ? `code ${run.exitCode}` : undefined;
  return [
    keyValues([
      ['id', run.id],
      ['name', run.name],
      ['runner', run.runner],
      ['status', formatStatus(run)],
      ['pid', run.agent?.pid],
      ['session', run.sessionId],
      ['model', run.model],
      ['models', run.usage.models && Object.keys(run.usage.models).length > 1 ? formatModels(run.usage.models) : undefined],
      ['folder', run.cwd],
      ['worktree', run.worktree ? `${run.worktree.branch} from ${run.worktree.baseBranch ?? 'a detached HEAD'} at ${run.worktree.baseCommit.slice(0, 12)}${run.worktree.end?.commit ? `, ends at ${run.worktree.end.commit.slice(0, 12)}` : ''}` : undefined],
      ['command', run.commandLine.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a)).join(' ')],
      ['started', run.startedAt ? new Date(run.startedAt).toISOString() : undefined],
      ['ended', run.endedAt ? new Date(run.endedAt).toISOString() : undefined],
      ['elapsed', formatDuration(elapsed(run))],
      ['exit', exit],
      ['tokens', `${run.usage.inputTokens} in / ${run.usage.outputTokens} out`],
      ['cost', run.usage.usd !== undefined ? `${formatUsd(run.usage)} (${run.usage.usdSource})` : 'unknown'],
      ['limits', formatLimits(run.limits) || undefined],
      ['error', run.lastError],
      ['refused', run.permissionDenials?.length ? formatDenials(run.permissionDenials) : undefined],
      ['result', run.resultText?.slice(0, 500)],
    ]),
    tail ? `\n--- output tail ---\n${tail}` : '',
  ].join('\n');
}
