/**
 * The tracker's folder watching for runs other processes start: a launcher that dies before its run
 * starts must not leave a folder watched forever, and the run is settled with a reason.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { silentLogger } from '../../src/core/logger';
import { withLedger } from '../../src/core/pools/ledger';
import { StateMap } from '../../src/core/state/stateMap';
import type { RunChange } from '../../src/core/registry/registry';
import { RunTracker } from '../../src/core/registry/runTracker';
import { readRecord, writeRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { tempDir, until } from '../support/harness';

const STALE_MS = 400;

function queuedRecord(id: string, createdAt = Date.now()): RunRecord {
  return {
    version: 1, id, name: `q-${id}`, runner: 'custom', commandLine: ['agent'], cwd: '/', prompt: 'x', status: 'queued',
    createdAt, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0,
  };
}

describe('run tracker: runs whose launcher went away', () => {
  let tracker: RunTracker;
  let changes: RunChange[];
  let warned: string[];
  let paths: StateMap;
  let watching: { dispose(): void };

  beforeEach(async () => {
    paths = new StateMap(tempDir('sb-tracker-'));
    fs.mkdirSync(paths.runs, { recursive: true });
    changes = [];
    warned = [];
    tracker = new RunTracker(paths, silentLogger, { changed: (c) => changes.push(c), event: () => undefined, output: () => undefined, warn: (m) => warned.push(m) }, { queuedStaleMs: STALE_MS });
    await tracker.loadAll();
    watching = tracker.watch();
  });
  afterEach(() => {
    watching.dispose();
    tracker.dispose();
  });

  it('a folder that never gets a record stops being watched and is listed as orphaned, saying why', async () => {
    fs.mkdirSync(paths.run('nrecord1').dir);
    await until(() => tracker.following === 1, 2000, 'the folder to be followed');
    // The folder changing (here: files other than the record) does not settle it early.
    fs.writeFileSync(`${paths.run('nrecord1').dir}/output.log`, 'x\n');
    await new Promise((r) => setTimeout(r, STALE_MS / 4));
    assert.equal(tracker.get('nrecord1'), undefined);
    await until(() => tracker.following === 0 && tracker.get('nrecord1') !== undefined, 5000, 'the folder to be settled');
    const run = tracker.get('nrecord1')!;
    assert.equal(run.status, 'orphaned');
    assert.match(run.lastError ?? '', /never started/);
    const onDisk = readRecord(paths.run('nrecord1'));
    assert.equal(onDisk.kind === 'ok' && onDisk.value.status, 'orphaned');
    assert.ok(changes.some((c) => c.run.id === 'nrecord1' && c.run.status === 'orphaned'));
  });

  it('a run left queued by a launcher that died before it got a pid stops being watched and becomes orphaned', async () => {
    const run = paths.run('queued01');
    fs.mkdirSync(run.dir);
    writeRecord(run, queuedRecord('queued01'));
    await until(() => tracker.following === 1, 2000, 'the folder to be followed');
    await until(() => tracker.following === 0 && tracker.get('queued01')?.status === 'orphaned', 5000, 'the run to be settled');
    assert.match(tracker.get('queued01')!.lastError ?? '', /never started: the process that kept its place in line( \(pid \d+\))? went away/);
    const onDisk = readRecord(run);
    assert.equal(onDisk.kind === 'ok' && onDisk.value.status, 'orphaned');
  });

  it('a run given a slot whose launcher died before it got a pid is said to have lost the process starting it, not its place in line', async () => {
    const run = paths.run('admitted1');
    fs.mkdirSync(run.dir);
    writeRecord(run, queuedRecord('admitted1'));
    await withLedger(paths.root, (ledger) => void ledger.slots.push({ runId: 'admitted1', pool: 'default', admittedAt: Date.now() }));
    await until(() => tracker.get('admitted1')?.status === 'orphaned', 5000, 'the run to be settled');
    assert.match(tracker.get('admitted1')!.lastError ?? '', /never started: it was given a slot, and the process starting it( \(pid \d+\))? went away before its agent started/);
  });

  it('a new run folder whose record is corrupt is said and settled as such, its record set aside, not taken for a run that never started', async () => {
    const run = paths.run('corrupt1');
    fs.mkdirSync(run.dir);
    fs.writeFileSync(run.record, '{"version": 1, "id": ');
    await until(() => tracker.get('corrupt1')?.status === 'orphaned', 5000, 'the run to be settled');
    assert.match(tracker.get('corrupt1')!.lastError ?? '', /its record was corrupt and was set aside as \S+run\.json\.corrupt-/);
    assert.match(warned.join('\n'), /The record of run corrupt1 was corrupt \(not valid JSON/);
  });

  it('a queued run found at load is followed only until it is stale', async () => {
    tracker.dispose();
    const run = paths.run('queued02');
    fs.mkdirSync(run.dir);
    writeRecord(run, queuedRecord('queued02'));
    tracker = new RunTracker(paths, silentLogger, { changed: () => undefined, event: () => undefined, output: () => undefined, warn: () => undefined }, { queuedStaleMs: STALE_MS });
    await tracker.loadAll();
    assert.equal(tracker.get('queued02')?.status, 'queued');
    assert.equal(tracker.following, 1);
    await until(() => tracker.following === 0 && tracker.get('queued02')?.status === 'orphaned', 5000, 'the run to be settled');
  });

  it('a queued run whose createdAt is ahead of the clock (set back since, or written by hand) is settled all the same', async () => {
    const run = paths.run('queued03');
    fs.mkdirSync(run.dir);
    writeRecord(run, queuedRecord('queued03', Date.now() + 3600_000));
    await until(() => tracker.following === 0 && tracker.get('queued03')?.status === 'orphaned', 5000, 'the run to be settled');
    assert.match(tracker.get('queued03')!.lastError ?? '', /never started/);
  });

  it('a run that starts in time is picked up as soon as its record says so, and no longer watched', async () => {
    const run = paths.run('started1');
    fs.mkdirSync(run.dir);
    writeRecord(run, queuedRecord('started1'));
    await until(() => tracker.following === 1, 2000, 'the folder to be followed');
    // No supervisor to reach in this test: a record that moved on past queued is all the folder watch needs.
    writeRecord(run, { ...queuedRecord('started1'), status: 'done', endedAt: Date.now() });
    await until(() => tracker.get('started1')?.status === 'done', 2000, 'the run to be picked up');
    assert.equal(tracker.following, 0);
  });
});
