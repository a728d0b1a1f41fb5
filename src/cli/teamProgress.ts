/**
 * A team's progress while `team run` (or `team resume`) follows it, on stderr: tasks done, running
 * and failed of the total, spend so far, elapsed (shown as progress.ts shows any progress).
 */
import type { Disposable } from '../core/events';
import { formatDuration } from '../core/render';
import type { TeamStatusView } from '../core/teams/teamService';
import { showProgress, type Progress, type ProgressStream } from './progress';

export type { ProgressStream, Progress as TeamProgress } from './progress';

const usd = (spend: TeamStatusView['spend']): string => `${spend.usdKnown ? '' : '≥'}$${spend.usd.toFixed(spend.usd < 1 ? 4 : 2)}`;

/** The team and its task counts (a new plain line is printed when this changes). */
function countsLine(view: TeamStatusView): string {
  const { counts, team } = view;
  const total = team.tasks.length;
  const parts = total ? [`${counts.done ?? 0}/${total} done`, `${counts.running ?? 0} running`, `${counts.failed ?? 0} failed`] : ['no tasks yet'];
  for (const status of ['blocked', 'cancelled'] as const) if (counts[status]) parts.push(`${counts[status]} ${status}`);
  return `team ${team.name}${team.status === 'running' ? '' : ` (${team.status})`}: ${parts.join(', ')}`;
}

/** `team alpha: 1/3 done, 2 running, 0 failed · $0.0123 · 42s` */
export function progressLine(view: TeamStatusView, now = Date.now()): string {
  return `${countsLine(view)} · ${usd(view.spend)} · ${formatDuration((view.team.endedAt ?? now) - view.team.createdAt)}`;
}

/**
 * Shows the progress of the team `status()` describes; `watch` subscribes to what may change it
 * (its records, its runs) and calls `changed` for each change.
 */
export function showTeamProgress(stream: ProgressStream, status: () => TeamStatusView, watch: (changed: () => void) => Disposable[]): Progress {
  return showProgress(stream, () => {
    const view = status();
    return { key: countsLine(view), line: progressLine(view) };
  }, watch);
}
