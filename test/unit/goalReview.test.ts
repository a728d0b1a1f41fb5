/** A review that gave no usable score is a fix task of its own (not "work that could not be merged"), and a known gap of the proof. */
import * as assert from 'node:assert/strict';
import { fixTasks } from '../../src/core/goals/goalTasks';
import { goalRecord, T0 } from '../support/goalRecord';

describe('goal review', () => {
  it('an evaluator failure becomes its own fix task, only when the goal has a quality bar', () => {
    const iteration = { n: 1, startedAt: T0, tasks: [], gates: [], reviewProblem: 'the evaluator gave no usable score: the evaluator did not answer with a JSON block of scores' };
    const fixes = fixTasks(goalRecord({ quality: 0.8 }), iteration);
    assert.deepEqual(fixes.map((f) => [f.id, f.title]), [['T1', 'Leave the work ready for review']]);
    assert.match(fixes[0]!.description!, /The review of the last iteration failed: the evaluator gave no usable score: .*JSON block/);
    assert.deepEqual(fixTasks(goalRecord(), iteration), []);
  });
});
