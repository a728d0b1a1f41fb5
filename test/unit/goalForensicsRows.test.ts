/**
 * What the Goals and Teams views show of a goal's recovery checkpoints, rollbacks and discoveries,
 * as data (the rows' labels, descriptions, states, icons and menu words; the groups and the nodes
 * below them), and the replay and budget report as the CLI and VS Code's documents write them.
 */
import * as assert from 'node:assert/strict';
import type { Discovery } from '../../src/core/discoveries/discoveryStore';
import type { GoalRecord, RecoveryPoint, Rollback } from '../../src/core/goals/goalRecord';
import type { GoalStatusView } from '../../src/core/goals/goalService';
import type { TeamStatusView } from '../../src/core/teams/teamService';
import { renderBudgetReport, renderReplay, replayEntryLine, replayHeading } from '../../src/ops/goalReportText';
import type { BudgetReportShape, ReplayShape } from '../../src/ops/goalShapes';
import { discoveriesSummary, discoveryRow, goalTakesTasks, teamTakesTasks } from '../../src/vscode/discoveries/discoveryRows';
import { canRollBack, checkpointEntries, checkpointRow, checkpointsSummary, defaultCheckpoint, rollbackRow } from '../../src/vscode/goals/checkpointRows';
import type { GoalSnapshot } from '../../src/vscode/goals/goalWatcher';
import type { TeamSnapshot } from '../../src/vscode/teams/teamWatcher';
import { goalChildNodes, goalGroups, goalMembers, goalNodeKey, goalParentNode, type GoalNode } from '../../src/vscode/views/goalNodes';
import { teamChildNodes, teamMembers, teamParentNode } from '../../src/vscode/views/teamNodes';
import { goalRecord, T0 } from '../support/goalRecord';

const ID = 'goal-20261206-abc123';
const point = (n: number, at: number): RecoveryPoint => ({ id: `cp-${n}`, iteration: n, at, commit: `${n}`.repeat(40), ref: `refs/switchboard/goals/${ID}/checkpoints/cp-${n}` });
const discovery = (id: string, more: Partial<Discovery> = {}): Discovery => ({ id, title: `title of ${id}`, description: 'what was found', status: 'pending', createdAt: T0, updatedAt: T0, goal: ID, via: 'output', ...more });
const snapshot = (goal: GoalRecord, discoveries: Discovery[] = []): GoalSnapshot => ({ view: { goal, owned: true } as GoalStatusView, runs: new Map(), breakers: new Map(), gatesKey: 'k', discoveries });

describe('the Checkpoints group of a goal', () => {
  const rollback: Rollback = { at: T0 + 3500, to: 'cp-2', commit: '2'.repeat(40), abandonedCommit: '3'.repeat(40), abandonedRef: `refs/switchboard/goals/${ID}/abandoned/cp-2-20261206T100003Z` };
  const rolledBack = goalRecord({
    iteration: 2,
    recoveryPoints: [point(1, T0 + 1000), point(2, T0 + 2000), point(3, T0 + 3000), { ...point(4, T0 + 4000), iteration: 2 }],
    rollbacks: [rollback],
    iterations: [{ n: 1, startedAt: T0, tasks: [], checkpoint: 'cp-1' }, { n: 2, startedAt: T0 + 4000, tasks: [], checkpoint: 'cp-4' }],
  });

  it('lists the checkpoints and rollbacks in the order they happened, the one the current iteration started from marked', () => {
    assert.deepEqual(checkpointEntries(rolledBack).map((e) => (e.kind === 'checkpoint' ? e.point.id : `rollback to ${e.rollback.to}`)), ['cp-1', 'cp-2', 'cp-3', 'rollback to cp-2', 'cp-4']);
    assert.equal(defaultCheckpoint(rolledBack)?.id, 'cp-4');
    const current = checkpointRow(rolledBack, rolledBack.recoveryPoints![3]!);
    assert.deepEqual([current.label, current.state, current.icon, current.contextValue], ['cp-4', 'current', ['git-commit', 'charts.blue'], 'checkpoint rollbackable']);
    assert.match(current.description, /^iteration 2 · .+ · 444444444444 · the current iteration started here$/);
    const older = checkpointRow(rolledBack, rolledBack.recoveryPoints![0]!);
    assert.deepEqual([older.state, older.icon], ['checkpoint', ['git-commit']]);
    assert.match(older.description, /^iteration 1 · .+ · 111111111111$/);
    assert.equal(checkpointsSummary(rolledBack), '4 · 1 rollback');
  });

  it('says where the work a rollback left is kept, or that nothing was left', () => {
    const row = rollbackRow(rollback);
    assert.deepEqual([row.label, row.state, row.contextValue], ['Rolled back to cp-2', 'rollback', 'goalRollback hasAbandonedRef']);
    assert.match(row.description, / · 222222222222 · work left at abandoned\/cp-2-20261206T100003Z$/);
    assert.match(rollbackRow({ at: T0, to: 'cp-1', commit: '1'.repeat(40) }).description, /nothing left behind$/);
  });

  it('offers no rollback for a cancelled goal, nor for one without checkpoints', () => {
    const cancelled = { ...rolledBack, status: 'cancelled' as const };
    assert.equal(canRollBack(cancelled), false);
    assert.equal(checkpointRow(cancelled, cancelled.recoveryPoints![0]!).contextValue, 'checkpoint');
    assert.equal(canRollBack(goalRecord()), false);
    assert.equal(defaultCheckpoint(goalRecord()), undefined);
  });
});

