/** A goal's replay and budget report over a real feed and events file: whose changes it tells, read on as they come, and checkpoints as they were. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { checkpoint, spendOf } from '../../src/core/goals/budget';
import { budgetReport } from '../../src/core/goals/budgetReport';
import { appendGoalEvent } from '../../src/core/goals/goalStore';
import { ReplayReader, replayGoal } from '../../src/core/goals/replay';
import { Feed } from '../../src/core/feed/feed';
import { gateKey, taskKey, teamKey } from '../../src/core/feed/feedEvent';
import { StateMap } from '../../src/core/state/stateMap';
import { goalRecord } from '../support/goalRecord';
import { tempDir } from '../support/harness';

const OTHER = 'goal-20261206-zzz999';

describe('goal replay', () => {
  let stateDir: string;
  let feed: Feed;
  beforeEach(() => {
    stateDir = tempDir('sb-replay-');
    feed = new Feed(new StateMap(stateDir));
  });
  afterEach(() => feed.dispose());

  it("tells the teams of iterations a rollback abandoned, and only the gates its workspace ran that no other goal ran", () => {
    const goal = goalRecord({ createdAt: Date.now() - 1000, iterations: [{ n: 1, team: 'goal-20261206-abc123-1', startedAt: 0, tasks: [] }] });
    const gate = (name: string, links?: { goal: string }) => feed.append({ type: 'gate.failed', key: gateKey(goal.workspace, name), entity: { name, passed: false, required: true, stderr: '', exitCode: 1, timedOut: false, workspace: goal.workspace, ...(links ? { links } : {}) } });
    feed.append({ type: 'team.started', key: teamKey(`${goal.id}-1`), entity: { name: `${goal.id}-1`, status: 'running', tasks: [] } });
    feed.append({ type: 'team.started', key: teamKey(`${goal.id}-3`), entity: { name: `${goal.id}-3`, status: 'running', tasks: [] } });
    feed.append({ type: 'task.failed', key: taskKey(`${goal.id}-3`, 'T3'), entity: { team: `${goal.id}-3`, task: { id: 'T3', title: 'x', status: 'failed' } } });
    feed.append({ type: 'team.started', key: teamKey(`${OTHER}-1`), entity: { name: `${OTHER}-1`, status: 'running', tasks: [] } });
    gate('mine', { goal: goal.id });
    gate('theirs', { goal: OTHER });
    gate('by hand');
    const replay = replayGoal(stateDir, feed, goal);
    assert.deepEqual(
      replay.timeline.map((e) => [e.kind, e.summary.split(' ')[0]]),
      [['team_started', `${goal.id}-1`], ['team_started', `${goal.id}-3`], ['task_failed', `${goal.id}-3`], ['gate_failed', 'gate'], ['gate_failed', 'gate']],
    );
    assert.deepEqual(replay.timeline.filter((e) => e.kind === 'gate_failed').map((e) => /"(.+?)"/.exec(e.summary)?.[1]), ['mine', 'by hand']);
  });

  it('reads on from where it stopped, telling each entry once, and a line still being written only once it is whole', () => {
    const goal = goalRecord({ createdAt: Date.now() - 1000 });
    const reader = new ReplayReader(stateDir, feed, goal.id);
    try {
      appendGoalEvent(stateDir, goal.id, { kind: 'goal_created', summary: 'status=running' });
      assert.deepEqual(reader.replay(goal, Date.now(), false).timeline.map((e) => e.kind), ['goal_created']);
      const events = new StateMap(stateDir).goal(goal.id).events;
      fs.appendFileSync(events, `{"ts":${Date.now()},"kind":"rollback","summary":"to cp-1"`);
      feed.append({ type: 'team.started', key: teamKey(`${goal.id}-1`), entity: { name: `${goal.id}-1`, status: 'running', tasks: [] } });
      assert.deepEqual(reader.read(goal).map((e) => e.kind), ['team_started'], 'the half-written line waits');
      fs.appendFileSync(events, '}\n');
      goal.checkpoints.push(checkpoint(goal, spendOf(goal, []), 'iteration_started'));
      assert.deepEqual(reader.read(goal).map((e) => e.kind).sort(), ['checkpoint_recorded', 'rollback']);
      assert.deepEqual([reader.read(goal), reader.parseFailures], [[], 0]);
    } finally {
      reader.dispose();
    }
  });
});

describe('goal budget report', () => {
  it('shows each checkpoint with the time budget it had then', () => {
    const goal = goalRecord({ createdAt: Date.now() - 2000, budgetTime: '3s', budgetTimeMs: 3000 });
    goal.checkpoints.push(checkpoint(goal, spendOf(goal, []), 'goal_created'));
    Object.assign(goal, { budgetTime: '33s', budgetTimeMs: 33_000 });
    goal.checkpoints.push(checkpoint(goal, spendOf(goal, []), 'budget_extended'));
    // A checkpoint written before the text was kept: told from its milliseconds.
    goal.checkpoints.push({ ...checkpoint(goal, spendOf(goal, []), 'older'), budgetTime: undefined, budgetTimeMs: 90_000 });
    const report = budgetReport(goal, [], () => undefined);
    assert.deepEqual(report.checkpoints.map((c) => [c.label, c.budgetTime, c.totalBudgetSecs]), [['goal_created', '3s', 3], ['budget_extended', '33s', 33], ['older', '1m30s', 90]]);
    assert.deepEqual([report.now.budgetTime, report.now.totalBudgetSecs], ['33s', 33]);
  });
});
