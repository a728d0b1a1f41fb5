/**
 * Bursts and races with real processes: 100 `switchboard run --detach` processes at once over one
 * state folder (every run admitted or queued, none lost, a few supervisor hosts for all of them),
 * several processes taking over one abandoned lock at the same moment (one wins), processes
 * asking for a lock one after another served in that order, and processes claiming run names at once.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HELD } from '../../src/core/store/fairLock';
import { claimRunDir } from '../../src/core/registry/launch';
import { readRecord, writeRecord } from '../../src/core/runs/recordFile';
import { isFinished, type RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { ensureBuilt, killEverything, ROOT, tempDir, until } from '../support/harness';

const RACER = path.join(ROOT, 'test', 'fixtures', 'lockRacer.ts');

/** A pid that was just alive and is no more. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '0']).pid!;
}

/** A lock folder whose holder died holding it, long ago. */
function abandonedLock(): string {
  const dir = path.join(tempDir('sb-lock-'), 'the.lock');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, HELD), `${deadPid()} 000000000000000-1-ab`);
  const old = new Date(Date.now() - 60_000);
  fs.utimesSync(path.join(dir, HELD), old, old);
  return dir;
}

/** How far ahead of the last racer to say it is ready the racers are told to start, so that all are waiting for it. */
const START_AHEAD_MS = 500;

/**
 * Racers that start at one moment: each says `ready` once loaded, and once all have, each is sent
 * the same moment to start at (see lockRacer.ts). Resolves with what each printed after `ready`.
 */
function racers(count: number, args: (i: number) => string[]): Promise<string[]> {
  const waiting: NodeJS.WritableStream[] = [];
  const ready = (stdin: NodeJS.WritableStream): void => {
    waiting.push(stdin);
    if (waiting.length < count) return;
    const at = Date.now() + START_AHEAD_MS;
    for (const racer of waiting) racer.end(`${at}\n`);
  };
  return Promise.all(
    Array.from({ length: count }, (_, i) => new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', RACER, ...args(i)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
      child.stdin.on('error', () => undefined);
      let out = '';
      let err = '';
      let said = false;
      child.stdout.on('data', (d) => {
        out += d;
        if (said || !out.includes('\n')) return;
        said = true;
        out = out.replace(/^ready\n/, '');
        ready(child.stdin);
      });
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`racer ${i} exited ${code}: ${err}`))));
    })),
  );
}

function records(stateDir: string): RunRecord[] {
  const map = new StateMap(stateDir);
  return fs.readdirSync(map.runs).flatMap((id) => {
    const read = readRecord(map.run(id));
    return read.kind === 'ok' ? [read.value] : [];
  });
}

