/** A goal record for unit tests: every field set to something plain, `more` over them. */
import type { GoalRecord } from '../../src/core/goals/goalRecord';

export const T0 = Date.UTC(2026, 11, 6, 10);

export function goalRecord(more: Partial<GoalRecord> = {}): GoalRecord {
  return {
    version: 1, id: 'goal-20261206-abc123', originalGoal: 'do it', normalizedGoal: 'do it', status: 'running', phase: 'execution', createdAt: T0, updatedAt: T0,
    untilReady: true, maxAgents: 2, terminalCriteria: { proofRequired: true, gatesRequired: true, humanBlockersStop: true }, deliveryPolicy: 'local', mergePolicy: 'disabled',
    sliceExecution: false, artifacts: [], iteration: 1, maxIterations: 5, workspace: '/w', base: 'main', baseCommit: 'abc', branch: 'switchboard/goal/goal-20261206-abc123',
    checkout: '/s/worktrees/goal-20261206-abc123/goal', spec: '2:executor', gates: [{ name: 'test', command: 'npm test', required: true }], tasks: [], iterations: [], checkpoints: [],
    warned: [], pausedMs: 0, ...more,
  };
}

