/**
 * The fault suite (issue 16): what a careful user's machine does to Switchboard, each found once and
 * kept fixed. A supervisor frozen with SIGSTOP: listing and status do not wait on it, kill kills the
 * run's tree itself, and once the supervisor goes on it records the run killed.
 */
import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/core/runs/types';
import { runCli } from '../support/cliChild';
import { createHarness, fakeCommand, pidAlive, until, type Harness } from '../support/harness';

describe('faults', function () {
  this.timeout(120_000);
  let h: Harness;
  let frozen: number | undefined;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => {
    if (frozen) process.kill(frozen, 'SIGCONT');
    frozen = undefined;
    await h.cleanup();
  });

  it('a frozen supervisor hangs nothing: list and status answer at once, kill kills the tree itself, and the record stays killed once it goes on', async () => {
    const cli = (...args: string[]) => runCli(h.stateDir, args);
    const started = await cli('run', 'custom', 'long job', '--detach', '--name', 'stuck', '--format', 'json', '--command', fakeCommand('--grandchild', '--sleep', '120000'));
    const run = JSON.parse(started.stdout) as RunRecord;
    await until(() => h.registry.resolve(run.id).status === 'running' && /grandchild (\d+)/.test(h.registry.tail(run.id)), 10_000, 'the run and its grandchild');
    const grandchild = Number(/grandchild (\d+)/.exec(h.registry.tail(run.id))![1]);
    const supervisor = h.registry.resolve(run.id).supervisor!.pid;
    process.kill(supervisor, 'SIGSTOP');
    frozen = supervisor;

    // Another process lists, shows and kills it without waiting on the frozen supervisor.
    let t = Date.now();
    const list = await cli('list', '--format', 'json');
    assert.equal(list.code, 0, list.stderr);
    assert.ok(Date.now() - t < 8000, `list took ${Date.now() - t} ms`);
    assert.equal((JSON.parse(list.stdout) as { runs: RunRecord[] }).runs.find((r) => r.id === run.id)?.status, 'running');
    t = Date.now();
    assert.equal((await cli('status', 'stuck')).code, 0);
    assert.ok(Date.now() - t < 8000, `status took ${Date.now() - t} ms`);
    t = Date.now();
    const killed = await cli('kill', 'stuck');
    assert.equal(killed.code, 0, killed.stderr);
    assert.match(killed.stdout, /killed stuck/);
    assert.ok(Date.now() - t < 15_000, `kill took ${Date.now() - t} ms`);
    assert.equal(pidAlive(run.agent!.pid), false);
    await until(() => !pidAlive(grandchild), 5000, 'the grandchild to die');

    // The supervisor goes on: it finds its agent gone, and the kill sticks.
    process.kill(supervisor, 'SIGCONT');
    frozen = undefined;
    await until(() => h.registry.resolve(run.id).status === 'killed', 10_000, 'the record to say killed');
    await new Promise((r) => setTimeout(r, 1000));
    const final = JSON.parse((await cli('status', 'stuck', '--format', 'json')).stdout) as RunRecord;
    assert.equal(final.status, 'killed');
    assert.match(final.lastError ?? '', /killed by/);
  });
});
