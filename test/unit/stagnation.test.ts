/** Stagnation read from measured iterations, the recovery plans made from it, and the spec and graph changes that carry them out. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { Task } from '../../src/core/dag/task';
import type { Iteration, IterationMetrics } from '../../src/core/goals/goalRecord';
import { failureFingerprint } from '../../src/core/goals/iterationMetrics';
import { addReviewTask, modelSwitchOf, otherModel, recoveryPlan, specWithReviewer, specWithRunner, splitTask, writerRunner } from '../../src/core/goals/recovery';
import { remainingSpecs } from '../../src/core/goals/goalTasks';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import { diagnose } from '../../src/core/goals/stagnation';
import { toDiagnosisShape } from '../../src/ops/recoveryShapes';
import type { GoalContext } from '../../src/core/goals/goalContext';
import { GoalFeed } from '../../src/core/goals/goalFeed';
import { recoverGoal } from '../../src/core/goals/goalRecover';
import { StateMap } from '../../src/core/state/stateMap';
import { goalRecord, T0 } from '../support/goalRecord';
import { tempDir } from '../support/harness';

function measured(n: number, more: Partial<IterationMetrics> = {}, passed = false): Iteration {
  const metrics: IterationMetrics = { startCommit: `s${n}`, endCommit: `e${n}`, gatesPassed: 0, gatesFailed: 1, failures: [], changedFiles: [], linesAdded: 1, linesRemoved: 0, fileStates: {}, spentUsd: 0, spentTokens: 0, ...more };
  return { n, startedAt: T0 + n, tasks: [`T${n}`], passed, metrics };
}

const gate = { name: 'unit', stdout: 'FAIL test/a.test.ts (1.23 s)\n  expected 3 got 4', stderr: '', exitCode: 1, timedOut: false };
const pending = (id: string, title: string): Task => ({ id, title, dependsOn: [], status: 'pending', attempts: 0 });
const options = { installed: ['claude', 'codex'], defaultRunner: 'claude' };

describe('goals: stagnation', () => {
  it('fingerprints a failure the same way whatever its timings, counts, hashes and temporary paths', () => {
    const again = { ...gate, stdout: 'FAIL test/a.test.ts (9.87 s)\n  expected 3 got 4' };
    assert.equal(failureFingerprint(gate), failureFingerprint(again));
    assert.notEqual(failureFingerprint(gate), failureFingerprint({ ...gate, stdout: 'FAIL test/b.test.ts' }));
    assert.match(failureFingerprint(gate), /^unit#[0-9a-f]{12}$/);
  });

  it('says nothing before the warm-up, nor when the last iteration passed', () => {
    const early = diagnose(goalRecord({ iterations: [measured(1, { failures: ['unit#1'] })] }), T0);
    assert.deepEqual([early.stagnant, early.primary, early.recommendedAction], [false, null, 'none']);
    const passed = diagnose(goalRecord({ iterations: [measured(1, { failures: ['unit#1'] }), measured(2, { failures: ['unit#1'] }), measured(3, {}, true)] }));
    assert.equal(passed.stagnant, false);
  });

  it('finds RepeatedFailure when the same gate fails the same way three iterations in a row (two is not yet enough)', () => {
    const twice = diagnose(goalRecord({ iterations: [measured(1, { failures: ['unit#aaa'] }), measured(2, { failures: ['unit#aaa'] })] }));
    assert.equal(twice.stagnant, false);
    assert.equal(twice.primary?.kind, 'RepeatedFailure');
    const thrice = diagnose(goalRecord({ iterations: [measured(1, { failures: ['unit#aaa'] }), measured(2, { failures: ['unit#aaa'] }), measured(3, { failures: ['unit#aaa'] })] }));
    assert.deepEqual([thrice.stagnant, thrice.primary?.kind, thrice.primary?.gate, thrice.primary?.sinceIteration, thrice.recommendedAction], [true, 'RepeatedFailure', 'unit', 1, 'split_task']);
    assert.deepEqual(thrice.secondary.map((f) => f.kind), ['NoProgress'], 'nothing improved over the window either');
    assert.ok(thrice.affectedMetrics.includes('failure_fingerprints'));
    const changing = diagnose(goalRecord({ iterations: [measured(1, { failures: ['unit#aaa'] }), measured(2, { failures: ['unit#bbb'] }), measured(3, { failures: ['unit#aaa'] })] }));
    assert.notEqual(changing.primary?.kind, 'RepeatedFailure');
  });

  it('finds CircularFix when a file is changed, undone and changed again; a single undo is only a hint', () => {
    const flip = (n: number, from: string, to: string): Iteration => measured(n, { failures: [`unit#${n}`], fileStates: { 'config.ts': [from, to] }, changedFiles: ['config.ts'] });
    const circle = diagnose(goalRecord({ iterations: [flip(1, 'A', 'B'), flip(2, 'B', 'A'), flip(3, 'A', 'B')] }));
    assert.deepEqual([circle.stagnant, circle.primary?.kind, circle.primary?.sinceIteration, circle.recommendedAction], [true, 'CircularFix', 1, 'rollback']);
    assert.match(circle.primary!.evidence, /config\.ts changed, undone and changed again over iterations 1–3/);
    const undo = diagnose(goalRecord({ iterations: [flip(1, 'A', 'B'), flip(2, 'B', 'A')] }));
    assert.deepEqual([undo.stagnant, undo.primary?.kind], [false, 'CircularFix']);
    const forward = diagnose(goalRecord({ iterations: [flip(1, 'A', 'B'), flip(2, 'B', 'C'), flip(3, 'C', 'D')] }));
    assert.notEqual(forward.primary?.kind, 'CircularFix');
  });

  it('finds NoProgress over a full window with no gate or score improving, and BudgetBurn when money went into it', () => {
    const flat = [1, 2, 3].map((n) => measured(n, { failures: [`unit#${n}`], gatesPassed: 1, score: 0.5 }));
    assert.equal(diagnose(goalRecord({ iterations: flat })).primary?.kind, 'NoProgress');
    const better = [measured(1, { failures: ['a#1'], gatesPassed: 1 }), measured(2, { failures: ['a#2'], gatesPassed: 2 }), measured(3, { failures: ['a#3'], gatesPassed: 2 })];
    assert.equal(diagnose(goalRecord({ iterations: better })).stagnant, false, 'a gate more passing is progress');
    const burning = [1, 2, 3].map((n) => measured(n, { failures: [`unit#${n}`], spentUsd: n * 1.5 }));
    const burn = diagnose(goalRecord({ budgetUsd: 10, iterations: burning }));
    assert.deepEqual([burn.primary?.kind, burn.recommendedAction], ['BudgetBurn', 'ask_human']);
    assert.match(burn.primary!.evidence, /spent \$9\.00 .* \(90% of the budget\)/);
  });

  it('is told with exactly the documented fields', () => {
    const shape = toDiagnosisShape(diagnose(goalRecord({ iterations: [1, 2, 3].map((n) => measured(n, { failures: ['unit#aaa'] })) }), T0));
    assert.deepEqual(Object.keys(shape), ['goal_id', 'stagnant', 'confidence', 'diagnosis', 'recommended_action', 'metrics_window']);
    assert.deepEqual(Object.keys(shape.diagnosis), ['primary', 'secondary', 'affected_metrics']);
    assert.deepEqual(shape.metrics_window, { window_size: 3, warmup_iterations: 2, evaluated_at: new Date(T0).toISOString() });
  });
});

describe('goals: recovery plans', () => {
  it('splits the task that keeps failing and offers another installed runner, with a cost from the window', () => {
    const iterations = [1, 2, 3].map((n) => measured(n, { failures: ['unit#aaa'], spentUsd: 0.2, spentTokens: 1000 }));
    iterations.push({ n: 4, startedAt: T0, tasks: ['T4'] });
    const goal = goalRecord({ iterations, tasks: [pending('T4', 'Make the "unit" check pass')], budgetUsd: 5 });
    const plan = recoveryPlan(goal, diagnose(goal), { ...options, remainingUsd: 4.4 });
    assert.deepEqual(plan.actions.map((a) => [a.kind, a.target]), [['split_task', 'T4'], ['switch_runner', 'codex']]);
    assert.deepEqual([plan.riskLevel, plan.estimatedCostUsd, plan.estimatedTokens], ['medium', 0.3, 1500]);
    assert.equal(recoveryPlan(goal, diagnose(goal), { ...options, remainingUsd: 0.1 }).riskLevel, 'high', 'more than the budget has left');
  });

  it('runs the task that keeps failing on another model of the same family the price table knows', () => {
    assert.deepEqual([otherModel('gpt-5-mini', DEFAULT_PRICES), otherModel('gpt-5-2025-08-07', DEFAULT_PRICES), otherModel('claude-sonnet-4-20250514', DEFAULT_PRICES), otherModel(undefined, DEFAULT_PRICES)], ['gpt-5', 'gpt-5-mini', undefined, undefined]);
    const iterations = [1, 2, 3].map((n) => measured(n, { failures: ['unit#aaa'] }));
    iterations.push({ n: 4, startedAt: T0, tasks: ['T4'] });
    const goal = goalRecord({ iterations, tasks: [pending('T4', 'Make the "unit" check pass')] });
    const plan = recoveryPlan(goal, diagnose(goal), { installed: ['codex'], defaultRunner: 'codex', usedModel: 'gpt-5-mini', prices: DEFAULT_PRICES });
    assert.deepEqual(plan.actions.map((a) => [a.kind, a.target]), [['split_task', 'T4'], ['switch_model', 'T4:gpt-5']]);
    assert.equal(plan.riskLevel, 'medium');
    // With another CLI installed the runner is switched, not the model: the model is the writers' CLI's, not the other's.
    const other = recoveryPlan(goal, diagnose(goal), { installed: ['codex', 'claude'], defaultRunner: 'codex', usedModel: 'gpt-5-mini', prices: DEFAULT_PRICES });
    assert.deepEqual(other.actions.map((a) => [a.kind, a.target]), [['split_task', 'T4'], ['switch_runner', 'claude']]);
    assert.deepEqual(modelSwitchOf('T4:gpt-5'), { task: 'T4', model: 'gpt-5' });
    // The model goes with the task to the team that runs it.
    goal.tasks[0]!.model = 'gpt-5';
    assert.deepEqual(remainingSpecs(goal, iterations[3]!).map((t) => [t.id, t.model]), [['T4', 'gpt-5']]);
  });

  it('carries a model switch out on the task it names, and says so in the timeline', async () => {
    const stateDir = tempDir('sb-recover-');
    const record = goalRecord({ status: 'paused', tasks: [pending('T4', 'Make the "unit" check pass')], iterations: [{ n: 1, startedAt: T0, tasks: ['T4'] }] });
    const goal = { stateDir, record, events: new GoalFeed({ stateDir } as GoalContext, record), save: () => undefined, pause: () => Promise.resolve(), resume: () => undefined };
    const plan = { ...recoveryPlan(record, diagnose(record), options), actions: [{ kind: 'switch_model' as const, description: 'another model', target: 'T4:gpt-5' }] };
    const done = await recoverGoal(goal, plan, 'a person');
    assert.deepEqual([done.results, record.tasks[0]!.model], [['T4 now runs on gpt-5'], 'gpt-5']);
    assert.match(fs.readFileSync(new StateMap(stateDir).goal(record.id).events, 'utf8'), /"kind":"recovery_applied","summary":"T4 now runs on gpt-5","actor":"a person"/);
  });

  it('rolls a circle back to the checkpoint before it began; asks a person when nothing else can be done', () => {
    const flip = (n: number, from: string, to: string): Iteration => ({ ...measured(n, { failures: [`u#${n}`], fileStates: { f: [from, to] } }), checkpoint: `cp-${n}` });
    const recoveryPoints = [1, 2, 3].map((n) => ({ id: `cp-${n}`, iteration: n, at: T0, commit: `c${n}`, ref: `refs/switchboard/goals/g/checkpoints/cp-${n}` }));
    const goal = goalRecord({ iterations: [flip(1, 'A', 'B'), flip(2, 'B', 'A'), flip(3, 'A', 'B')], recoveryPoints });
    const plan = recoveryPlan(goal, diagnose(goal), options);
    assert.deepEqual(plan.actions.map((a) => [a.kind, a.target]), [['rollback', 'cp-1'], ['add_reviewer', null]]);
    assert.equal(plan.riskLevel, 'high', 'it undoes three iterations');
    const lone = goalRecord({ spec: '1:executor', maxAgents: 1, iterations: [1, 2, 3].map((n) => measured(n, { failures: [`u#${n}`] })) });
    assert.deepEqual(recoveryPlan(lone, diagnose(lone), { installed: ['claude'], defaultRunner: 'claude' }).actions.map((a) => a.kind), ['ask_human']);
    const calm = goalRecord({ iterations: [measured(1)] });
    assert.deepEqual(recoveryPlan(calm, diagnose(calm), options).actions, []);
  });

  it('changes the spec and the graph as the actions say', () => {
    assert.equal(specWithRunner('1:planner,2:executor,1:reviewer:codex', 'gemini'), '1:planner,2:executor:gemini,1:reviewer:codex');
    assert.equal(writerRunner('1:planner:codex,2:executor', 'claude'), 'claude');
    assert.equal(specWithReviewer('1:executor', 2), '1:executor,1:reviewer');
    assert.equal(specWithReviewer('2:executor:codex', 2), '1:executor:codex,1:reviewer');
    assert.equal(specWithReviewer('1:executor', 1), undefined);
    const goal = goalRecord({ tasks: [pending('T1', 'Make the "unit" check pass'), pending('T2', 'other')], iterations: [{ n: 1, startedAt: T0, tasks: ['T1', 'T2'] }] });
    const cause = splitTask(goal, 'T1', 'unit', 'it failed thrice', false);
    assert.equal(cause.id, 'T3');
    assert.match(cause.title, /Find out why the "unit" check keeps failing/);
    assert.deepEqual(goal.tasks.find((t) => t.id === 'T1')!.dependsOn, ['T3']);
    const review = addReviewTask(goal, 'stuck');
    assert.deepEqual([review.id, review.role], ['T4', 'reviewer']);
    assert.deepEqual(goal.tasks.filter((t) => t.id !== 'T4').map((t) => t.dependsOn.includes('T4')), [true, true, true]);
    assert.deepEqual(goal.iterations[0]!.tasks, ['T1', 'T2', 'T3', 'T4']);
  });
});
