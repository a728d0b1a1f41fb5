/**
 * Pools with real processes: admission, a FIFO line that starts runs by itself when slots free,
 * across two processes over one state folder, refusals when the line is full, killing a run in
 * line, cleanup of what dead processes left, and runs in line outliving the process that asked.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import type { SwitchboardError } from '../../src/core/errors';
import { ledgerFile, withLedger } from '../../src/core/pools/ledger';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { createHarness, fakeCommand, pidAlive, until, type Harness } from '../support/harness';

describe('pools', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness({ maxWorkers: 10, pools: { default: { maxWorkers: 2 }, small: { maxWorkers: 1, maxQueue: 1 } } })));
  afterEach(async () => h.cleanup());

  it('with max 2, five runs never run more than two at once, wait in line in order, and all five finish', async () => {
    const runs: RunRecord[] = [];
    for (let i = 1; i <= 5; i++) runs.push(await h.registry.run({ runner: 'custom', prompt: `job ${i}`, name: `job-${i}`, command: fakeCommand('--sleep', '600') }));
    assert.deepEqual(runs.map((r) => r.status), ['running', 'running', 'queued', 'queued', 'queued']);
    assert.equal(runs[2]!.agent, undefined, 'a run in line has no process yet');
    let most = 0;
    const sampler = setInterval(() => (most = Math.max(most, h.registry.list({ status: 'running' }).length)), 10);
    const status = (await h.registry.poolsStatus()).pools.find((p) => p.name === 'default')!;
    assert.deepEqual([status.running.length, status.waiting, status.admitted, status.queued], [2, runs.slice(2).map((r) => r.id), 2, 3]);
    try {
      for (const run of runs) assert.equal((await h.registry.wait(run.id, 20_000)).record.status, 'done');
    } finally {
      clearInterval(sampler);
    }
    assert.ok(most <= 2, `at most two ran at once (saw ${most})`);
    const started = runs.map((r) => h.registry.resolve(r.id).startedAt!);
    assert.deepEqual([...started].sort((a, b) => a - b), started, 'first come, first served');
    const after = (await h.registry.poolsStatus()).pools.find((p) => p.name === 'default')!;
    assert.deepEqual([after.running, after.waiting, after.admitted], [[], [], 5]);
  });

  it('another process over the same folder waits for the same slots', async () => {
    const other = await h.open();
    const a = await h.registry.run({ runner: 'custom', prompt: 'a', command: fakeCommand('--sleep', '800') });
    const b = await h.registry.run({ runner: 'custom', prompt: 'b', command: fakeCommand('--sleep', '800') });
    const c = await other.run({ runner: 'custom', prompt: 'c', command: fakeCommand('--sleep', '100') });
    assert.deepEqual([a.status, b.status, c.status], ['running', 'running', 'queued']);
    await until(() => h.registry.list().some((r) => r.id === c.id), 5000, `the first process to see the queued run (it sees ${h.registry.list().map((r) => `${r.id}:${r.status}`).join(' ')}; c is ${c.id})`);
    const { record } = await other.wait(c.id, 20_000);
    assert.equal(record.status, 'done');
    assert.ok(record.startedAt! >= Math.min(h.registry.resolve(a.id).endedAt!, h.registry.resolve(b.id).endedAt!), 'it started when a slot freed');
  });

  it('a full line refuses with a clear error; a run in line can be killed; the counts say so', async () => {
    const first = await h.registry.run({ runner: 'custom', prompt: 'x', pool: 'small', command: fakeCommand('--sleep', '30000') });
    const second = await h.registry.run({ runner: 'custom', prompt: 'y', pool: 'small', command: fakeCommand('--sleep', '100') });
    assert.equal(second.status, 'queued');
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'z', pool: 'small', command: fakeCommand() }), (e: SwitchboardError) => e.code === 'pool_full' && /Pool "small" is full: 1 running and 1 waiting/.test(e.message));
    assert.equal(h.registry.list().length, 2, 'a refused run leaves no record');
    const killed = await h.registry.kill(second.id, { source: 'test' });
    assert.deepEqual([killed.killed, killed.status], [true, 'killed']);
    assert.match(h.registry.resolve(second.id).lastError ?? '', /killed by test while waiting for a slot/);
    const small = (await h.registry.poolsStatus()).pools.find((p) => p.name === 'small')!;
    assert.deepEqual([small.running, small.waiting, small.admitted, small.queued, small.rejected], [[first.id], [], 1, 1, 1]);
    await h.registry.kill(first.id, { source: 'test', force: true });
  });

  it('a queued run whose plan was found corrupt ends failed saying so, and the plan (its prompt unredacted) is not kept', async () => {
    const first = await h.registry.run({ runner: 'custom', prompt: 'x', pool: 'small', command: fakeCommand('--sleep', '30000') });
    const second = await h.registry.run({ runner: 'custom', prompt: 'token sk-ant-api03-abcdefghijklmnop', pool: 'small', command: fakeCommand() });
    assert.equal(second.status, 'queued');
    const run = new StateMap(h.stateDir).run(second.id);
    fs.writeFileSync(run.plan, '{"version":1,"request":{"prompt":"token sk-ant-api03-abcdefghijklmnop"');
    await h.registry.kill(first.id, { source: 'test', force: true });
    const { record } = await h.registry.wait(second.id, 20_000);
    assert.equal(record.status, 'failed');
    assert.match(record.lastError ?? '', /plan .* was corrupt \(not valid JSON.*\), and was removed, as it may hold secrets/);
    assert.deepEqual(fs.readdirSync(run.dir).filter((name) => name.startsWith('plan.json')), []);
  });

  it('cleanup frees slots of runs that ended and places in line of processes that died', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '100') });
    await h.registry.wait(run.id, 10_000);
    await withLedger(h.stateDir, (ledger) => {
      ledger.slots.push({ runId: run.id, pool: 'default', admittedAt: 0 });
      ledger.queue.push({ runId: 'gone-run', pool: 'default', queuedAt: 0, launcher: { pid: 999_999, startToken: 'x' } });
    });
    assert.equal(pidAlive(999_999), false);
    assert.deepEqual(await h.registry.poolsCleanup(), { slots: [run.id], queue: ['gone-run'] });
    assert.deepEqual(JSON.parse(fs.readFileSync(ledgerFile(h.stateDir), 'utf8')).queue, []);
  });

  it('a corrupt ledger is set aside, said, and rebuilt from the runs on disk: a full pool still admits no more than its size', async () => {
    const first = await h.registry.run({ runner: 'custom', prompt: 'x', pool: 'small', command: fakeCommand('--sleep', '30000') });
    assert.equal(first.status, 'running');
    fs.writeFileSync(ledgerFile(h.stateDir), '{"version": 1, "slots": [tru');
    const other = await h.open();
    const said = other.warnings.said.find((w) => /pools ledger could not be read/.test(w));
    assert.ok(said, `the reset is said (warnings: ${other.warnings.said.join(' | ')})`);
    const setAside = /set aside as (\S+) and rebuilt/.exec(said)![1]!;
    assert.equal(fs.readFileSync(setAside, 'utf8'), '{"version": 1, "slots": [tru', 'the corrupt ledger is kept');
    assert.deepEqual((await other.poolsStatus()).pools.find((p) => p.name === 'small')!.running, [first.id], 'the live run holds its slot again');
    const second = await other.run({ runner: 'custom', prompt: 'y', pool: 'small', command: fakeCommand('--sleep', '100') });
    assert.equal(second.status, 'queued', 'the pool of one is full');
    await other.kill(second.id, { source: 'test' });
    await h.registry.kill(first.id, { source: 'test', force: true });
  });

  it('runs still in line when their process closes are kept by a supervisor host and start when a slot frees', async () => {
    const other = await h.open();
    const a = await other.run({ runner: 'custom', prompt: 'a', command: fakeCommand('--sleep', '30000') });
    const b = await other.run({ runner: 'custom', prompt: 'b', command: fakeCommand('--sleep', '30000') });
    const waiting = await other.run({ runner: 'custom', prompt: 'c', command: fakeCommand() });
    assert.equal(waiting.status, 'queued');
    assert.notEqual(waiting.launcher?.pid, process.pid, 'a supervisor host keeps its place');
    other.dispose();
    await until(() => h.registry.list().some((r) => r.id === waiting.id), 5000, 'the first process to see the queued run');
    await h.registry.kill(a.id, { source: 'test', force: true });
    const { record } = await h.registry.wait(waiting.id, 20_000);
    assert.equal(record.status, 'done');
    assert.ok(record.startedAt! >= h.registry.resolve(a.id).endedAt!, 'it started when the slot freed');
    await h.registry.kill(b.id, { source: 'test', force: true });
  });
});