describe('discovery rows', () => {
  it('show each status with what became of it', () => {
    const pending = discoveryRow(discovery('DSC-001', { sourceTaskId: 'T2' }), true);
    assert.deepEqual(pending, { label: 'DSC-001: title of DSC-001', description: 'pending · from T2', state: 'pending', icon: ['lightbulb', 'list.warningForeground'], contextValue: 'discovery pending promotable' });
    // Its goal or team takes no task now (ended): Dismiss only.
    assert.equal(discoveryRow(discovery('DSC-001'), false).contextValue, 'discovery pending');
    const promoted = discoveryRow(discovery('DSC-002', { status: 'promoted', promotedTask: 'DSC-002' }), true);
    assert.deepEqual([promoted.description, promoted.contextValue, promoted.icon[0]], ['promoted as task DSC-002', 'discovery promoted', 'tasklist']);
    const dismissed = discoveryRow(discovery('DSC-003', { status: 'dismissed', reason: 'known flake' }), true);
    assert.deepEqual([dismissed.description, dismissed.contextValue], ['dismissed: known flake', 'discovery dismissed']);
    // Pending again after a rollback took its task: it says why.
    assert.equal(discoveryRow(discovery('DSC-004', { reason: 'its task DSC-004 was rolled back with the goal to cp-2; promote it again' }), true).description, 'pending · its task DSC-004 was rolled back with the goal to cp-2; promote it again');
  });

  it('are promotable while their goal or team takes tasks', () => {
    assert.equal(goalTakesTasks(goalRecord({ iterations: [{ n: 1, startedAt: T0, tasks: [] }] })), true);
    assert.equal(goalTakesTasks(goalRecord()), false, 'no graph yet');
    assert.equal(goalTakesTasks(goalRecord({ status: 'ready', iterations: [{ n: 1, startedAt: T0, tasks: [] }] })), false, 'ended');
    assert.equal(goalTakesTasks(goalRecord({ status: 'paused', iterations: [{ n: 1, startedAt: T0, tasks: [] }] })), true, 'its next team takes it');
    assert.deepEqual((['running', 'planning', 'done', 'interrupted'] as const).map((status) => teamTakesTasks({ status })), [true, false, false, false]);
  });

  it('sum up in the group line', () => {
    assert.equal(discoveriesSummary([]), 'none yet');
    assert.equal(discoveriesSummary([discovery('DSC-001'), discovery('DSC-002', { status: 'dismissed' })]), '1 pending of 2');
    assert.equal(discoveriesSummary([discovery('DSC-002', { status: 'dismissed' })]), '1');
  });
});

