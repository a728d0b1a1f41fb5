/**
 * What VS Code says about a run in a worktree of its own, as data: its tooltip rows and notes, the
 * Run Agent choice, the two sides of each changed file in the diff editors, and the messages of a
 * refused merge or a refused removal.
 */
import * as path from 'node:path';
import type { FileDiff } from '../../core/git/diffStat';
import type { RunChanges } from '../../core/registry/runWorktrees';
import type { RunWorktree } from '../../core/runs/types';

export const DIRTY_NOTE = 'the folder had uncommitted changes, which the run does not see (its worktree is made from HEAD)';

/** `Key: value` rows for the run's tooltip. */
export function worktreeRows(wt: RunWorktree): [string, string][] {
  return [
    ['Branch', wt.branch],
    ['Base', `${wt.baseBranch ?? 'a detached HEAD'} at ${wt.baseCommit.slice(0, 12)}`],
    ['Worktree of', wt.workspace],
  ];
}

/** Sentences under the rows: the dirty folder, and what became of its work when it ended. */
export function worktreeNotes(wt: RunWorktree): string[] {
  const notes: string[] = [];
  if (wt.workspaceDirty) notes.push(`When it started, ${DIRTY_NOTE}.`);
  if (wt.end?.error) notes.push(`Its work could not be committed (${wt.end.error}); it is still in the worktree.`);
  else if (wt.end?.committedLeftovers) notes.push('What the agent left uncommitted was committed for it on its branch.');
  return notes;
}

/** The Run Agent choice's detail: where the branch comes from, and what the run will not see. */
export function worktreeOfferDetail(repo: { branch?: string; head: string }, dirty: boolean): string {
  const from = `A new branch switchboard/run/<name> from ${repo.branch ?? 'the detached HEAD'} (${repo.head.slice(0, 12)}), to diff, merge or throw away.`;
  return dirty ? `The folder has uncommitted changes: the run will not see them. ${from}` : from;
}

/** One side of a changed file: the file at a commit, a file on disk (a running worktree's), or nothing (added or deleted). */
export type DiffSide = { commit: string; path: string } | { file: string } | undefined;

export interface DiffPair {
  path: string;
  left: DiffSide;
  right: DiffSide;
}

/**
 * Each changed file's sides: the base commit's version against the branch's (`tip`, its commit) once
 * the run has ended, or against the file in its worktree while it runs (`changes.from` is `worktree`).
 */
export function diffPairs(changes: Pick<RunChanges, 'baseCommit' | 'from' | 'folder' | 'files'>, tip: string | undefined): DiffPair[] {
  return changes.files.map((f: FileDiff) => ({
    path: f.path,
    left: f.status === 'A' ? undefined : { commit: changes.baseCommit, path: f.oldPath ?? f.path },
    right: f.status === 'D' ? undefined : changes.from === 'worktree' || !tip ? { file: path.join(changes.folder, f.path) } : { commit: tip, path: f.path },
  }));
}

/** A refused merge's files (`merge_conflict`) or reasons, for the dialog's detail. */
export function refusalDetail(details: Record<string, unknown> | undefined): string {
  const files = Array.isArray(details?.files) ? (details.files as { path?: unknown; hunks?: unknown }[]) : [];
  if (files.length) return ['Conflicting files:', ...files.map((f) => `  ${String(f.path)}${typeof f.hunks === 'number' ? ` (${f.hunks} hunk${f.hunks === 1 ? '' : 's'})` : ''}`)].join('\n');
  const reasons = Array.isArray(details?.reasons) ? (details.reasons as unknown[]).map(String) : [];
  return reasons.map((r) => `• ${r}`).join('\n');
}
