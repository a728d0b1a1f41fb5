/**
 * When a run spent what it spent (spend curves): shared out along its usage reports, at its end
 * when it has none (or now while it goes on), always adding up to the run's own figures.
 */
import * as assert from 'node:assert/strict';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import { SpendCurve } from '../../src/core/runs/spendOverTime';
import type { AgentEvent, RunRecord } from '../../src/core/runs/types';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function run(usage: RunRecord['usage'], endedAt?: number): RunRecord {
  return { id: 'r1', runner: 'claude', model: 'claude-sonnet-4-5', createdAt: T0, usage, ...(endedAt === undefined ? {} : { endedAt }) } as RunRecord;
}

let seq = 0;
const usage = (ts: number, inputTokens: number, outputTokens: number, usd?: number): AgentEvent => ({ seq: ++seq, ts, type: 'usage', inputTokens, outputTokens, ...(usd === undefined ? {} : { usd }) });

describe('spend over time', () => {
  it('counts what a run spent when its reports say it was spent (session totals, as Claude reports them)', () => {
    // Claude's reports are the session's running totals: $1 by 10:30, $3 by 11:30.
    const events = [usage(T0 + HOUR / 2, 1000, 100, 1), usage(T0 + HOUR + HOUR / 2, 3000, 300, 3)];
    const curve = SpendCurve.of(run({ inputTokens: 3000, outputTokens: 300, usd: 3 }, T0 + 2 * HOUR), events, { usage: 'session' }, DEFAULT_PRICES);
    assert.deepEqual(curve.between(T0, T0 + HOUR), { usd: 1, inputTokens: 1000, outputTokens: 100 });
    assert.deepEqual(curve.between(T0 + HOUR, T0 + 2 * HOUR), { usd: 2, inputTokens: 2000, outputTokens: 200 });
    assert.deepEqual(curve.between(T0 + 2 * HOUR, T0 + 3 * HOUR), { usd: 0, inputTokens: 0, outputTokens: 0 });
    assert.deepEqual(curve.between(0, T0 + 3 * HOUR), { usd: 3, inputTokens: 3000, outputTokens: 300 });
  });

  it('counts a resumed run from where its session stood: what the session spent before it is not this run\'s', () => {
    // The session had spent $10 (10,000 tokens) before this run; its reports go on from there: $10.10 by 10:05, $11 by 12:55.
    const events = [usage(T0 + 5 * 60_000, 10_100, 1010, 10.1), usage(T0 + 2 * HOUR + 55 * 60_000, 11_000, 1100, 11)];
    const curve = SpendCurve.of(run({ inputTokens: 1000, outputTokens: 100, usd: 1 }, T0 + 3 * HOUR), events, { usage: 'session' }, DEFAULT_PRICES);
    const first = curve.between(T0, T0 + HOUR);
    assert.deepEqual([Number(first.usd.toFixed(6)), first.inputTokens, first.outputTokens], [0.1, 100, 10]);
    const later = curve.between(T0 + 2 * HOUR, T0 + 3 * HOUR);
    assert.deepEqual([Number(later.usd.toFixed(6)), later.inputTokens, later.outputTokens], [0.9, 900, 90]);
  });

  it("shares the run's own figures along its reports when they differ (a baseline taken off, prices since changed)", () => {
    const events = [usage(T0 + 10, 100, 10, 1), usage(T0 + HOUR + 10, 100, 10, 1)];
    // Per-turn reports add up: half before 11:00, half after; the record says $4 in all.
    const curve = SpendCurve.of(run({ inputTokens: 400, outputTokens: 40, usd: 4 }, T0 + 2 * HOUR), events, { usage: 'turn' }, DEFAULT_PRICES);
    assert.deepEqual(curve.between(T0, T0 + HOUR), { usd: 2, inputTokens: 200, outputTokens: 20 });
    assert.deepEqual(curve.between(T0 + HOUR, T0 + 2 * HOUR + 1), { usd: 2, inputTokens: 200, outputTokens: 20 });
  });

  it('counts a run without reports at its end, or now while it goes on', () => {
    const ended = SpendCurve.of(run({ inputTokens: 0, outputTokens: 0, usd: 0.5 }, T0 + 3 * HOUR), [], { usage: 'turn' }, DEFAULT_PRICES);
    assert.equal(ended.between(T0, T0 + 3 * HOUR).usd, 0, 'not before it ended');
    assert.equal(ended.between(T0 + 3 * HOUR, T0 + 4 * HOUR).usd, 0.5);
    const now = T0 + 5 * HOUR;
    const going = SpendCurve.of(run({ inputTokens: 0, outputTokens: 0, usd: 0.25 }), [], { usage: 'turn' }, DEFAULT_PRICES, now);
    assert.equal(going.between(T0, now).usd, 0);
    assert.equal(going.between(now - HOUR, now + 1).usd, 0.25);
  });
});
