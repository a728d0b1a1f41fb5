/**
 * What a goal tells, each time it is saved, compared with the save before: created, a new phase or
 * status, an iteration verified, budget warnings, exhaustion and extensions. Each goes to the live
 * feed and to the goal's own timeline (`events.jsonl`, which replays it).
 */
import { goalKey, type FeedType } from '../feed/feedEvent';
import { addCounters } from '../metrics/counters';
import { StateMap } from '../state/stateMap';
import type { GoalContext } from './goalContext';
import type { GoalRecord, Iteration } from './goalRecord';
import { appendGoalEvent } from './goalStore';

/** The goal as feed events carry it: small (no task graph, no gate output). */
export function goalEntity(goal: GoalRecord): Record<string, unknown> {
  return {
    id: goal.id,
    goal: goal.normalizedGoal,
    status: goal.status,
    phase: goal.phase,
    iteration: goal.iteration,
    maxIterations: goal.maxIterations,
    workspace: goal.workspace,
    branch: goal.branch,
    team: goal.team,
    ...(goal.blockedOn ? { blockedOn: goal.blockedOn } : {}),
    ...(goal.failure ? { failure: goal.failure } : {}),
  };
}

export class GoalFeed {
  private status: GoalRecord['status'] | undefined;
  private phase: GoalRecord['phase'] | undefined;
  private readonly goalId: string;

  constructor(private readonly ctx: GoalContext, record: GoalRecord) {
    this.goalId = record.id;
    // A goal made in this process tells of its creation; one taken over only of what changes from here.
    if (record.updatedAt !== record.createdAt) {
      this.status = record.status;
      this.phase = record.phase;
    }
  }

  saved(goal: GoalRecord): void {
    if (this.status === undefined) this.tell('goal.created', goal, 'goal_created', `status=${goal.status}, phase=${goal.phase}`);
    else {
      if (goal.phase !== this.phase) this.tell('goal.updated', goal, 'phase_changed', `${this.phase} -> ${goal.phase}`);
      if (goal.status !== this.status) {
        const ended = goal.status === 'ready' || goal.status === 'not_ready' || goal.status === 'cancelled' || goal.status === 'failed_infra';
        this.tell(ended ? 'goal.ended' : 'goal.updated', goal, 'status_changed', `${this.status} -> ${goal.status}${goal.blockedOn ? ` (${goal.blockedOn})` : goal.failure ? ` (${goal.failure})` : ''}`);
      }
    }
    this.status = goal.status;
    this.phase = goal.phase;
  }

  /** An iteration was verified: its gates' results. */
  iteration(iteration: Iteration): void {
    const gates = (iteration.gates ?? []).map((g) => `${g.name} ${g.passed ? 'passed' : g.timedOut ? 'timed out' : 'failed'}`).join('; ');
    appendGoalEvent(this.ctx.stateDir, this.goalId, { kind: iteration.passed ? 'iteration_passed' : 'iteration_failed', summary: `iteration ${iteration.n}: ${gates || 'no gates'}` });
    addCounters(new StateMap(this.ctx.stateDir), { total_goal_iterations: 1 }).catch(() => {
      // Counting is best effort: the iteration itself is recorded above.
    });
  }

  budget(type: 'budget.warning' | 'budget.exhausted' | 'budget.extended', summary: string): void {
    const kind = type.replace('.', '_');
    appendGoalEvent(this.ctx.stateDir, this.goalId, { kind, summary });
    this.ctx.feed?.append({ type, key: goalKey(this.goalId), entity: { id: this.goalId, summary } });
  }

  /** Told as it happens, to the goal's timeline and the feed: stagnation found, a rollback, a recovery applied. */
  told(type: 'goal.stagnation' | 'goal.rollback' | undefined, kind: string, summary: string, actor?: string): void {
    appendGoalEvent(this.ctx.stateDir, this.goalId, { kind, summary, ...(actor ? { actor } : {}) });
    if (type) this.ctx.feed?.append({ type, key: goalKey(this.goalId), entity: { id: this.goalId, summary } });
  }

  private tell(type: FeedType, goal: GoalRecord, kind: string, summary: string): void {
    appendGoalEvent(this.ctx.stateDir, goal.id, { kind, summary });
    this.ctx.feed?.append({ type, key: goalKey(goal.id), entity: goalEntity(goal) });
  }
}
