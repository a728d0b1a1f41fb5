/**
 * The record cache of finished runs (runs-cache.json): a cache made at the folder's current
 * generation is taken without a look at the runs' files, and what is shown or asked for is still
 * compared with its file; a change made through Switchboard (a kill noted, a kill put back) makes
 * every cache made before be checked run by run; the rest is checked in the background.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { silentLogger } from '../../src/core/logger';
import { StateMap } from '../../src/core/state/stateMap';
import { KillMarkers } from '../../src/core/registry/killMarkers';
import { finishedRecordChanged, RecordCache } from '../../src/core/registry/recordCache';
import { RunTracker } from '../../src/core/registry/runTracker';
import { RunRegistry } from '../../src/core/registry/registry';
import { mergeConfig } from '../../src/core/config';
import { readRecord, writeRecord } from '../../src/core/runs/recordFile';
import type { RunRecord, RunStatus } from '../../src/core/runs/types';
import { tempDir, until } from '../support/harness';

function finished(id: string, status: RunStatus = 'done', name = `run-${id}`): RunRecord {
  const createdAt = Date.now() - 60_000;
  return {
    version: 1, id, name, runner: 'custom', commandLine: ['agent'], cwd: '/', prompt: 'x', status,
    createdAt, startedAt: createdAt, endedAt: createdAt + 1000, exitCode: status === 'done' ? 0 : 1, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0,
  };
}

describe('record cache: finished runs opened without a look at their files', () => {
  let paths: StateMap;
  const trackers: RunTracker[] = [];
  const sink = { changed: () => undefined, event: () => undefined, output: () => undefined, warn: () => undefined };
  /** Another process opening the folder. */
  async function open(checkDelayMs = 60_000): Promise<RunTracker> {
    const tracker = new RunTracker(paths, silentLogger, sink, { checkDelayMs });
    trackers.push(tracker);
    await tracker.loadAll();
    return tracker;
  }
  /** Changes a finished record on disk as nothing in Switchboard does: the generation stays. */
  function changeBehindItsBack(record: RunRecord): void {
    writeRecord(paths.run(record.id), record);
    // A later mtime even on a coarse clock, and another size.
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(paths.run(record.id).record, later, later);
  }

  function finishedOnDisk(id: string): RunRecord {
    const read = readRecord(paths.run(id));
    assert.equal(read.kind, 'ok');
    return (read as { value: RunRecord }).value;
  }

  beforeEach(() => {
    paths = new StateMap(tempDir('sb-record-cache-'));
    fs.mkdirSync(paths.runs, { recursive: true });
    for (const id of ['aaaa0001', 'aaaa0002', 'aaaa0003']) {
      fs.mkdirSync(paths.run(id).dir);
      writeRecord(paths.run(id), finished(id));
    }
  });
  afterEach(() => {
    for (const t of trackers.splice(0)) t.dispose();
  });

  it('a cache of the current generation is taken as it is; a run asked for (check) is compared with its file and read again', async () => {
    await open(); // reads the files and makes the cache
    assert.equal(RecordCache.open(paths.runsIndex, paths.runsCache, paths.runsCacheGeneration).current, true);
    changeBehindItsBack(finished('aaaa0002', 'failed', 'renamed-behind'));
    const next = await open();
    const brief = (id: string) => next.briefs().find((b) => b.id === id);
    assert.equal(brief('aaaa0002')?.status, 'done', 'its brief taken from the index without a look at the file');
    assert.equal(brief('aaaa0002')?.name, 'run-aaaa0002');
    assert.equal(next.check(['aaaa0001']), false, 'an unchanged file is not read again');
    assert.equal(next.check(['aaaa0002']), true);
    assert.equal(next.get('aaaa0002')?.status, 'failed');
    assert.equal(next.get('aaaa0002')?.name, 'renamed-behind');
    assert.equal(next.check(['aaaa0002']), false, 'compared once');
    // The cache keeps what was read once this process closes: the next process takes it.
    next.dispose();
    assert.equal((await open()).get('aaaa0002')?.status, 'failed');
  });

  it('a change made through Switchboard makes the next process check every run against its file', async () => {
    await open();
    changeBehindItsBack(finished('aaaa0003', 'failed'));
    finishedRecordChanged(paths.runsCacheGeneration);
    assert.equal(RecordCache.open(paths.runsIndex, paths.runsCache, paths.runsCacheGeneration).current, false);
    const next = await open();
    assert.equal(next.get('aaaa0003')?.status, 'failed', 'read again at open');
    // And it saves the cache at the new generation: the one after takes it as it is.
    assert.equal(RecordCache.open(paths.runsIndex, paths.runsCache, paths.runsCacheGeneration).current, true);
  });

  it('a kill noted by a process that died before writing the record sticks, even over a record cached as finished', async () => {
    await open(); // aaaa0001 cached as done
    // Another process kills it without its supervisor: the marker, then it dies before writing the record.
    new KillMarkers(paths, silentLogger, () => undefined).note('aaaa0001', 'killed by test');
    const next = await open();
    assert.equal(next.get('aaaa0001')?.status, 'killed');
    const onDisk = readRecord(paths.run('aaaa0001'));
    assert.equal(onDisk.kind === 'ok' && onDisk.value.status, 'killed', 'put back on disk for every later reader');
  });

  it('a finished record truncated in place is written again as cached once the run is asked for', async () => {
    await open();
    fs.truncateSync(paths.run('aaaa0002').record, 21);
    const next = await open();
    assert.equal(next.check(['aaaa0002']), true);
    assert.equal(next.get('aaaa0002')?.status, 'done');
    assert.equal(next.get('aaaa0002')?.name, 'run-aaaa0002');
    assert.equal(readRecord(paths.run('aaaa0002')).kind, 'ok');
  });

  it('a run whose folder was removed behind the cache is dropped when checked', async () => {
    await open();
    const next = await open();
    fs.rmSync(paths.run('aaaa0003').dir, { recursive: true });
    assert.equal(next.check(['aaaa0003']), true);
    assert.equal(next.get('aaaa0003'), undefined);
  });

  it('a folder opens from the index of briefs alone: whole records are read when asked for, from runs-cache.json or each from its file', async () => {
    writeRecord(paths.run('aaaa0003'), { ...finished('aaaa0003', 'done', 'run-é€😀'), links: { team: 'équipe' } });
    await open();
    const briefs = (await open()).briefs();
    assert.equal(briefs.find((b) => b.id === 'aaaa0003')?.name, 'run-é€😀', 'the index keeps any text (written as ASCII, read as Latin-1)');
    assert.equal(briefs.find((b) => b.id === 'aaaa0003')?.links.team, 'équipe');
    const whole = (t: RunTracker) => t.records().map((r) => JSON.stringify(r)).sort();
    const expected = ['aaaa0001', 'aaaa0002', 'aaaa0003'].map((id) => JSON.stringify(finishedOnDisk(id))).sort();
    assert.deepEqual(whole(await open()), expected, 'all at once, from runs-cache.json');
    fs.rmSync(paths.runsCache);
    const next = await open();
    assert.deepEqual(next.briefs().map((b) => b.name).sort(), ['run-aaaa0001', 'run-aaaa0002', 'run-é€😀']);
    assert.deepEqual(next.get('aaaa0002'), finishedOnDisk('aaaa0002'), 'one asked for, from its file');
    assert.deepEqual(whole(next), expected, 'the rest from their files, runs-cache.json being gone');
  });

  it('a corrupt index, or one of a foreign shape, costs only reads: every run is listed as its file says, and the index is written again', async () => {
    await open();
    fs.writeFileSync(paths.runsIndex, '{"version":1,"gen":"","runs":{"aaaa0001":{"id":"aaaa0001","m":1,"s":1,"name":7},"aaaa0002":[1,2,3]');
    const next = await open();
    assert.deepEqual(next.records().map((r) => r.name).sort(), ['run-aaaa0001', 'run-aaaa0002', 'run-aaaa0003']);
    fs.writeFileSync(paths.runsIndex, JSON.stringify({ version: 1, gen: '', runs: { aaaa0001: { id: 'aaaa0001', m: 1, s: 1, name: 7 }, aaaa0002: [1, 2] } }));
    assert.deepEqual((await open()).briefs().map((b) => b.name).sort(), ['run-aaaa0001', 'run-aaaa0002', 'run-aaaa0003']);
    assert.equal(RecordCache.open(paths.runsIndex, paths.runsCache, paths.runsCacheGeneration).entry('aaaa0001')?.name, 'run-aaaa0001', 'written again');
  });

  it('a finished record found corrupt when only its brief is known (runs-cache.json gone) is listed orphaned under its name, its bytes set aside', async () => {
    await open();
    fs.rmSync(paths.runsCache);
    fs.writeFileSync(paths.run('aaaa0003').record, 'not json');
    const next = await open();
    const run = next.get('aaaa0003');
    assert.equal(run?.status, 'orphaned');
    assert.equal(run?.name, 'run-aaaa0003');
    assert.match(run?.lastError ?? '', /corrupt/);
    assert.ok(fs.readdirSync(paths.run('aaaa0003').dir).some((f) => f.includes('.corrupt-')), 'the corrupt bytes are kept');
  });

  it('the runs folder is not listed again while its mtime stays; a run added or removed (which moves it) is always seen', async () => {
    const past = new Date(Date.now() - 60_000);
    fs.utimesSync(paths.runs, past, past);
    await open();
    const index = () => JSON.parse(fs.readFileSync(paths.runsIndex, 'latin1')) as { dir?: { m: number } };
    assert.equal(index().dir?.m, fs.statSync(paths.runs).mtimeMs, 'a settled listing is kept in the index');
    assert.deepEqual((await open()).briefs().map((b) => b.id).sort(), ['aaaa0001', 'aaaa0002', 'aaaa0003'], 'taken from it');
    fs.mkdirSync(paths.run('aaaa0004').dir);
    writeRecord(paths.run('aaaa0004'), finished('aaaa0004'));
    assert.equal((await open()).get('aaaa0004')?.name, 'run-aaaa0004');
    assert.equal(index().dir, undefined, 'a folder changed just now is not kept (a change in the same tick of its clock would not show)');
    fs.rmSync(paths.run('aaaa0001').dir, { recursive: true });
    assert.deepEqual((await open()).briefs().map((b) => b.id).sort(), ['aaaa0002', 'aaaa0003', 'aaaa0004']);
  });

  it('runs nobody asks for are checked in the background', async () => {
    await open();
    changeBehindItsBack(finished('aaaa0001', 'failed'));
    const next = await open(50);
    await until(() => next.get('aaaa0001')?.status === 'failed', 5000, 'the background check to read the changed record');
  });
});

