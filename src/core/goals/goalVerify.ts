/**
 * Verifying an iteration: the goal's gates run on the goal branch's checkout (each through its
 * circuit breaker), then, when the goal asks for a quality bar, an evaluator agent scores the work.
 * It passes when the required gates pass, the score is high enough, and every task it worked got done.
 * A required gate whose breaker is open blocks the goal on it instead of counting as a failure.
 */
import { errorMessage, SwitchboardError } from '../errors';
import { runGates } from '../gates/runGates';
import { StateMap } from '../state/stateMap';
import { evaluate, type EvaluatorHooks } from './evaluator';
import type { GoalContext } from './goalContext';
import type { GoalRecord, Iteration } from './goalRecord';
import { gatesHold, unfinishedTasks } from './goalTasks';

/** A result that ran nothing because its breaker is open. */
const failedFast = (gate: { passed: boolean; log: string; stderr: string }): boolean => !gate.passed && !gate.log && /breaker/i.test(gate.stderr);

/** `stopped`: the goal stopped (paused, budget spent, cancelled) before the evaluator gave its score; verified again when it goes on. */
export async function verifyIteration(ctx: GoalContext, goal: GoalRecord, iteration: Iteration, hooks: EvaluatorHooks = {}): Promise<{ blockedOn?: string; stopped?: boolean }> {
  const logDir = new StateMap(ctx.stateDir).goal(goal.id).gateLogs;
  const results = await runGates(goal.gates, { stateDir: ctx.stateDir, workspace: goal.workspace, cwd: goal.checkout, logDir, feed: ctx.feed, policy: ctx.runs.config.gates, links: { goal: goal.id } });
  const open = results.find((r) => r.required && failedFast(r));
  if (open) return { blockedOn: `the circuit breaker of gate "${open.name}" is open (reset it: switchboard gates reset --gate "${open.name}")` };
  iteration.gates = results;
  // Gates that pass on work left undone (a task failed) do not make the iteration a success.
  let passed = gatesHold(goal, results) && unfinishedTasks(goal, iteration).length === 0;
  if (goal.quality !== undefined) {
    iteration.reviewProblem = undefined;
    try {
      const review = await evaluate(ctx, goal, iteration, hooks);
      iteration.score = review.score;
      iteration.notes = review.notes;
      passed &&= review.score >= goal.quality;
    } catch (error) {
      if (goal.status !== 'running' || (error instanceof SwitchboardError && (error.code === 'budget_exhausted' || error.code === 'not_running'))) return { stopped: true };
      iteration.reviewProblem = `the evaluator gave no usable score: ${errorMessage(error)}`;
      passed = false;
    }
  }
  iteration.passed = passed;
  iteration.endedAt = Date.now();
  return {};
}
