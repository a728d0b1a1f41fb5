/**
 * A team's progress while `team run` (or `team resume`) follows it, on stderr: tasks done, running
 * and failed of the total, spend so far, elapsed. On a terminal one live line rewritten in place
 * (cleared at the end); otherwise a plain line each time the counts change.
 */
import type { Disposable } from '../core/events';
import { formatDuration } from '../core/render';
import type { TeamStatusView } from '../core/teams/teamService';

export interface ProgressStream {
  isTTY: boolean;
  /** The terminal's width: the live line is cut to fit, or it would wrap and not be rewritten in place. */
  columns?: number;
  write(text: string): void;
}

export interface TeamProgress extends Disposable {
  /** Prints a line of its own (the live line is put back under it). */
  say(text: string): void;
}

/** How often the live line is redrawn at most, and at least (for the elapsed time). */
const REDRAW_MS = 100;
const TICK_MS = 1000;
const CLEAR_LINE = '\r\x1b[2K';

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

const fit = (line: string, columns: number | undefined): string => (columns && line.length >= columns ? `${line.slice(0, Math.max(columns - 2, 0))}…` : line);

/**
 * Shows the progress of the team `status()` describes; `watch` subscribes to what may change it
 * (its records, its runs) and calls `changed` for each change.
 */
export function showTeamProgress(stream: ProgressStream, status: () => TeamStatusView, watch: (changed: () => void) => Disposable[]): TeamProgress {
  let shown = '';
  let lastCounts = '';
  let timer: NodeJS.Timeout | undefined;
  const draw = (): void => {
    timer = undefined;
    let view: TeamStatusView;
    try {
      view = status();
    } catch {
      return; // A record being rewritten: the next change draws it.
    }
    if (stream.isTTY) {
      const line = fit(progressLine(view), stream.columns);
      if (line !== shown) stream.write(`${CLEAR_LINE}${line}`);
      shown = line;
    } else if (countsLine(view) !== lastCounts) {
      lastCounts = countsLine(view);
      stream.write(`${progressLine(view)}\n`);
    }
  };
  // A plain line for every change of the counts; the live line at most every REDRAW_MS.
  const changed = (): void => {
    if (!stream.isTTY) draw();
    else timer ??= setTimeout(draw, REDRAW_MS);
  };
  const subscriptions = watch(changed);
  const tick = stream.isTTY ? setInterval(changed, TICK_MS) : undefined;
  draw();
  return {
    say(text) {
      stream.write(stream.isTTY ? `${CLEAR_LINE}${text}\n${shown}` : `${text}\n`);
    },
    dispose() {
      subscriptions.forEach((s) => s.dispose());
      clearInterval(tick);
      clearTimeout(timer);
      if (stream.isTTY && shown) stream.write(CLEAR_LINE);
      shown = '';
    },
  };
}
