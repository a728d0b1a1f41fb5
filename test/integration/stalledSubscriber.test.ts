/**
 * A real supervisor host pushing a flood of events to subscribers that stop reading: a raw socket
 * that subscribes and never reads again, and the registry itself while its event loop is blocked.
 * The host drops them (and says so in supervisor.log) instead of buffering without bound; its
 * memory stays bounded; the registry reattaches and catches up from disk.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { RunRegistry } from '../../src/core/registry/registry';
import { MAX_PENDING_WRITE } from '../../src/core/supervisor/controlServer';
import { createHarness, tempDir, until, type Harness } from '../support/harness';

/** Peak and current resident memory of a process, in bytes (Linux). */
function memoryOf(pid: number): { peak: number; now: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { peak: kb('VmHWM'), now: kb('VmRSS') };
}

/** Blocks this process (its sockets go unread, as a hung extension host's would) until `done` or the timeout. */
function blockUntil(done: () => boolean, timeoutMs: number): boolean {
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (done()) return true;
    Atomics.wait(cell, 0, 0, 50);
  }
  return done();
}

/** The padding of each answer. */
const PAD = 256 * 1024;

describe('supervisor host with subscribers that stop reading (real processes)', function () {
  this.timeout(180_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h.cleanup());

  it('drops them rather than buffering without bound, and the registry reattaches and catches up', async () => {
    const dir = tempDir();
    const gate = (name: string): string => path.join(dir, name);
    const [begin, flood, flooded, finish] = [gate('begin'), gate('flood'), gate('flooded'), gate('finish')];
    // An agent in Claude's format that ends 300 turns in a row, each answer a quarter of a megabyte:
    // each is pushed to every subscriber as an event and again in the run's record (75 MB each way),
    // far more than a stalled one may hold. Each step waits for the test's go-ahead (a file).
    const agent = path.join(dir, 'chatty.mjs');
    fs.writeFileSync(agent, [
      `import * as fs from 'node:fs';`,
      `process.stdin.resume();`,
      `const out = (line) => new Promise((r) => process.stdout.write(JSON.stringify(line) + '\\n', r));`,
      `const result = (text) => ({ type: 'result', subtype: 'success', is_error: false, result: text, session_id: 'chatty' });`,
      `const pad = ' ' + 'r'.repeat(${PAD});`,
      `const after = async (file) => { while (!fs.existsSync(file)) await new Promise((r) => setTimeout(r, 20)); };`,
      `await after(${JSON.stringify(begin)});`,
      `await out({ type: 'system', subtype: 'init', session_id: 'chatty', model: 'fake-model' });`,
      `await after(${JSON.stringify(flood)});`,
      `for (let i = 1; i <= 300; i++) { await out(result('turn ' + i + pad)); if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5)); }`,
      `fs.writeFileSync(${JSON.stringify(flooded)}, '');`,
      `await after(${JSON.stringify(finish)});`,
      `await out(result('finished'));`,
      `process.exit(0);`,
    ].join('\n'));
    const bin = path.join(dir, 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${agent}"\n`, { mode: 0o755 });
    // Its garbage collected promptly, the host's memory shows what it holds rather than what it has not yet swept.
    const registry = await h.open({ runners: { claude: { binary: bin } } }, { NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=4' });
    const run = await registry.run({ runner: 'claude', prompt: 'Flood.', cwd: dir });
    const hostPid = run.supervisor!.pid;
    const log = path.join(h.stateDir, 'supervisor.log');
    const logText = (): string => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '');
    const drops = (): number => logText().match(/dropped a subscriber that stopped reading/g)?.length ?? 0;

    // A subscriber that never reads after its subscription is answered.
    const stalled = net.createConnection(run.controlSocket!);
    let stalledBytes = 0;
    const stalledClosed = new Promise<void>((resolve) => stalled.once('close', () => resolve()));
    stalled.on('error', () => {});
    await new Promise<void>((resolve) => {
      stalled.once('connect', () => stalled.write(JSON.stringify({ id: 1, op: 'subscribe' }) + '\n'));
      stalled.on('data', (chunk: Buffer) => {
        stalledBytes += chunk.length;
        if (!stalled.isPaused() && chunk.includes('"id":1,"ok"')) {
          stalled.pause();
          resolve();
        }
      });
    });
    // Both registries of this test process (the harness's and this one) follow the run too: once
    // the agent's first line has been pushed to each, all three are subscribed.
    const followers = [h.registry, registry];
    const heard = new Set<RunRegistry>();
    for (const follower of followers) follower.onDidAppendEvent(({ runId, event }) => runId === run.id && event.type === 'session' && heard.add(follower));
    fs.writeFileSync(begin, '');
    await until(() => heard.size === 2, 20_000, 'both registries to be pushed the first event');

    const before = memoryOf(hostPid);
    fs.writeFileSync(flood, '');
    // Nothing in this process reads while it is blocked, as in a hung extension host.
    const floodedInTime = blockUntil(() => fs.existsSync(flooded) && drops() >= 3, 60_000);
    const during = memoryOf(hostPid);
    assert.ok(floodedInTime, `the flood ended (${fs.existsSync(flooded)}) and the host dropped all three stalled subscribers (log: ${logText().slice(-2000)})`);
    assert.equal(drops(), 3);
    for (const line of logText().trim().split('\n')) {
      const pending = Number(new RegExp(`run ${run.id}: dropped a subscriber that stopped reading \\((\\d+) bytes waiting to be sent, limit ${MAX_PENDING_WRITE}\\)`).exec(line)?.[1]);
      assert.ok(pending > 0 && pending <= MAX_PENDING_WRITE, line);
    }
    const pushed = 300 * 2 * PAD;
    // Holding on for the stalled subscribers would keep at least the whole flood (the same bytes are queued for all of them).
    const growth = during.peak - before.now;
    assert.ok(growth < pushed / 2, `host memory grew by ${mib(growth)} MiB (peak ${mib(during.peak)}) while ${mib(pushed)} MiB went to each stalled subscriber`);

    // The registries read what reached them before the drop, see their sockets close, and reattach.
    // The supervisor may still be parsing the flood's last lines (75 MiB) on a busy machine.
    await until(() => followers.every((r) => r.list().find((x) => x.id === run.id)?.resultText?.startsWith('turn 300 ')), 60_000, 'the registries to catch up');
    fs.writeFileSync(finish, '');
    for (const follower of followers) {
      const { record, timedOut } = await follower.wait(run.id, 30_000);
      assert.equal(timedOut, false);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(record.resultText, 'finished', 'pushes reach the reattached registry');
      const seen = follower.events(run.id);
      assert.deepEqual(seen.map((e) => e.seq), Array.from({ length: record.eventCount }, (_, i) => i + 1), 'every event, from disk and from the new subscription');
      assert.equal(seen.filter((e) => e.type === 'result').length, 301);
      // A follower asking from a position before the drop gets every event after it, none skipped.
      for (const from of [2, 50, 150]) assert.deepEqual(follower.events(run.id, from).map((e) => e.seq), seen.slice(from).map((e) => e.seq), `events after ${from}`);
    }

    // The raw subscriber, reading again, gets a bounded part of the flood and then the end.
    stalled.resume();
    await stalledClosed;
    assert.ok(stalledBytes < MAX_PENDING_WRITE + 4 * 1024 * 1024, `the stalled subscriber got ${stalledBytes} bytes`);
  });
});

const mib = (bytes: number): string => (bytes / 1048576).toFixed(1);