describe('the nodes of the Goals view', () => {
  it('has Discoveries always, Checkpoints and Artifacts once there are some, and the rows below each', () => {
    const fresh = snapshot(goalRecord());
    assert.deepEqual(goalGroups(fresh), ['gates', 'tasks', 'discoveries', 'iterations']);
    const goal = goalRecord({ recoveryPoints: [point(1, T0 + 1000)], rollbacks: [{ at: T0 + 2000, to: 'cp-1', commit: '1'.repeat(40) }], artifacts: [{ kind: 'proof', path: '/p/proof.json', createdAt: T0 }] });
    const full = snapshot(goal, [discovery('DSC-001'), discovery('DSC-002')]);
    assert.deepEqual(goalGroups(full), ['gates', 'tasks', 'discoveries', 'iterations', 'checkpoints', 'artifacts']);
    assert.deepEqual(goalChildNodes({ kind: 'discoveries', goal: ID }, full), [{ kind: 'discovery', goal: ID, discovery: 'DSC-001' }, { kind: 'discovery', goal: ID, discovery: 'DSC-002' }]);
    const below = goalChildNodes({ kind: 'checkpoints', goal: ID }, full);
    assert.deepEqual(below, [{ kind: 'checkpoint', goal: ID, checkpoint: 'cp-1' }, { kind: 'rollback', goal: ID, at: T0 + 2000 }]);
    assert.deepEqual(below.map(goalNodeKey), [`checkpoint:${ID}/cp-1`, `rollback:${ID}/${T0 + 2000}`]);
    assert.deepEqual(below.map((n) => goalParentNode(n)), [{ kind: 'checkpoints', goal: ID }, { kind: 'checkpoints', goal: ID }]);
    assert.deepEqual(goalParentNode({ kind: 'discovery', goal: ID, discovery: 'DSC-001' }), { kind: 'discoveries', goal: ID });
    assert.deepEqual(goalParentNode({ kind: 'gateResult', goal: ID, n: 1, gate: 'test' } as GoalNode), { kind: 'iteration', goal: ID, n: 1 });
    assert.equal(goalParentNode({ kind: 'goal', goal: ID }), undefined);
    const members = goalMembers(full);
    assert.deepEqual(Object.keys(members), goalGroups(full));
    assert.equal(members.discoveries, 'DSC-001\0DSC-002');
    assert.notEqual(goalMembers(snapshot(goal, [discovery('DSC-001')])).discoveries, members.discoveries, 'a discovery coming changes the group');
  });
});

describe('the nodes of the Teams view', () => {
  const team = (goal?: string): TeamSnapshot => ({
    view: { team: { name: 'alpha', goal, workers: [{ name: 'executor-1' }], tasks: [{ id: 'T1' }] } } as unknown as TeamStatusView,
    runs: new Map(),
    discoveries: goal ? [] : [discovery('DSC-001', { goal: undefined, team: 'alpha' })],
  });

  it('has Discoveries under a team of its own, none under a goal\'s team (they are the goal\'s)', () => {
    assert.deepEqual(teamChildNodes({ kind: 'team', team: 'alpha' }, team()).map((n) => n.kind), ['workers', 'tasks', 'discoveries']);
    assert.deepEqual(teamChildNodes({ kind: 'team', team: 'alpha' }, team(ID)).map((n) => n.kind), ['workers', 'tasks']);
    assert.deepEqual(teamChildNodes({ kind: 'discoveries', team: 'alpha' }, team()), [{ kind: 'discovery', team: 'alpha', discovery: 'DSC-001' }]);
    assert.deepEqual(teamParentNode({ kind: 'discovery', team: 'alpha', discovery: 'DSC-001' }), { kind: 'discoveries', team: 'alpha' });
    assert.deepEqual(teamMembers(team()), { workers: 'executor-1', tasks: 'T1', discoveries: 'DSC-001' });
  });
});