describe("the registry's whole records of many runs", () => {
  it('come from runs-cache.json at once, or each from its own file when asked so (a small part of a big folder)', async () => {
    const paths = new StateMap(tempDir('sb-whole-of-'));
    fs.mkdirSync(paths.runs, { recursive: true });
    const ids = Array.from({ length: 250 }, (_, i) => `bbbb${String(i).padStart(4, '0')}`);
    for (const id of ids) {
      fs.mkdirSync(paths.run(id).dir);
      writeRecord(paths.run(id), finished(id));
    }
    const open = () => RunRegistry.open({ stateDir: paths.root, config: mergeConfig({}), supervisorScript: 'unused', watch: false });
    (await open()).dispose(); // reads the files, and writes the index and runs-cache.json
    // The cache says otherwise of one run at its file's stamp: which one was read shows.
    const cache = JSON.parse(fs.readFileSync(paths.runsCache, 'utf8')) as { runs: Record<string, { r: RunRecord }> };
    cache.runs[ids[7]!]!.r.name = 'from-cache';
    fs.writeFileSync(paths.runsCache, JSON.stringify(cache));
    const nameOf7 = (runs: RunRecord[]) => runs.find((r) => r.id === ids[7])?.name;
    const registry = await open();
    assert.equal(nameOf7(registry.wholeOf(registry.briefs(), { each: true })), `run-${ids[7]}`, 'each from its file');
    registry.dispose();
    const other = await open();
    assert.equal(nameOf7(other.wholeOf(other.briefs())), 'from-cache', 'all at once from runs-cache.json');
    other.dispose();
  });
});