describe('bursts and lock races across processes', function () {
  this.timeout(300_000);
  before(() => ensureBuilt());

  it('several processes taking over one abandoned lock at the same moment: exactly one takes it', async () => {
    const dir = abandonedLock();
    const results = (await racers(6, () => ['takeover', dir])).map((out) => JSON.parse(out) as { pid: number; takeover: string; took: boolean });
    assert.equal(results.filter((r) => r.took).length, 1, `one took the lock: ${JSON.stringify(results)}`);
    assert.equal(results.filter((r) => r.takeover === 'reaped').length, 1, `one removed the abandoned holder: ${JSON.stringify(results)}`);
    const winner = results.find((r) => r.took)!;
    assert.equal(fs.readFileSync(path.join(dir, HELD), 'utf8'), `${winner.pid} racer`, 'the lock is the one taker\'s, never removed under it');
    assert.deepEqual(fs.readdirSync(dir).sort(), [HELD], 'nothing else is left in the lock folder');
  });

  it('processes asking one after another, behind an abandoned holder, are served one at a time in the order they asked', async () => {
    const dir = abandonedLock();
    await racers(5, (i) => ['fair', dir, String(i * 150)]);
    const lines = fs.readFileSync(path.join(path.dirname(dir), 'log'), 'utf8').trim().split('\n');
    const asked = lines.filter((l) => l.startsWith('asked')).map((l) => l.split(' ')).sort((a, b) => Number(a[2]) - Number(b[2])).map((a) => a[1]);
    const inside = lines.filter((l) => !l.startsWith('asked'));
    assert.deepEqual(inside, asked.flatMap((pid) => [`enter ${pid}`, `leave ${pid}`]), 'one at a time, first come first served');
    assert.deepEqual(fs.readdirSync(dir), [], 'no ticket and no holder is left');
  });

  describe('run names claimed by processes starting runs at the same moment', () => {
    type Claimed = { id: string; name?: string; refused?: string };
    const claimAll = async (stateDir: string, name?: string): Promise<Claimed[]> => (await racers(6, () => ['name', stateDir, ...(name ? [name] : [])])).map((out) => JSON.parse(out) as Claimed);

    it('one name asked for by several: exactly one run gets it, the others are refused (name_taken)', async () => {
      const stateDir = tempDir('sb-names-');
      const results = await claimAll(stateDir, 'dup');
      const winners = results.filter((r) => r.name === 'dup');
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.deepEqual(results.filter((r) => !r.name).map((r) => r.refused), Array(5).fill('name_taken'));
      assert.equal(fs.readFileSync(new StateMap(stateDir).nameClaim('dup'), 'utf8'), winners[0]!.id, 'the claim names the run that got it');
    });

    it('a name whose run has ended, asked for by several: exactly one takes it over', async () => {
      const stateDir = tempDir('sb-names-');
      const ended = claimRunDir(stateDir);
      const now = Date.now();
      writeRecord(new StateMap(stateDir).run(ended), {
        version: 1, id: ended, name: 'dup', runner: 'custom', commandLine: ['true'], cwd: stateDir, prompt: 'p', status: 'done', createdAt: now, endedAt: now, exitCode: 0,
        usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0,
      }, { durable: false });
      fs.mkdirSync(path.dirname(new StateMap(stateDir).nameClaim('dup')));
      fs.writeFileSync(new StateMap(stateDir).nameClaim('dup'), ended);
      const results = await claimAll(stateDir, 'dup');
      const winners = results.filter((r) => r.name === 'dup');
      assert.equal(winners.length, 1, JSON.stringify(results));
      assert.equal(fs.readFileSync(new StateMap(stateDir).nameClaim('dup'), 'utf8'), winners[0]!.id);
    });

    it('no name asked for: each run gets a <runner>-<n> of its own', async () => {
      const results = await claimAll(tempDir('sb-names-'));
      assert.equal(new Set(results.map((r) => r.name)).size, 6, JSON.stringify(results));
    });
  });

  it('100 `switchboard run --detach` processes at once (default pools: 8 run, the rest wait): every run is admitted or queued, all end done, none is lost, and they share a few supervisor hosts', async () => {
    const stateDir = tempDir('sb-burst-');
    try {
      const results = await Promise.all(Array.from({ length: 100 }, (_, i) => runCli(stateDir, ['run', 'custom', `burst-${i}`, '--command', 'true {prompt}', '--detach'])));
      const failed = results.filter((r) => r.code !== 0);
      assert.deepEqual(failed.map((r) => r.stderr.trim()), [], 'every CLI started its run');
      assert.equal(results.filter((r) => /uncaught|^\s+at /im.test(r.stderr)).length, 0, 'no CLI printed a stack trace');
      await until(() => records(stateDir).every((r) => isFinished(r.status)), 60_000, 'every run to end');
      const runs = records(stateDir);
      assert.equal(runs.length, 100, 'a record for every run');
      assert.deepEqual(runs.filter((r) => r.status !== 'done').map((r) => `${r.name} ${r.status}: ${r.lastError}`), [], 'every run ran and ended done');
      assert.deepEqual(new Set(runs.map((r) => r.prompt)).size, 100, 'each run once');
      assert.equal(new Set(runs.map((r) => r.name)).size, 100, 'each run has a name of its own (custom-1 … custom-100, whichever process started it)');
      const hosts = new Set(runs.map((r) => r.supervisor?.pid)).size;
      assert.ok(hosts <= 5, `a few supervisor hosts served the burst (${hosts})`);
      const ledger = JSON.parse(fs.readFileSync(new StateMap(stateDir).poolLedger, 'utf8'));
      assert.deepEqual([ledger.queue.length, ledger.counts.default.rejected], [0, 0], 'nobody is left in line, and none was refused');
      assert.equal(ledger.counts.default.admitted, 100);
    } finally {
      await killEverything(stateDir);
    }
  });
});