describe('the replay and budget report as people read them (CLI and VS Code)', () => {
  const replay: ReplayShape = {
    version: 1, goal_id: ID, status: 'running', phase: 'execution', generated_at: '2026-12-06T10:00:05.000Z', event_count: 2,
    task_graph_summary: { total_tasks: 1, pending_tasks: 1, blocked_tasks: 0, done_tasks: 0 },
    timeline: [
      { index: 0, ts: '2026-12-06T10:00:00.000Z', kind: 'goal_created', actor: null, summary: 'status=running, phase=intake' },
      { index: 1, ts: '2026-12-06T10:00:04.250Z', kind: 'rollback', actor: 'vscode', summary: 'to cp-1 | kept' },
    ],
    recovery_status: 'rolled back to cp-1', known_gaps: ['the feed was compacted'], duplicate_events: 2, parse_failures: 1,
  };

  it('writes the timeline as a Markdown table or aligned text, with what it could not tell', () => {
    assert.equal(replayHeading(replay, false), `replay of ${ID}: running, execution, 2 event(s)`);
    assert.equal(replayEntryLine(replay.timeline[1]!, false), '    1  10:00:04.250  rollback             vscode: to cp-1 | kept');
    assert.equal(replayEntryLine(replay.timeline[1]!, true), '| 1 | 10:00:04.250 | rollback | vscode | to cp-1 \\| kept |');
    const md = renderReplay(replay, true).split('\n');
    assert.deepEqual(md.slice(0, 6), [`# Replay of ${ID} (running, execution)`, '', '| # | at | kind | actor | summary |', '| --- | --- | --- | --- | --- |', '| 0 | 10:00:00.000 | goal_created |  | status=running, phase=intake |', '| 1 | 10:00:04.250 | rollback | vscode | to cp-1 \\| kept |']);
    assert.deepEqual(md.slice(6), ['', '- Recovery: rolled back to cp-1.', '- Known gap: the feed was compacted.', '- 2 change(s) told more than once, counted once.', '- 1 damaged line(s) skipped.']);
    assert.doesNotMatch(renderReplay({ ...replay, recovery_status: null, known_gaps: [], duplicate_events: 0, parse_failures: 0 }, false), /\n\n/);
  });

  it('writes the budget report with its limits, checkpoints and spend', () => {
    const line = { key: 'custom', runs: 2, tokens: 300, usd: 0.0123, usd_source: 'estimated' as const };
    const checkpoint = { version: 1 as const, goal_id: ID, label: 'goal_created', status: 'running' as const, phase: 'intake' as const, recorded_at: '2026-12-06T10:00:00.000Z', budget_time: '1h', total_budget_secs: 3600, elapsed_since_created_secs: 0, remaining_budget_secs: 3600, budget_tokens: null, used_tokens: 0, remaining_budget_tokens: null, budget_usd: 5, estimated_cost_usd: 0, remaining_budget_usd: 5 };
    const report: BudgetReportShape = {
      version: 1, goal_id: ID, generated_at: '2026-12-06T10:01:00.000Z', budget_time: '1h', total_budget_secs: 3600, budget_tokens: null, used_tokens: 300, remaining_budget_tokens: null, budget_usd: 5, estimated_cost_usd: 0.0123, remaining_budget_usd: 4.9877,
      latest: checkpoint, checkpoints: [checkpoint], spent_usd: 0.0123, spent_tokens: 300, spent_seconds: 60, breakdown: { by_runner: [line], by_model: [], by_worker: [], by_task: [] },
    };
    const md = renderBudgetReport(report, true);
    assert.match(md, new RegExp(`^# Budget of ${ID}\n\\$0\\.0123 of \\$5\\.00 · 300 tokens · 60 s of 3600 s \\(1h\\)\n\n## Checkpoints\n\`\`\`\nCHECKPOINT`));
    assert.match(md, /goal_created +10:00:00 +running +intake +0s +0 +\$0\.0000\n```/);
    assert.match(md, /## By runner\n- custom: \$0\.0123 \(estimated\), 300 tokens, 2 run\(s\)/);
    assert.match(renderBudgetReport(report, false), /^Budget of goal-.+\n.+\ncheckpoints:\nCHECKPOINT/);
  });
});
