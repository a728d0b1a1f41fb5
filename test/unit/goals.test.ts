/** The goal's arithmetic and shapes: durations, budgets, fix tasks, the evaluator's score, run limits, and the JSON of a goal and its proof. */
import * as assert from 'node:assert/strict';
import type { Task } from '../../src/core/dag/task';
import { budgetState, elapsedOf, spendOf } from '../../src/core/goals/budget';
import { formatBudgetTime, parseDuration } from '../../src/core/goals/duration';
import { scoreOf } from '../../src/core/goals/evaluator';
import type { Iteration } from '../../src/core/goals/goalRecord';
import { fixTasks, remainingSpecs } from '../../src/core/goals/goalTasks';
import type { RunRecord } from '../../src/core/runs/types';
import { crossedLimit, goalBudgetStop, limitStop, timeLimitReason } from '../../src/core/supervisor/runLimits';
import { goalRunLimits } from '../../src/core/goals/goalRunLimits';
import { parseLimitsText, runLimits } from '../../src/core/runs/runLimitsInput';
import { toGoalShape, toProofShape } from '../../src/ops/goalShapes';
import { goalRecord, T0 } from '../support/goalRecord';

const goal = goalRecord;

const run = (usage: Partial<RunRecord['usage']>): RunRecord => ({ usage: { inputTokens: 0, outputTokens: 0, ...usage } }) as RunRecord;

