/**
 * How the registry's listings are filtered (RunFilter) and cut to the recent runs a listing shows
 * (recentRuns, RECENT_FINISHED).
 */
import { isFinished, type RunStatus } from '../runs/types';
import type { RunBrief } from '../runs/runBrief';

/** How many finished runs a listing shows after the live ones unless asked for every one (`list`, the Agents view). */
export const RECENT_FINISHED = 50;

/** A listing (live runs first, then finished ones newest first: list() or briefs()) split into what is shown and the older finished runs left out. */
export function recentRuns<T extends RunBrief>(runs: T[]): { shown: T[]; older: T[] } {
  const shown = recentCount(runs);
  return { shown: runs.slice(0, shown), older: runs.slice(shown) };
}

/** How many runs of a listing recentRuns shows: the live ones and RECENT_FINISHED finished ones (fewer when there are fewer). */
export function recentCount(runs: readonly RunBrief[]): number {
  let live = 0;
  while (live < runs.length && !isFinished(runs[live]!.status)) live++;
  return Math.min(runs.length, live + RECENT_FINISHED);
}

export interface RunFilter {
  status?: RunStatus;
  runner?: string;
  team?: string;
  goal?: string;
}

/** The runs that pass the filter (a copy: callers may change it). */
export function filterRuns<T extends RunBrief>(runs: readonly T[], { status, runner, team, goal }: RunFilter): T[] {
  if (!status && !runner && !team && !goal) return runs.slice();
  return runs.filter((r) => (!status || r.status === status) && (!runner || r.runner === runner) && (!team || r.links.team === team) && (!goal || r.links.goal === goal));
}
