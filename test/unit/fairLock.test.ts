/**
 * The fair lock (store/fairLock.ts): callers are served one at a time in the order they asked,
 * a waiter whose ticket came first goes first, tickets of dead waiters are swept and those of
 * frozen ones skipped, waiting never blocks the event loop, an abandoned holder is taken over (a
 * live one never), and a lock held too long gives an error that does not tell anyone to remove it.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { HELD, takeOver, withFairLock } from '../../src/core/store/fairLock';

const deadPid = (): number => spawnSync(process.execPath, ['-e', '0']).pid!;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const ticket = (ms: number, pid: number): string => `${String(ms).padStart(15, '0')}-${pid}-abcdef`;

describe('fair lock', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-fairlock-'));
    dir = path.join(root, 'the.lock');
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('serves the callers of a process one at a time, in the order they asked, and leaves nothing behind', async () => {
    const order: string[] = [];
    let inside = 0;
    await Promise.all(Array.from({ length: 20 }, (_, i) => withFairLock(dir, async () => {
      inside++;
      assert.equal(inside, 1, 'one at a time');
      order.push(`in ${i}`);
      await sleep(i % 3);
      inside--;
    }, { what: 'the test' })));
    assert.deepEqual(order, Array.from({ length: 20 }, (_, i) => `in ${i}`));
    assert.deepEqual(fs.readdirSync(dir), []);
  });

  it('lets a waiter that came first (another live process) go first, and waits for it without blocking the event loop', async () => {
    fs.mkdirSync(dir);
    // process.ppid stands for another live process whose ticket is older than ours.
    const earlier = path.join(dir, ticket(Date.now() - 1000, process.ppid));
    fs.writeFileSync(earlier, '');
    let ticks = 0;
    const clock = setInterval(() => ticks++, 10);
    let entered = false;
    const waiting = withFairLock(dir, () => (entered = true), { what: 'the test' });
    await sleep(300);
    assert.equal(entered, false, 'it waits its turn');
    assert.ok(ticks >= 10, `the event loop ran while it waited (${ticks} ticks)`);
    fs.rmSync(earlier);
    await waiting;
    clearInterval(clock);
    assert.equal(entered, true);
  });

  it('sweeps the tickets of waiters that died and skips those of frozen ones', async () => {
    fs.mkdirSync(dir);
    const dead = path.join(dir, ticket(Date.now() - 1000, deadPid()));
    const frozen = path.join(dir, ticket(Date.now() - 900, process.ppid));
    fs.writeFileSync(dead, '');
    fs.writeFileSync(frozen, '');
    const old = new Date(Date.now() - 5000);
    fs.utimesSync(frozen, old, old);
    assert.equal(await withFairLock(dir, () => 'in', { what: 'the test', staleMs: 2000, waitMs: 3000 }), 'in');
    assert.deepEqual(fs.readdirSync(dir), [path.basename(frozen)], 'the dead one is gone; the frozen one stays, its owner may yet wake');
  });

  it('takes over a holder that died, at once, and says so', async () => {
    fs.mkdirSync(dir);
    const dead = deadPid();
    fs.writeFileSync(path.join(dir, HELD), `${dead} x`);
    const started = Date.now();
    const told: string[] = [];
    await withFairLock(dir, () => undefined, { what: 'the test', waitMs: 2000, tookOver: (m) => told.push(m) });
    assert.ok(Date.now() - started < 1500);
    assert.deepEqual(told, [`Process ${dead} died holding the lock of the test; it was taken over.`]);
  });

  it('takes over a live holder that held it past staleMs, saying whose it was and for how long', async () => {
    fs.mkdirSync(dir);
    const file = path.join(dir, HELD);
    fs.writeFileSync(file, `${process.ppid} y`);
    const past = new Date(Date.now() - 3000);
    fs.utimesSync(file, past, past);
    const told: string[] = [];
    await withFairLock(dir, () => undefined, { what: 'the test', staleMs: 2000, tookOver: (m) => told.push(m) });
    assert.deepEqual(told, [`Process ${process.ppid} held the lock of the test for over 2 s without letting it go (frozen, or stopped); it was taken over.`]);
  });

  it('never takes a live holder\'s lock; held too long it fails saying who holds it and not to remove it', async () => {
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, HELD), `${process.ppid} y`);
    await assert.rejects(withFairLock(dir, () => undefined, { what: 'the test ledger', waitMs: 300, staleMs: 10_000 }), (e: SwitchboardError) => {
      assert.match(e.message, /Waited 0 s in line for the test ledger .*held by process \d+/);
      assert.match(e.hint ?? '', /Do not remove the lock by hand: a holder that dies or hangs loses it after 10 s by itself/);
      assert.doesNotMatch(`${e.message} ${e.hint}`, /remove it if/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(dir), [HELD], 'its ticket is gone, the holder untouched');
  });

  it('a holder taken for abandoned is removed by one taker only, and never once a new holder holds the lock', () => {
    fs.mkdirSync(dir);
    const held = path.join(dir, HELD);
    fs.writeFileSync(held, 'old holder');
    assert.equal(takeOver(held, 'old holder'), 'reaped');
    assert.equal(takeOver(held, 'old holder'), 'gone', 'a second taker finds nothing to take');
    fs.writeFileSync(held, 'new holder');
    assert.equal(takeOver(held, 'old holder'), 'live', 'a late taker leaves the new holder alone');
    assert.equal(fs.readFileSync(held, 'utf8'), 'new holder');
    assert.deepEqual(fs.readdirSync(dir), [HELD], 'no reaper mark is left');
  });

  it('a reaper kept off the CPU past staleMs keeps its mark, so no second taker goes on; one that died at it loses its mark', () => {
    fs.mkdirSync(dir);
    const held = path.join(dir, HELD);
    fs.writeFileSync(held, 'old holder');
    // The mark of a reaper of 'old holder' that made it 5 s ago and has not yet gone on (process.ppid stands for it).
    const mark = path.join(dir, `.${HELD}.0.${crypto.createHash('sha256').update('old holder').digest('hex').slice(0, 16)}.tmp`);
    const markBy = (pid: number): void => {
      fs.writeFileSync(mark, String(pid));
      const old = new Date(Date.now() - 5000);
      fs.utimesSync(mark, old, old);
    };
    markBy(process.ppid);
    assert.equal(takeOver(held, 'old holder', 2000), 'gone');
    assert.equal(takeOver(held, 'old holder', 2000), 'gone', 'nor does a taker after it go on');
    assert.deepEqual([fs.readFileSync(held, 'utf8'), fs.readFileSync(mark, 'utf8')], ['old holder', String(process.ppid)], 'the holder is left to that reaper');
    markBy(deadPid());
    assert.equal(takeOver(held, 'old holder', 2000), 'gone', 'the dead reaper\'s mark is taken away');
    assert.equal(takeOver(held, 'old holder', 2000), 'reaped', 'and the next taker goes on');
    assert.deepEqual(fs.readdirSync(dir), [], 'no mark is left');
  });
});
