/**
 * Temp files of writes cut short: a writer killed (-9) between writing its temp file and renaming it
 * over the real one leaves `.<name>.<pid>.<hex>.tmp`. Once its writer is gone and a minute has passed
 * they are removed as a registry opens (the folders every process writes in) and as a run ends (its
 * own folder), a team's as it ends and a goal's as it settles; a live writer's never is.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { saveGoal } from '../../src/core/goals/goalStore';
import { StateMap } from '../../src/core/state/stateMap';
import { saveTeam, type TeamRecord } from '../../src/core/teams/teamStore';
import { createHarness, fakeCommand, until, type Harness } from '../support/harness';

/** A process that makes the temp file of a write of `file` as atomicFile.ts names it, then stays; its pid and the temp file. */
async function writer(file: string): Promise<{ pid: number; temp: string; child: ReturnType<typeof spawn> }> {
  const script = `const fs = require('fs'); const path = require('path');
    const temp = path.join(path.dirname(process.argv[1]), '.' + path.basename(process.argv[1]) + '.' + process.pid + '.0a1b2c3d.tmp');
    fs.writeFileSync(temp, '{"half": '); process.stdout.write(temp + '\\n'); setInterval(() => {}, 1000);`;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const child = spawn(process.execPath, ['-e', script, file], { stdio: ['ignore', 'pipe', 'inherit'] });
  const temp = await new Promise<string>((resolve) => child.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim())));
  return { pid: child.pid!, temp, child };
}

/** A temp file left by a writer killed with SIGKILL mid-write; `ageMs` old. */
async function leftByKilledWriter(file: string, ageMs: number): Promise<string> {
  const w = await writer(file);
  // Reaped, not only dead: a zombie's pid still answers kill(pid, 0), as a live writer's does.
  const reaped = new Promise((resolve) => w.child.once('exit', resolve));
  w.child.kill('SIGKILL');
  await reaped;
  age(w.temp, ageMs);
  return w.temp;
}

function age(file: string, ms: number): void {
  const then = new Date(Date.now() - ms);
  fs.utimesSync(file, then, then);
}

describe('temp files of writes cut short', function () {
  this.timeout(60_000);
  let h: Harness;
  const live: Array<ReturnType<typeof spawn>> = [];
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => {
    for (const child of live.splice(0)) child.kill('SIGKILL');
    await h.cleanup();
  });

  it('are removed as a registry opens once their writer is dead and a minute has passed; a live writer\'s and a fresh one stay', async () => {
    const state = new StateMap(h.stateDir);
    const stale = [
      await leftByKilledWriter(state.runsIndex, 120_000),
      await leftByKilledWriter(state.poolLedger, 120_000),
      await leftByKilledWriter(path.join(state.poolLock, 'held'), 120_000),
    ];
    const fresh = await leftByKilledWriter(state.metricsCounters, 1000);
    const running = await writer(state.poolLedger);
    live.push(running.child);
    age(running.temp, 120_000);
    await h.open();
    for (const file of stale) assert.equal(fs.existsSync(file), false, `${file} was removed`);
    assert.ok(fs.existsSync(fresh), 'a fresh one stays (its writer may be in another pid namespace)');
    assert.ok(fs.existsSync(running.temp), 'a live writer\'s stays');
  });

  it('are removed from a run\'s folder as the run ends', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '1500') });
    const temp = await leftByKilledWriter(new StateMap(h.stateDir).run(run.id).record, 120_000);
    assert.equal((await h.registry.wait(run.id, 20_000)).record.status, 'done');
    await until(() => !fs.existsSync(temp), 5000, 'the temp file of the run\'s folder to be removed');
  });

  it('are removed from a run\'s folder as the run is settled without its supervisor (killed -9)', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '1500') });
    const temp = await leftByKilledWriter(new StateMap(h.stateDir).run(run.id).record, 120_000);
    process.kill(h.registry.resolve(run.id).supervisor!.pid, 'SIGKILL');
    assert.equal((await h.registry.wait(run.id, 20_000)).record.status, 'orphaned');
    assert.equal(fs.existsSync(temp), false);
  });

  it('are removed from a team\'s folder as it ends, and from a goal\'s as it settles', async () => {
    const state = new StateMap(h.stateDir);
    const team = { version: 1, name: 'swept' } as TeamRecord;
    const teamTemp = await leftByKilledWriter(state.team('swept').record, 120_000);
    saveTeam(h.stateDir, team);
    assert.ok(fs.existsSync(teamTemp), 'a team at work keeps them: its folder is written often');
    saveTeam(h.stateDir, { ...team, endedAt: Date.now() });
    assert.equal(fs.existsSync(teamTemp), false);
    const goal = { version: 1, id: 'goal-20261208-swept1', status: 'running' } as GoalRecord;
    const goalTemp = await leftByKilledWriter(state.goal(goal.id).record, 120_000);
    saveGoal(h.stateDir, goal);
    assert.ok(fs.existsSync(goalTemp));
    saveGoal(h.stateDir, { ...goal, status: 'ready' });
    assert.equal(fs.existsSync(goalTemp), false);
  });
});
