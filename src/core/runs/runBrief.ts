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

/** Listing order: running (and queued) runs first, newest first within each group. */
export const listingOrder = (a: RunBrief, b: RunBrief): number => Number(isFinished(a.status)) - Number(isFinished(b.status)) || b.createdAt - a.createdAt;
