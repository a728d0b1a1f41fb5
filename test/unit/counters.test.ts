/** The lasting counters: what each change of the feed counts for, and adding to them in a state folder. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { addCounters, COUNTER_NAMES, readCounters } from '../../src/core/metrics/counters';
import { feedCounts } from '../../src/core/metrics/feedCounts';
import { StateMap } from '../../src/core/state/stateMap';

describe('lasting counters', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-counters-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('count each kind of change once, with the tokens and dollars of runs that end', () => {
    const usage = { inputTokens: 100, outputTokens: 20, usd: 0.5 };
    assert.deepEqual(feedCounts({ type: 'agent.started', key: 'run:a', entity: { usage } }), { total_runs: 1 });
    assert.deepEqual(feedCounts({ type: 'agent.killed', key: 'run:a', entity: { usage } }), { total_kills: 1, total_input_tokens: 100, total_output_tokens: 20, total_tokens: 120, total_cost_usd: 0.5 });
    assert.equal(feedCounts({ type: 'agent.orphaned', key: 'run:a', entity: {} })?.total_runs_failed, 1);
    assert.equal(feedCounts({ type: 'agent.completed', key: 'run:a', entity: { usage } })?.total_tokens, 120);
    assert.equal(feedCounts({ type: 'agent.updated', key: 'run:a', entity: { usage } }), undefined, 'usage while it runs is not counted yet');
    assert.deepEqual(feedCounts({ type: 'steering.intervention', key: 'run:a', entity: { action: 'steer' } }), { total_steers: 1 });
    assert.deepEqual(feedCounts({ type: 'steering.intervention', key: 'run:a', entity: { action: 'interrupt' } }), { total_interrupts: 1 });
    assert.equal(feedCounts({ type: 'steering.intervention', key: 'run:a', entity: { action: 'kill' } }), undefined, 'a kill counts when the run is killed');
    assert.deepEqual(feedCounts({ type: 'team.started', key: 'team:t', entity: {} }), { total_team_runs: 1, total_spawns: 1 });
    assert.deepEqual(feedCounts({ type: 'team.ended', key: 'team:t', entity: { status: 'shutdown' } }), { total_shutdowns: 1 });
    assert.equal(feedCounts({ type: 'team.ended', key: 'team:t', entity: { status: 'done' } }), undefined);
    assert.deepEqual(feedCounts({ type: 'gate.failed', key: 'gate:w/g', entity: {} }), { total_gate_runs: 1, total_gate_failures: 1 });
    assert.deepEqual(feedCounts({ type: 'goal.created', key: 'goal:g', entity: {} }), { total_goal_runs: 1 });
  });

  it('start at zero, keep their first date, and add up', async () => {
    const state = new StateMap(dir);
    const empty = readCounters(state);
    assert.ok(COUNTER_NAMES.every((n) => empty[n] === 0));
    assert.equal(fs.existsSync(state.metricsCounters), false, 'reading writes nothing');
    await addCounters(state, { total_runs: 2, total_cost_usd: 0.1 });
    const first = readCounters(state);
    await addCounters(state, { total_runs: 1, total_cost_usd: 0.2, total_kills: 0 });
    const second = readCounters(state);
    assert.deepEqual([second.total_runs, second.total_cost_usd, second.total_kills], [3, 0.3, 0]);
    assert.equal(second.created_at, first.created_at);
    assert.ok(second.updated_at >= first.updated_at);
    assert.equal(fs.statSync(state.metricsCounters).mode & 0o777, 0o600);
    assert.equal(second.set_aside, undefined);
  });

  it('found unreadable, restart at zero and say where the old file was set aside', async () => {
    const state = new StateMap(fs.mkdtempSync(path.join(dir, 'corrupt-')));
    await addCounters(state, { total_runs: 5 });
    fs.writeFileSync(state.metricsCounters, '{"version":1, torn');
    await addCounters(state, { total_runs: 1 });
    const after = readCounters(state);
    assert.equal(after.total_runs, 1);
    assert.equal(after.set_aside?.length, 1);
    assert.equal(fs.readFileSync(after.set_aside![0]!, 'utf8'), '{"version":1, torn', 'what was counted is kept');
  });
});
