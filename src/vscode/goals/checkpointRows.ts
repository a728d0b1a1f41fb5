/**
 * A goal's Checkpoints group as data (no `vscode` import, so plain tests read it): its recovery
 * checkpoints and the rollbacks made to them, in the order they happened, each a row: `cp-2` with
 * `iteration 2 · <when> · <commit>` (the one the current iteration started from says so: a rollback
 * goes there by default), and `Rolled back to cp-2` with where the work it left is kept.
 */
import { findRecoveryPoint } from '../../core/goals/recoveryPoints';
import type { GoalRecord, RecoveryPoint, Rollback } from '../../core/goals/goalRecord';
import type { RowModel } from '../discoveries/discoveryRows';

export type CheckpointEntry = { kind: 'checkpoint'; point: RecoveryPoint } | { kind: 'rollback'; rollback: Rollback };

const when = (at: number): string => new Date(at).toLocaleString();
export const shortCommit = (commit: string): string => commit.slice(0, 12);

/** The checkpoints and rollbacks, oldest first (a rollback after the checkpoints made before it). */
export function checkpointEntries(goal: GoalRecord): CheckpointEntry[] {
  const entries: (CheckpointEntry & { at: number })[] = [
    ...(goal.recoveryPoints ?? []).map((point) => ({ kind: 'checkpoint' as const, point, at: point.at })),
    ...(goal.rollbacks ?? []).map((rollback) => ({ kind: 'rollback' as const, rollback, at: rollback.at })),
  ];
  return entries.sort((a, b) => a.at - b.at || (a.kind === b.kind ? 0 : a.kind === 'checkpoint' ? -1 : 1)).map(({ at: _at, ...entry }) => entry as CheckpointEntry);
}

/** The checkpoint a rollback goes to when none is named: the one the current iteration started from. */
export function defaultCheckpoint(goal: GoalRecord): RecoveryPoint | undefined {
  return goal.recoveryPoints?.length ? findRecoveryPoint(goal) : undefined;
}

/** Whether Roll Back is offered: a goal with checkpoints that was not cancelled. */
export const canRollBack = (goal: GoalRecord): boolean => !!goal.recoveryPoints?.length && goal.status !== 'cancelled';

export function checkpointRow(goal: GoalRecord, point: RecoveryPoint): RowModel {
  const current = defaultCheckpoint(goal)?.id === point.id;
  return {
    label: point.id,
    description: [`iteration ${point.iteration}`, when(point.at), shortCommit(point.commit), current ? 'the current iteration started here' : ''].filter(Boolean).join(' · '),
    state: current ? 'current' : 'checkpoint',
    icon: current ? ['git-commit', 'charts.blue'] : ['git-commit'],
    contextValue: `checkpoint${canRollBack(goal) ? ' rollbackable' : ''}`,
  };
}

export function rollbackRow(rollback: Rollback): RowModel {
  const left = rollback.abandonedRef ? `work left at ${rollback.abandonedRef.replace(/^refs\/switchboard\/goals\/[^/]+\//, '')}` : 'nothing left behind';
  return {
    label: `Rolled back to ${rollback.to}`,
    description: [when(rollback.at), shortCommit(rollback.commit), left].join(' · '),
    state: 'rollback',
    icon: ['discard', 'list.warningForeground'],
    contextValue: `goalRollback${rollback.abandonedRef ? ' hasAbandonedRef' : ''}`,
  };
}

/** The Checkpoints group's line: `3` or `3 · 1 rollback`. */
export function checkpointsSummary(goal: GoalRecord): string {
  const rollbacks = goal.rollbacks?.length ?? 0;
  return [String(goal.recoveryPoints?.length ?? 0), rollbacks ? `${rollbacks} rollback${rollbacks === 1 ? '' : 's'}` : ''].filter(Boolean).join(' · ');
}
