/**
 * Runs as Docker Swarm jobs (`--backend swarm`: a replicated-job service of one task) on a one-node
 * swarm of the local engine (initialised here when it is not one already, and left again after):
 * output whole from the service's log, exit codes from the task, a kill that leaves no service, a
 * service removed behind Switchboard's back turning the run orphaned.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, FAKE_AGENT, removeTempDirs, tempDir, until, type Harness } from '../support/harness';
import { containersOf, docker, dockerSetup, removeContainersOf, testContainers } from '../support/docker';
import { query } from '../../src/core/containers/dockerApi';
import { STATE_LABEL } from '../../src/core/containers/containerAgent';
import { StateMap } from '../../src/core/state/stateMap';

const servicesOf = async (stateDir: string): Promise<string[]> =>
  (await docker().call<{ ID: string }[]>('GET', `/services${query({ filters: { label: [`${STATE_LABEL}=${stateDir}`] } })}`)).map((s) => s.ID);

describe('swarm backend', function () {
  this.timeout(180_000);
  let h: Harness;
  let work: string;
  let initialised = false;

  before(async function () {
    if (!dockerSetup().ok) this.skip();
    const info = await docker().call<{ Swarm: { LocalNodeState: string } }>('GET', '/info');
    if (info.Swarm.LocalNodeState !== 'active') {
      await docker().call('POST', '/swarm/init', { ListenAddr: '127.0.0.1:2377', AdvertiseAddr: '127.0.0.1' }, 'init a swarm');
      initialised = true;
    }
  });
  after(async () => {
    if (initialised) await docker().request('POST', '/swarm/leave?force=1');
  });
  beforeEach(async () => {
    h = await createHarness({ killGraceMs: 1000, containers: testContainers() });
    work = tempDir('sb-swarm-work-');
    fs.copyFileSync(FAKE_AGENT, path.join(work, 'fakeAgent.mjs'));
  });
  afterEach(async () => {
    await h.cleanup();
    for (const id of await servicesOf(h.stateDir)) await docker().request('DELETE', `/services/${id}`);
    await removeContainersOf(h.stateDir);
    await removeTempDirs();
  });

  const fake = (...args: string[]): string => ['node', path.join(work, 'fakeAgent.mjs'), ...args, '--text', '{prompt}'].join(' ');
  const output = (id: string): string => fs.readFileSync(new StateMap(h.stateDir).run(id).output, 'utf8');

  it('runs a job to completion with its output whole, and its exit code; no service is left', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'the end', cwd: work, command: fake('--lines', '5', '--every', '50'), backend: 'swarm' });
    assert.equal(run.container?.backend, 'swarm');
    const { record } = await h.registry.wait(run.id, 120_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(output(run.id), Array.from({ length: 5 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'the end\n');
    assert.equal(record.pool, 'swarm');
    const failed = await h.registry.run({ runner: 'custom', prompt: 'x', cwd: work, command: fake('--exit', '3'), backend: 'swarm' });
    const after = await h.registry.wait(failed.id, 120_000);
    assert.equal(after.record.status, 'failed');
    assert.equal(after.record.exitCode, 3);
    assert.deepEqual(await servicesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), [], 'the finished tasks\' containers are removed too');
  });

  it('kills a job (its service removed) and leaves nothing; a service removed behind its back orphans the run', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake('--lines', '1', '--sleep', '60000'), backend: 'swarm' });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(run.id).output) && output(run.id).length > 0, 60_000, 'the job to start');
    const result = await h.registry.kill(run.id, { source: 'test' });
    assert.equal(result.status, 'killed');
    assert.deepEqual(await servicesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), []);

    const other = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake('--lines', '1', '--sleep', '60000'), backend: 'swarm' });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(other.id).output) && output(other.id).length > 0, 60_000, 'the job to start');
    await docker().call('DELETE', `/services/${h.registry.resolve(other.id).container!.id}`);
    const { record } = await h.registry.wait(other.id, 60_000);
    assert.equal(record.status, 'orphaned');
    assert.match(record.lastError ?? '', /removed outside Switchboard/);
  });
});