describe('goals: durations and budgets', () => {
  it('reads durations as people write them, and refuses the rest naming the form', () => {
    assert.deepEqual(['8h', '90m', '1h30m', '45s', '2d', '1.5h', ' 1h 30m '].map((d) => parseDuration(d)), [28_800_000, 5_400_000, 5_400_000, 45_000, 172_800_000, 5_400_000, 5_400_000]);
    for (const bad of ['', '8', 'h', '1x', '-1h', '0m']) assert.throws(() => parseDuration(bad), /is not a duration|more than zero/);
    assert.deepEqual([formatBudgetTime(5_400_000), formatBudgetTime(62_000), formatBudgetTime(3000)], ['1h30m', '1m2s', '3s']);
  });

  it('spends what the runs report, counts estimates and unpriced runs, and leaves paused time out', () => {
    const spend = spendOf(goal({ pausedMs: 60_000 }), [run({ inputTokens: 1000, outputTokens: 200, usd: 0.5, usdSource: 'reported' }), run({ inputTokens: 50, outputTokens: 5, usd: 0.01, usdSource: 'estimated' }), run({ inputTokens: 10 })], T0 + 600_000);
    assert.deepEqual(spend, { tokens: 1265, usd: 0.51, usdEstimated: true, unpriced: 1, elapsedMs: 540_000, runs: 3 });
    assert.equal(elapsedOf(goal({ pausedAt: T0 + 100_000 }), T0 + 900_000), 100_000, 'a paused goal does not age');
  });

  it('warns past 80% of a budget and is exhausted at 100%, dimension by dimension', () => {
    const g = goal({ budgetUsd: 1, budgetTokens: 1000, budgetTimeMs: 3_600_000 });
    const state = budgetState(g, { tokens: 1000, usd: 0.85, usdEstimated: false, unpriced: 0, elapsedMs: 600_000, runs: 2 });
    assert.deepEqual([state.warnings, state.exhausted], [['usd'], ['tokens']]);
    assert.deepEqual(budgetState(goal(), { tokens: 10 ** 9, usd: 99, usdEstimated: false, unpriced: 0, elapsedMs: 10 ** 9, runs: 1 }).exhausted, [], 'no limits, nothing exhausted');
  });

  it("stops a single run at its hard limits, and reads them as given", () => {
    const limits = runLimits({ maxUsd: '0.50', maxTokens: 200_000, timeout: '30m' })!;
    assert.deepEqual(limits, { maxUsd: 0.5, maxTokens: 200_000, timeoutMs: 1_800_000 });
    assert.equal(crossedLimit(limits, { inputTokens: 10, outputTokens: 1, usd: 0.4 }), undefined);
    assert.match(crossedLimit(limits, { inputTokens: 10, outputTokens: 1, usd: 0.51, usdSource: 'estimated' })!, /its cost limit: it spent ~\$0\.51.+\$0\.50/);
    assert.match(crossedLimit(limits, { inputTokens: 200_000, outputTokens: 1 })!, /its token limit/);
    assert.throws(() => runLimits({ maxTokens: '1.5' }), /whole number/);
    assert.equal(runLimits({}), undefined);
  });

  it("gives each run what is left of its goal's budget as hard limits, and says a stop by one is the goal's", () => {
    const g = goal({ budgetUsd: 1, budgetTokens: 1000, budgetTimeMs: 3_600_000 });
    const other = run({ inputTokens: 300, outputTokens: 100, usd: 0.25 });
    const mine = { ...run({ inputTokens: 50, outputTokens: 50, usd: 0.1 }), startedAt: T0 + 60_000 };
    const state = budgetState(g, spendOf(g, [other, mine], T0 + 600_000));
    // A new run: what is left. A run at work (after an extension): what is left, on top of what it spent, its time counted from its start.
    // Either way no later than the goal's deadline (a run that waits in line first does not outlast it by its wait).
    const deadline = T0 + 3_600_000;
    assert.deepEqual(goalRunLimits(g, state, undefined, T0 + 600_000), { maxUsd: 0.65, maxTokens: 500, timeoutMs: 3_000_000, endsAt: deadline, goal: g.id });
    assert.deepEqual(goalRunLimits(g, state, mine, T0 + 600_000), { maxUsd: 0.75, maxTokens: 600, timeoutMs: 3_540_000, endsAt: deadline, goal: g.id });
    assert.equal(goalRunLimits(goal(), state), undefined, 'no budget, no limits');
    const limits = goalRunLimits(g, state, undefined, T0 + 600_000)!;
    const stop = limitStop(crossedLimit(limits, { inputTokens: 501, outputTokens: 0 })!)!;
    assert.equal(stop, `stopped at the goal's token budget: it used 501 tokens, over the 500 left to it of goal ${g.id}'s budget`);
    assert.equal(goalBudgetStop({ status: 'killed', lastError: stop }), 'tokens');
    assert.equal(goalBudgetStop({ status: 'killed', lastError: limitStop(timeLimitReason(limits)) }), 'time');
    assert.equal(goalBudgetStop({ status: 'killed', lastError: limitStop(crossedLimit({ maxTokens: 5 }, { inputTokens: 6, outputTokens: 0 })!) }), undefined, "a run's own limit is not its goal's budget");
  });

  it('reads limits typed on one line, in any order, and says which word it could not read', () => {
    assert.deepEqual(parseLimitsText('$0.50  200k tokens  30m'), { maxUsd: 0.5, maxTokens: 200_000, timeoutMs: 1_800_000 });
    assert.deepEqual(parseLimitsText('1h30m, 1.5M tok, 2$'), { maxUsd: 2, maxTokens: 1_500_000, timeoutMs: 5_400_000 });
    assert.deepEqual(parseLimitsText('5000tokens'), { maxTokens: 5000 });
    assert.equal(parseLimitsText('   '), undefined);
    assert.throws(() => parseLimitsText('$0.50 soon'), /"soon" is not a limit/);
    assert.throws(() => parseLimitsText('$0'), /more than zero/);
  });
});

