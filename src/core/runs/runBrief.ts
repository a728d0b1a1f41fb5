/**
 * A run's brief: what listing, sorting, filtering, counting, resolving and retention need of a run,
 * without the rest of its record. A whole RunRecord is a brief too; the record index keeps only
 * these for finished runs, so a folder of ten thousand opens without parsing their records.
 */
import { isFinished, type RunLinks, type RunRecord, type RunWorktree } from './types';

export type RunBrief = Pick<RunRecord, 'id' | 'name' | 'runner' | 'status' | 'createdAt' | 'endedAt'> & {
  links: Pick<RunLinks, 'team' | 'goal'>;
  worktree?: Pick<RunWorktree, 'folder'>;
};

/** Listing order: running (and queued) runs first, newest first within each group; by id when made in the same millisecond, so that every run has one place. */
export const listingOrder = (a: RunBrief, b: RunBrief): number =>
  Number(isFinished(a.status)) - Number(isFinished(b.status)) || b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * The place just after a run in the listing order, as text (a list page's `next_cursor`): what the
 * run is placed by, not its position, which moves whenever a run starts or ends before it.
 */
export const placeAfter = (run: RunBrief): string => `${isFinished(run.status) ? 'f' : 'r'}.${run.createdAt}.${run.id}`;

const PLACE = /^([fr])\.(\d+)\.(.+)$/;

export const isPlace = (text: string): boolean => PLACE.test(text);

/**
 * Where the runs after `place` start in `runs` (in listing order). A run only moves later in the
 * order (it ends, and goes among the finished), so a run not yet listed before `place` is after it
 * still: none is skipped; one listed while running may come again, ended. Runs started since sort
 * before it, for the next listing from the start.
 */
export function indexAfter(runs: readonly RunBrief[], place: string): number {
  const [, group, createdAt, id] = PLACE.exec(place) ?? [];
  if (id === undefined) throw new Error(`not a place in the listing order: ${place}`);
  const key = { status: group === 'f' ? 'done' : 'running', createdAt: Number(createdAt), id } as RunBrief;
  const index = runs.findIndex((r) => listingOrder(r, key) > 0);
  return index < 0 ? runs.length : index;
}
