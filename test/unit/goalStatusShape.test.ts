/** `goal status --format json`: snake_case all through, its gate results in the documented gate shape. */
import * as assert from 'node:assert/strict';
import { budgetState, spendOf } from '../../src/core/goals/budget';
import { toGoalStatusShape } from '../../src/ops/goalStatusShape';
import { goalRecord, T0 } from '../support/goalRecord';

const snakeKeys = (value: unknown, path = ''): string[] => {
  if (Array.isArray(value)) return value.flatMap((v, i) => snakeKeys(v, `${path}[${i}]`));
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => [...(/^[a-z0-9_]+$/.test(k) ? [] : [`${path}.${k}`]), ...snakeKeys(v, `${path}.${k}`)]);
};

describe('goal status JSON', () => {
  it('has the goal, spend, used, owned and iterations, every key snake_case, gates as gate results', () => {
    const gate = { name: 'test', passed: false, stdout: '', stderr: 'x', durationMs: 12, required: true, commandLine: ['npm', 'test'], exitCode: 1, timedOut: false, log: '/l/test.log' };
    const goal = goalRecord({
      budgetUsd: 10,
      iterations: [
        { n: 1, team: 'g-1', startedAt: T0, endedAt: T0 + 1000, tasks: ['T1'], gates: [gate], passed: false, score: 0.5, notes: 'more tests', spentBefore: { usd: 0, tokens: 0 } },
        { n: 2, startedAt: T0 + 2000, tasks: ['T2'] },
      ],
    });
    const shape = toGoalStatusShape({ goal, budget: budgetState(goal, spendOf(goal, [], T0 + 5000)), owned: true }, '/state');
    assert.deepEqual(snakeKeys(shape), []);
    assert.deepEqual(Object.keys(shape), ['goal', 'spend', 'used', 'owned', 'iterations']);
    assert.deepEqual(shape.spend, { usd: 0, usd_estimated: false, unpriced_runs: 0, tokens: 0, elapsed_secs: 5, runs: 0 });
    assert.deepEqual(shape.used, { time: null, tokens: null, usd: 0 });
    assert.deepEqual(shape.iterations[0]!.gates[0], { name: 'test', passed: false, stdout: '', stderr: 'x', duration_ms: 12, required: true, command_line: ['npm', 'test'], exit_code: 1, timed_out: false, log: '/l/test.log' });
    assert.deepEqual([shape.iterations[0]!.started_at, shape.iterations[0]!.score, shape.iterations[1]!.passed, shape.iterations[1]!.ended_at], ['2026-12-06T10:00:00.000Z', 0.5, null, null]);
  });
});