describe('goals: iterations', () => {
  const done = (id: string): Task => ({ id, title: id, dependsOn: [], status: 'done', attempts: 1 });
  const failed: Iteration = {
    n: 1, startedAt: T0, tasks: ['T1'], problems: ['the work of executor-2 could not be merged'],
    gates: [
      { name: 'test', passed: false, stdout: 'ok 1\nnot ok 2 - parses dates', stderr: '', durationMs: 10, required: true, commandLine: ['npm', 'test'], exitCode: 1, timedOut: false, log: '/l/test.log' },
      { name: 'lint', passed: false, stdout: '', stderr: 'warn', durationMs: 1, required: false, commandLine: ['npm', 'run', 'lint'], exitCode: 1, timedOut: false, log: '/l/lint.log' },
    ],
    score: 0.5,
    notes: 'no tests for edge cases',
  };

  it('turns a failed required gate, a low score and unmerged work into fix tasks with what the agent needs to know', () => {
    const fixes = fixTasks(goal({ tasks: [done('T1')], quality: 0.8 }), failed);
    assert.deepEqual(fixes.map((f) => [f.id, f.title]), [['T2', 'Make the "test" check pass'], ['T3', 'Raise the quality of the work to the bar'], ['T4', 'Bring work that could not be merged onto the goal branch']]);
    assert.match(fixes[0]!.description!, /`npm test` failed \(exit code 1\)[\s\S]*not ok 2 - parses dates[\s\S]*\/l\/test\.log/);
    assert.match(fixes[1]!.description!, /scored the work 0\.50, below 0\.8[\s\S]*edge cases/);
  });

  it("gives a stopped iteration's team only what is left, without dependencies on done work", () => {
    const tasks: Task[] = [done('T1'), { id: 'T2', title: 'b', dependsOn: ['T1'], status: 'cancelled', attempts: 1 }, { id: 'T3', title: 'c', dependsOn: ['T2'], status: 'cancelled', attempts: 0 }];
    assert.deepEqual(remainingSpecs(goal({ tasks }), { n: 1, startedAt: T0, tasks: ['T1', 'T2', 'T3'] }), [{ id: 'T2', title: 'b', dependsOn: [] }, { id: 'T3', title: 'c', dependsOn: ['T2'] }]);
  });

  it("scores an evaluator's answer by the rubric's weights, from its last fenced JSON block", () => {
    const answer = 'Looks fine.\n```json\n{"scores": {"correctness": 1, "safety": 0.5, "style": 0}, "notes": "name things"}\n```';
    assert.deepEqual(scoreOf(answer), { score: 0.65, notes: 'name things' });
    assert.throws(() => scoreOf('no json here'), /JSON block/);
    assert.throws(() => scoreOf('```json\n{"scores":{"correctness":1}}\n```'), /no score for safety/);
  });
});

describe('goals: their JSON', () => {
  it('a goal has exactly its documented fields, nulls where nothing is known', () => {
    const shape = toGoalShape(goal({ budgetTime: '8h', budgetTimeMs: 28_800_000, budgetUsd: 10 }), '/state');
    assert.deepEqual(Object.keys(shape).sort(), [
      'artifacts', 'branch', 'budget_time', 'budget_tokens', 'budget_usd', 'completed_at', 'created_at', 'delivery_policy', 'failure', 'goal_id', 'iteration', 'max_agents', 'max_iterations',
      'merge_policy', 'normalized_goal', 'original_goal', 'phase', 'slice_execution', 'state_dir', 'status', 'team', 'terminal_criteria', 'until_ready', 'updated_at', 'version', 'workspace',
    ]);
    assert.deepEqual([shape.budget_time, shape.budget_tokens, shape.budget_usd, shape.completed_at, shape.failure, shape.team], ['8h', null, 10, null, null, null]);
    assert.equal(shape.state_dir, '/state/goals/goal-20261206-abc123');
    assert.equal(shape.created_at, '2026-12-06T10:00:00.000Z');
  });

  it('a proof has exactly its documented fields', () => {
    const proof = toProofShape({
      version: 1, goalId: 'goal-20261206-abc123', status: 'ready', readiness: 'ready', summary: 's', generatedAt: T0, artifacts: [],
      taskGraphSummary: { totalTasks: 2, pendingTasks: 0, blockedTasks: 0, doneTasks: 2 }, changedFiles: ['a'], commits: ['abc1234'], gates: [], postMutationGatesRan: true, knownGaps: [], humanDecisionsRequired: [],
    });
    assert.deepEqual(Object.keys(proof).sort(), ['artifacts', 'changed_files', 'commits', 'gates', 'generated_at', 'goal_id', 'human_decisions_required', 'known_gaps', 'post_mutation_gates_ran', 'readiness', 'status', 'summary', 'task_graph_summary', 'version']);
    assert.deepEqual(Object.keys(proof.task_graph_summary), ['total_tasks', 'pending_tasks', 'blocked_tasks', 'done_tasks']);
  });
});
