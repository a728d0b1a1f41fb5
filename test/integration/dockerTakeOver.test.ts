/**
 * A container run taken over after its supervisor host was killed with -9 keeps its budgets: the
 * new supervisor goes on from the dead one's record (its usage, its events, where it had parsed the
 * output to), so the final usage is what the agent reported in all, each event once; and its time
 * limit counts from the run's start, firing when it would have, or at once when the run is already
 * past it when taken over. Real containers on the local engine (the image of scripts/setupDocker.mjs);
 * skipped, with the reason, where docker cannot run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, FAKE_AGENT, removeTempDirs, supervisorHostPids, tempDir, until, type Harness } from '../support/harness';
import { containersOf, dockerSetup, removeContainersOf, testContainers } from '../support/docker';
import { StateMap } from '../../src/core/state/stateMap';
import type { RunRegistry } from '../../src/core/registry/registry';
import type { RunLimits } from '../../src/core/runs/types';

describe('docker backend: budgets across a take-over', function () {
  this.timeout(180_000);
  let h: Harness;
  let work: string;
  let bin: string;

  before(function () {
    if (!dockerSetup().ok) this.skip();
  });
  beforeEach(async () => {
    h = await createHarness({ killGraceMs: 1000, containers: testContainers() });
    work = tempDir('sb-docker-takeover-');
    // The scripted agent stands in for claude (its shebang finds the image's node), printing stream-json.
    bin = path.join(work, 'fakeAgent.mjs');
    fs.copyFileSync(FAKE_AGENT, bin);
    fs.chmodSync(bin, 0o755);
  });
  afterEach(async () => {
    await h.cleanup();
    await removeContainersOf(h.stateDir);
    await removeTempDirs();
  });

  const output = (id: string): string => fs.readFileSync(new StateMap(h.stateDir).run(id).output, 'utf8');

  /** Starts a claude run of `turns` turns, one every `every` ms, in a container. */
  async function start(turns: number, every: number, limits?: RunLimits): Promise<{ id: string; boxed: RunRegistry }> {
    const boxed = await h.open({ runners: { claude: { binary: bin } } });
    const run = await boxed.run({ runner: 'claude', prompt: 'p', cwd: work, backend: 'docker', ...(limits ? { limits } : {}), env: { FAKE_AGENT_ARGS: JSON.stringify(['--format', 'claude', '--turns', String(turns), '--every', String(every)]) } });
    return { id: run.id, boxed };
  }

  /** Kills every supervisor host of the folder with -9 and closes this process's registries. */
  function killHosts(): void {
    const hosts = supervisorHostPids(h.stateDir);
    assert.ok(hosts.length > 0);
    for (const pid of hosts) process.kill(pid, 'SIGKILL');
    h.switchboard.dispose();
  }

  it('counts the usage of the whole run, before and after the take-over, each event once', async () => {
    const { id, boxed } = await start(30, 200);
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(id).output) && output(id).includes('turn 8 done'), 60_000, 'eight turns');
    await until(() => (boxed.resolve(id).usage.inputTokens ?? 0) > 0, 10_000, 'usage recorded');
    killHosts();
    const again = await h.open({ runners: { claude: { binary: bin } } });
    const { record } = await again.wait(id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    // Each turn reported 100 tokens in and 20 out; the session's cost so far was 100 in per 100000.
    assert.deepEqual({ in: record.usage.inputTokens, out: record.usage.outputTokens, usd: record.usage.usd }, { in: 3000, out: 600, usd: 0.03 });
    const events = again.events(id);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'seq numbers run 1, 2, 3… without a gap or a repeat');
    assert.equal(events.filter((e) => e.type === 'result').length, 30);
    assert.equal(events.filter((e) => e.type === 'usage' && !e.provisional).length, 30);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('keeps the time limit counted from the run\'s start: it fires when it would have without the take-over', async () => {
    const timeoutMs = 10_000;
    const { id } = await start(1000, 200, { timeoutMs });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(id).output) && output(id).includes('turn 3 done'), 60_000, 'three turns');
    // Far enough into the run that a limit counted again from the take-over would fire late by more than the margin.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    killHosts();
    const again = await h.open({ runners: { claude: { binary: bin } } });
    const { record } = await again.wait(id, 90_000);
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'stopped at its time limit of 10s');
    const kill = again.events(id).find((e) => e.type === 'control' && e.action === 'kill');
    assert.ok(kill, 'the kill is recorded');
    const at = kill.ts - record.startedAt!;
    assert.ok(at >= timeoutMs && at < timeoutMs + 3000, `the time limit fired ${at} ms after the start`);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('stops a run already past its time limit when it is taken over, at once and for that reason', async () => {
    const { id, boxed } = await start(1000, 200, { timeoutMs: 3000 });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(id).output) && output(id).includes('turn 1 done'), 60_000, 'the first turn');
    const startedAt = boxed.resolve(id).startedAt!;
    killHosts();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, startedAt + 4000 - Date.now())));
    const opened = Date.now();
    const again = await h.open({ runners: { claude: { binary: bin } } });
    const { record } = await again.wait(id, 90_000);
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'stopped at its time limit of 3s');
    const kill = again.events(id).find((e) => e.type === 'control' && e.action === 'kill');
    assert.ok(kill && kill.ts - opened < 5000, `stopped ${kill ? kill.ts - opened : '?'} ms after the folder was opened again`);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });
});
