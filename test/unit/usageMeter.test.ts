/**
 * The usage meter under each runner's scopes, across processes of one run and across runs that
 * resume a session; and the baseline a resumed run gets from the earlier runs of its session.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import { sessionUsageBaseline } from '../../src/core/registry/sessionBaseline';
import { StateMap } from '../../src/core/state/stateMap';
import { getRunner } from '../../src/core/runners/runnerTable';
import type { AgentEvent, RunRecord, Usage } from '../../src/core/runs/types';
import { UsageMeter, type UsageBaseline } from '../../src/core/runs/usageMeter';
import { tempDir } from '../support/harness';

const meterFor = (runner: string, baseline?: UsageBaseline): UsageMeter => {
  const r = getRunner(runner);
  return new UsageMeter(r.usageScope, r.costScope, baseline);
};
const totalOf = (meter: UsageMeter, runner: string): Usage => meter.total(DEFAULT_PRICES, runner, undefined);
const tokens = (u: Usage): [number, number] => [u.inputTokens, u.outputTokens];

describe('usage meter', () => {
  describe('within one run', () => {
    it("Claude: a turn's model calls count as they happen, the turn's report replaces them, and a turn cut short keeps them", () => {
      const meter = meterFor('claude');
      meter.add({ inputTokens: 100, outputTokens: 10, provisional: true, messageId: 'a' });
      meter.add({ inputTokens: 100, outputTokens: 25, provisional: true, messageId: 'a' });
      meter.add({ inputTokens: 300, outputTokens: 5, provisional: true, messageId: 'b' });
      assert.deepEqual(tokens(totalOf(meter, 'claude')), [400, 30], 'a repeated message counts once, at its latest figures');
      meter.add({ inputTokens: 420, outputTokens: 40, usd: 0.01 });
      assert.deepEqual(tokens(totalOf(meter, 'claude')), [420, 40], "the turn's own report replaces its calls");
      meter.add({ inputTokens: 50, outputTokens: 5, provisional: true, messageId: 'c' });
      const during = totalOf(meter, 'claude');
      assert.deepEqual([during.usd, during.usdSource], [0.01 + (50 * 3 + 5 * 15) / 1e6, 'estimated'], 'a turn under way is priced from the table until it reports');
      meter.closeProcess();
      assert.deepEqual(tokens(totalOf(meter, 'claude')), [470, 45], 'an interrupted turn still spent its calls');
      const codex = meterFor('codex');
      codex.add({ inputTokens: 100, outputTokens: 10, provisional: true, messageId: 'x' });
      assert.deepEqual(tokens(totalOf(codex, 'codex')), [0, 0], 'running totals are not mixed with per-call figures');
    });

    it('a session total reported again by the resumed process (steer through interrupt + resume) is not added twice', () => {
      const meter = meterFor('codex');
      meter.add({ inputTokens: 240, outputTokens: 60 });
      meter.closeProcess();
      meter.add({ inputTokens: 360, outputTokens: 90 });
      meter.closeProcess();
      assert.deepEqual(tokens(totalOf(meter, 'codex')), [360, 90]);
    });

    it('a later process that reports zeros (an error) or nothing does not undo what the session spent', () => {
      const meter = meterFor('codex');
      meter.add({ inputTokens: 240, outputTokens: 60 });
      meter.closeProcess();
      meter.add({ inputTokens: 0, outputTokens: 0 });
      assert.deepEqual(tokens(totalOf(meter, 'codex')), [240, 60]);
      meter.closeProcess();
      assert.deepEqual(tokens(totalOf(meter, 'codex')), [240, 60]);
    });

    it('Gemini counts each process on its own, so its processes are added up', () => {
      const meter = meterFor('gemini', { inputTokens: 1000, outputTokens: 1000 });
      meter.add({ inputTokens: 120, outputTokens: 30 });
      meter.add({ inputTokens: 240, outputTokens: 60 });
      meter.closeProcess();
      meter.add({ inputTokens: 120, outputTokens: 30 });
      assert.deepEqual(tokens(totalOf(meter, 'gemini')), [360, 90], 'running totals per process, summed; the baseline does not apply');
    });

    it('Claude adds up its per-result tokens and takes its cost as the session running total', () => {
      const meter = meterFor('claude');
      meter.add({ inputTokens: 240, outputTokens: 60, usd: 0.00216 });
      meter.add({ inputTokens: 120, outputTokens: 30, usd: 0.00324 });
      assert.deepEqual(totalOf(meter, 'claude'), { inputTokens: 360, outputTokens: 90, usd: 0.00324, usdSource: 'reported' });
    });
  });

  describe('a run that resumes a session an earlier run started', () => {
    it('Codex / Qwen: records only the tokens it added to the session, and the estimate follows', () => {
      const parent = meterFor('codex');
      parent.add({ inputTokens: 240, outputTokens: 60 });
      parent.closeProcess();
      const parentUsage = totalOf(parent, 'codex');

      const meter = meterFor('codex', { inputTokens: 240, outputTokens: 60 });
      meter.add({ inputTokens: 360, outputTokens: 90 });
      const child = totalOf(meter, 'codex');
      assert.deepEqual(tokens(child), [120, 30]);
      assert.equal(child.usdSource, 'estimated');
      assert.ok(Math.abs(child.usd! - parentUsage.usd! / 2) < 1e-12, 'the estimate is of the added tokens only');
      // A steer through interrupt + resume inside the resumed run: still one session, one baseline.
      meter.closeProcess();
      meter.add({ inputTokens: 480, outputTokens: 120 });
      meter.closeProcess();
      assert.deepEqual(tokens(totalOf(meter, 'codex')), [240, 60]);
    });

    it('Claude: the reported cost is the session total, so the parent\'s cost is taken off; its per-result tokens are not', () => {
      const meter = meterFor('claude', { inputTokens: 240, outputTokens: 60, usd: 0.00216 });
      meter.add({ inputTokens: 120, outputTokens: 30, usd: 0.00324 });
      assert.deepEqual(totalOf(meter, 'claude'), { inputTokens: 120, outputTokens: 30, usd: 0.00108, usdSource: 'reported' });
    });

    it('never goes below zero, before the first report or if a report falls short of the baseline', () => {
      const meter = meterFor('qwen', { inputTokens: 240, outputTokens: 60 });
      assert.deepEqual(tokens(totalOf(meter, 'qwen')), [0, 0]);
      meter.add({ inputTokens: 100, outputTokens: 10 });
      assert.deepEqual(tokens(totalOf(meter, 'qwen')), [0, 0]);
    });
  });

  describe('the baseline found in the state directory', () => {
    function writeRun(stateDir: string, id: string, record: Partial<RunRecord>, usageEvents: Array<{ inputTokens: number; outputTokens: number; usd?: number }>): void {
      const paths = new StateMap(stateDir).run(id);
      fs.mkdirSync(paths.dir, { recursive: true });
      const full = { version: 1, id, name: id, runner: 'codex', commandLine: [], cwd: '/', prompt: 'p', status: 'done', createdAt: 1, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0, ...record };
      fs.writeFileSync(paths.record, JSON.stringify(full));
      const events: Array<Partial<AgentEvent> | object> = [{ version: 1, kind: 'switchboard-events' }, { type: 'session', sessionId: record.sessionId, seq: 1, ts: 1 }];
      usageEvents.forEach((u, i) => events.push({ type: 'usage', ...u, seq: i + 2, ts: 2 }));
      // A torn last line, as a crash leaves it, is skipped.
      fs.writeFileSync(paths.events, events.map((e) => JSON.stringify(e)).join('\n') + '\n{"type":"usage","inputTok');
    }

    it('is the session\'s largest reported running totals over the earlier runs of that session and runner', () => {
      const stateDir = tempDir('sb-baseline-');
      // The session's first run, and a run that resumed it (recording only what it added).
      writeRun(stateDir, 'first', { sessionId: 'S', usage: { inputTokens: 240, outputTokens: 60 } }, [{ inputTokens: 240, outputTokens: 60 }]);
      writeRun(stateDir, 'second', { sessionId: 'S', usage: { inputTokens: 120, outputTokens: 30 } }, [{ inputTokens: 360, outputTokens: 90 }]);
      // Not this session, not this runner, or the run being started: none of them count.
      writeRun(stateDir, 'other', { sessionId: 'T', usage: { inputTokens: 9999, outputTokens: 9999 } }, [{ inputTokens: 9999, outputTokens: 9999 }]);
      writeRun(stateDir, 'qwen', { runner: 'qwen', sessionId: 'S', usage: { inputTokens: 9999, outputTokens: 9999 } }, [{ inputTokens: 9999, outputTokens: 9999 }]);
      writeRun(stateDir, 'self', { sessionId: 'S', usage: { inputTokens: 9999, outputTokens: 9999 } }, [{ inputTokens: 9999, outputTokens: 9999 }]);
      fs.mkdirSync(path.join(new StateMap(stateDir).runs, 'empty'));
      assert.deepEqual(sessionUsageBaseline(stateDir, 'codex', 'S', 'self'), { inputTokens: 360, outputTokens: 90 });
      assert.equal(sessionUsageBaseline(stateDir, 'codex', 'unknown-session', 'self'), undefined, 'a session started outside Switchboard has no known baseline');
    });

    it('takes the reported cost, and falls back to what a run recorded when its events are gone', () => {
      const stateDir = tempDir('sb-baseline-');
      writeRun(stateDir, 'first', { runner: 'claude', sessionId: 'S', usage: { inputTokens: 240, outputTokens: 60, usd: 0.00216, usdSource: 'reported' } }, [{ inputTokens: 240, outputTokens: 60, usd: 0.00216 }]);
      writeRun(stateDir, 'second', { runner: 'claude', sessionId: 'S', usage: { inputTokens: 120, outputTokens: 30, usd: 0.00108, usdSource: 'reported' } }, [{ inputTokens: 120, outputTokens: 30, usd: 0.00324 }]);
      assert.equal(sessionUsageBaseline(stateDir, 'claude', 'S')?.usd, 0.00324);
      fs.rmSync(new StateMap(stateDir).run('first').events);
      fs.rmSync(new StateMap(stateDir).run('second').events);
      assert.equal(sessionUsageBaseline(stateDir, 'claude', 'S')?.usd, 0.00216, 'without events, the largest recorded figure is a floor');
      writeRun(stateDir, 'estimated', { runner: 'claude', sessionId: 'S', usage: { inputTokens: 1, outputTokens: 1, usd: 5, usdSource: 'estimated' } }, []);
      assert.equal(sessionUsageBaseline(stateDir, 'claude', 'S')?.usd, 0.00216, 'an estimated cost is not a reported session total');
    });
  });
});
