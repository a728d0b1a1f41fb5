/**
 * Goals of a workspace blocked on a gate that no process runs any more: a breaker reset cannot wake
 * them (nobody follows the feed for them), so whoever resets says how to go on with them.
 */
import { workspaceKey } from '../gates/gatePaths';
import { isSameProcessAlive } from '../proc/processTable';
import type { GoalRecord } from './goalRecord';
import { listGoals, loadGoal } from './goalStore';

export function unheldBlockedGoals(stateDir: string, workspace: string): GoalRecord[] {
  const key = workspaceKey(workspace);
  return listGoals(stateDir).flatMap((id) => {
    try {
      const goal = loadGoal(stateDir, id);
      return goal.status === 'blocked_on_external' && workspaceKey(goal.workspace) === key && !isSameProcessAlive(goal.owner) ? [goal] : [];
    } catch {
      return [];
    }
  });
}

/** What a reset says of them: one line each, with the command that goes on. */
export const unheldBlockedHints = (goals: GoalRecord[]): string[] => goals.map((g) => `Goal ${g.id} was blocked on a gate here and no process runs it; go on with: switchboard goal resume ${g.id}`);
