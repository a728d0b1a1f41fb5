/**
 * `switchboard run --detach` into a full pool, with real CLI processes: it returns at once with the
 * run `queued`; a supervisor host keeps its place and starts it, once, when the blocking run ends
 * (the CLI that asked long gone); `kill` takes it out of line for good; a host killed -9 while it
 * keeps the run leaves it ended with why, never stuck queued and never started.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processesMarked } from '../../src/core/proc/processTable';
import { readRecord } from '../../src/core/runs/recordFile';
import { RUN_ID_ENV } from '../../src/core/runs/runMarker';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { ensureBuilt, fakeCommand, killEverything, pidAlive, supervisorHostPids, tempDir, until } from '../support/harness';

describe('detached runs in a full pool', function () {
  this.timeout(120_000);
  let stateDir: string;
  before(() => ensureBuilt());
  beforeEach(() => {
    stateDir = tempDir('sb-detach-queue-');
    fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ killGraceMs: 1000, pools: { default: { maxWorkers: 1 } } }));
  });
  afterEach(() => killEverything(stateDir));

  const cli = (...args: string[]) => runCli(stateDir, args);
  const paths = (id: string) => new StateMap(stateDir).run(id);
  const record = (id: string): RunRecord => {
    const read = readRecord(paths(id));
    assert.equal(read.kind, 'ok', `the record of ${id} reads`);
    return (read as { value: RunRecord }).value;
  };
  const ledger = () => JSON.parse(fs.readFileSync(new StateMap(stateDir).poolLedger, 'utf8')) as { queue: unknown[]; counts: Record<string, { admitted: number; queued: number }> };
  async function detach(name: string, ...agent: string[]): Promise<RunRecord> {
    const result = await cli('run', 'custom', name, '--detach', '--name', name, '--format', 'json', '--command', fakeCommand(...agent));
    assert.equal(result.code, 0, result.stderr);
    return JSON.parse(result.stdout) as RunRecord;
  }

  it('returns at once with the run queued; a host starts it when the blocking run ends, after the CLI exited, once', async () => {
    const blocker = await detach('blocker', '--sleep', '60000');
    assert.equal(blocker.status, 'running');
    // Were the CLI to wait for the slot, it would answer only after the blocker's minute, with the run running.
    const second = await detach('second', '--sleep', '300');
    assert.equal(second.status, 'queued');
    assert.equal(second.agent, undefined);
    assert.ok(second.launcher && supervisorHostPids(stateDir).includes(second.launcher.pid), 'a supervisor host keeps its place');
    assert.ok(fs.existsSync(paths(second.id).plan), 'its plan waits with it');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(record(second.id).status, 'queued', 'it waits while the blocker runs');
    assert.deepEqual(processesMarked(RUN_ID_ENV, second.id), [], 'nothing of it runs yet');
    const killed = await cli('kill', 'blocker');
    assert.equal(killed.code, 0, killed.stderr);
    await until(() => record(second.id).status === 'done', 20_000, 'the queued run to start and finish');
    const done = record(second.id);
    assert.ok(done.startedAt! >= record(blocker.id).endedAt!, 'it started once the slot was free');
    assert.equal(fs.existsSync(paths(second.id).plan), false, 'its plan was taken');
    assert.deepEqual([ledger().queue.length, ledger().counts.default!.admitted, ledger().counts.default!.queued], [0, 2, 1], 'admitted once, nobody left in line');
    const listed = await cli('status', 'second', '--format', 'json');
    assert.equal((JSON.parse(listed.stdout) as RunRecord).status, 'done');
  });

  it('kill takes a queued detached run out of line: it never starts, even when the slot frees', async () => {
    const blocker = await detach('blocker', '--sleep', '60000');
    const waiting = await detach('waiting', '--sleep', '300');
    assert.equal(waiting.status, 'queued');
    const killed = await cli('kill', 'waiting');
    assert.equal(killed.code, 0, killed.stderr);
    assert.equal(killed.stdout, 'killed waiting before its agent started (it left the line of pool default)\n');
    assert.equal(record(waiting.id).status, 'killed');
    assert.match(record(waiting.id).lastError ?? '', /while waiting for a slot/);
    assert.deepEqual(ledger().queue, [], 'it left the line');
    assert.equal(fs.existsSync(paths(waiting.id).plan), false, 'nothing is left to start it from');
    const blockerKilled = await cli('kill', 'blocker');
    assert.equal(blockerKilled.code, 0, blockerKilled.stderr);
    await until(() => record(blocker.id).status === 'killed', 10_000, 'the blocker to end');
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(record(waiting.id).status, 'killed', 'it stays killed');
    assert.equal(record(waiting.id).agent, undefined, 'and never started');
    assert.deepEqual(processesMarked(RUN_ID_ENV, waiting.id), []);
  });

  it('a host killed -9 while keeping a run in line: the run ends with why, never stuck queued, never started', async () => {
    const blocker = await detach('blocker', '--sleep', '60000');
    const waiting = await detach('waiting', '--sleep', '300');
    const host = waiting.launcher!.pid;
    process.kill(host, 'SIGKILL');
    await until(() => !pidAlive(host), 5000, 'the host to die');
    // The next process that looks settles it.
    const status = await cli('status', 'waiting', '--format', 'json');
    const settled = JSON.parse(status.stdout) as RunRecord;
    assert.equal(settled.status, 'orphaned');
    assert.match(settled.lastError ?? '', new RegExp(`never started: the process that kept its place in line \\(pid ${host}\\) went away`));
    assert.equal(fs.existsSync(paths(waiting.id).plan), false, 'its plan (the prompt unredacted) is gone');
    const cleaned = await cli('pools', 'cleanup');
    assert.equal(cleaned.code, 0, cleaned.stderr);
    assert.deepEqual(ledger().queue, [], 'its place was freed');
    // The blocker runs on without its supervisor; ending it frees the slot, and the settled run still never starts.
    const blockerKilled = await cli('kill', 'blocker');
    assert.equal(blockerKilled.code, 0, blockerKilled.stderr);
    await until(() => processesMarked(RUN_ID_ENV, blocker.id).length === 0, 10_000, 'the blocker to end');
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(record(waiting.id).status, 'orphaned');
    assert.deepEqual(processesMarked(RUN_ID_ENV, waiting.id), []);
  });
});
