/**
 * A goal put back or helped on: rolled back to a recovery checkpoint (its branch and state as they
 * were then, the work after it kept at a ref), or a recovery plan carried out (a rollback, another
 * runner for the writers, another model for the failing task, a reviewer, a task split to find the cause first, or a person asked). A
 * goal at work is paused for it and goes on from there; one that had ended is left paused.
 */
import type { GoalFeed } from './goalFeed';
import { isLiveGoal, isSettledGoal, type GoalRecord, type RecoveryPoint, type Rollback } from './goalRecord';
import { findRecoveryPoint, rollBack } from './recoveryPoints';
import { addReviewTask, modelSwitchOf, specWithReviewer, specWithRunner, splitTask, type RecoveryPlan } from './recovery';

/** What a rollback or a recovery works on: the goal's record, where it tells, and how it is paused and goes on. */
export interface RecoveredGoal {
  readonly stateDir: string;
  readonly record: GoalRecord;
  readonly events: GoalFeed;
  save(): void;
  pause(why: string): Promise<unknown>;
  resume(): unknown;
}

/** Rolls the goal back to `point` (paused for it while it is at work). */
export async function rollbackGoal(goal: RecoveredGoal, point: RecoveryPoint, actor: string): Promise<{ record: GoalRecord; point: RecoveryPoint; rollback: Rollback }> {
  const wasLive = isLiveGoal(goal.record.status);
  if (wasLive) await goal.pause(`paused to roll back to ${point.id}`);
  const rollback = await rollBackTo(goal, point, actor);
  goal.save();
  if (wasLive) goal.resume();
  return { record: goal.record, point, rollback };
}

/** Carries out a recovery plan: paused for it, then goes on (unless it asks a person). */
export async function recoverGoal(goal: RecoveredGoal, plan: RecoveryPlan, actor: string): Promise<{ record: GoalRecord; results: string[] }> {
  const record = goal.record;
  const wasLive = isLiveGoal(record.status);
  if (wasLive) await goal.pause('paused to recover');
  const evidence = plan.diagnosis.primary?.evidence ?? 'stagnant';
  const results: string[] = [];
  let asks = false;
  for (const action of plan.actions) {
    if (action.kind === 'rollback') {
      const done = await rollBackTo(goal, findRecoveryPoint(record, action.target ?? undefined), actor);
      results.push(`rolled back to ${done.to}${done.abandonedRef ? ` (the work after it is kept at ${done.abandonedRef})` : ''}`);
    } else if (action.kind === 'switch_runner' && action.target) {
      record.spec = specWithRunner(record.spec, action.target);
      results.push(`the writers now use ${action.target} (${record.spec})`);
    } else if (action.kind === 'switch_model' && action.target) {
      const change = modelSwitchOf(action.target);
      const task = change && record.tasks.find((t) => t.id === change.task);
      if (task && change) {
        task.model = change.model;
        results.push(`${task.id} now runs on ${change.model}`);
      }
    } else if (action.kind === 'add_reviewer') {
      const spec = specWithReviewer(record.spec, record.maxAgents);
      if (!spec) results.push('no reviewer added: max_agents leaves no room for one');
      else {
        record.spec = spec;
        results.push(`reviewer task ${addReviewTask(record, evidence).id} added before the pending tasks (${spec})`);
      }
    } else if (action.kind === 'split_task' && action.target && record.tasks.some((t) => t.id === action.target)) {
      const reviewer = /(^|,)\d+:reviewer\b/.test(record.spec);
      results.push(`${action.target} now starts from ${splitTask(record, action.target, plan.diagnosis.primary?.gate ?? '', evidence, reviewer).id}, which finds the cause`);
    } else if (action.kind === 'ask_human') {
      asks = true;
      if (isLiveGoal(record.status) || record.status === 'paused') record.status = 'paused';
      record.blockedOn = `a person to look at it: ${evidence}`;
      results.push('paused for a person to look at it');
    }
  }
  if (!asks) record.stagnation = undefined;
  goal.events.told(undefined, 'recovery_applied', results.join('; '), actor);
  goal.save();
  if (wasLive && !asks) goal.resume();
  return { record, results };
}

async function rollBackTo(goal: RecoveredGoal, point: RecoveryPoint, actor: string): Promise<Rollback> {
  const rollback = await rollBack(goal.stateDir, goal.record, point);
  if (isSettledGoal(goal.record.status)) {
    // It goes on only when a person resumes it; the time until then is not counted.
    goal.record.status = 'paused';
    goal.record.pausedAt = goal.record.completedAt ?? Date.now();
    goal.record.completedAt = undefined;
  }
  goal.record.failure = undefined;
  const kept = rollback.abandonedRef ? `; the work after it is kept at ${rollback.abandonedRef} (${rollback.abandonedCommit!.slice(0, 12)})` : '';
  goal.events.told('goal.rollback', 'rollback', `to ${point.id} (iteration ${point.iteration}, ${point.commit.slice(0, 12)})${kept}${rollback.uncommittedRef ? `; uncommitted changes at ${rollback.uncommittedRef}` : ''}${rollback.reopened?.length ? `; ${rollback.reopened.join(', ')} pending again` : ''}`, actor);
  return rollback;
}
