/**
 * The hard limits a goal gives each run it starts (its team's planner and workers, its evaluator), so
 * that its budget holds in the runs' supervisors even when no process runs the goal's loop (its window
 * closed, its `goal run` was killed): a run stopped by one ends saying it was the goal's budget. When
 * the budget is extended, the runs still at work are given their new part of it.
 */
import { errorMessage } from '../errors';
import type { Logger } from '../logger';
import { changeRunLimits } from '../registry/runLimitsChange';
import { StateMap } from '../state/stateMap';
import type { RunLimits, RunRecord } from '../runs/types';
import { timeLeftMs, type BudgetState } from './budget';
import type { GoalRecord } from './goalRecord';

/**
 * A run's part of the goal's budget: what is left of it (the budget less what all of the goal's runs
 * have spent, as their supervisors reported it), on top of what the run itself has spent (nothing as
 * it starts), and the time until the goal's deadline (counted, as its supervisor does, from the run's
 * start). So no run can take the goal past its budget by itself (but for time: one that waited in its
 * pool's line counts from when it started, and with nobody running the goal outlasts the deadline by that wait).
 *
 * Runs at work together could, each spending up to what was left when it started: while the goal's
 * loop runs it stops them all as their sum reaches the budget (BudgetWatch), and only with the loop
 * gone can they overshoot, by at most (workers - 1) × what was left. Splitting what is left among the
 * workers would bound that too, but would stop a busy worker at its share while the others left theirs
 * unspent, and the goal with it, for want of a budget it still has. No per-run limits of a person's
 * are combined here: a goal's runs are started by its team and evaluator, which ask for none.
 */
export function goalRunLimits(goal: GoalRecord, state: BudgetState, run?: RunRecord, now = Date.now()): RunLimits | undefined {
  const limits: RunLimits = {};
  const { spend } = state;
  // As budgetState reads them: a budget of 0 is no budget.
  if (goal.budgetUsd) limits.maxUsd = Math.max(0, goal.budgetUsd - spend.usd) + (run?.usage.usd ?? 0);
  if (goal.budgetTokens) limits.maxTokens = Math.max(0, goal.budgetTokens - spend.tokens) + (run ? run.usage.inputTokens + run.usage.outputTokens : 0);
  const left = timeLeftMs(goal, now);
  if (left !== undefined) {
    limits.timeoutMs = Math.max(1, Math.ceil(left + (run?.startedAt ? now - run.startedAt : 0)));
    // The deadline itself: a run that waits in a pool's line first must not outlast it by its wait.
    limits.endsAt = now + Math.max(1, Math.ceil(left));
  }
  return Object.keys(limits).length ? { ...limits, goal: goal.id } : undefined;
}

/**
 * After an extension: each run of the goal at work gets its new part of the budget, asked of its
 * supervisor (wherever it runs); one still waiting in a pool's line gets it as it starts.
 */
export async function raiseGoalRunLimits(stateDir: string, goal: GoalRecord, state: BudgetState, runs: readonly RunRecord[], log: Logger): Promise<void> {
  const source = `the extension of goal ${goal.id}'s budget`;
  const paths = new StateMap(stateDir);
  await Promise.all(
    runs
      .filter((run) => (run.status === 'running' || run.status === 'queued') && run.limits?.goal === goal.id)
      .map(async (run) => {
        const limits = goalRunLimits(goal, state, run);
        if (!limits) return;
        try {
          await changeRunLimits(paths.run(run.id), run, limits, source);
        } catch (error) {
          // It ended meanwhile, or its supervisor is gone (a run without one is killed at its time limit by the registry's watch).
          log.warn(`[goals] ${goal.id}: the limits of run ${run.name} could not be raised: ${errorMessage(error)}`);
        }
      }),
  );
}
