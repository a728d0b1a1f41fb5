/**
 * A kill that comes while a container run's worktree is being copied back (copy mode, the real local
 * engine reached through a socket that holds the archive download after its first bytes, as a stalled
 * link to a remote engine would): the agent's exit decides the outcome, the kill bounds the copy-back
 * (after the grace time, at once with --force), which is then abandoned, its download ended and its
 * containers removed, the run failed saying which volume keeps the work. A kill while the agent still
 * runs is as it always was, but for a copy-back after it that is held past the grace time and a little
 * more: that is abandoned too, so that the kill is answered when its asker waits for the answer.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KillResult } from '../../src/core/supervisor/protocol';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { containersOf, docker, dockerSetup, removeDockerLeftovers, testContainers, volumesOf } from '../support/docker';
import { HeldEngine } from '../support/heldEngine';
import { createHarness, removeTempDirs, tempDir, until, type Harness } from '../support/harness';

/** Writes a small file and a big one (its archive outlasts the bytes let through), says so, then waits `sleep` seconds. */
const agent = (sleep: number): string => `sh -c "echo first > a-first.txt && head -c 262144 /dev/zero > z-big.bin && echo written && sleep ${sleep}"`;

describe('docker backend, worktree copied: a kill while the copy-back is held', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  let engine: HeldEngine | undefined;
  let work: string;

  before(function () {
    const setup = dockerSetup();
    const missing = !setup.ok ? setup.reason : 'ssh' in docker().endpoint ? `the held engine passes to unix:// and tcp:// engines, not ${docker().endpoint.url}` : undefined;
    if (missing) {
      console.log(`    (skipped: ${missing})`);
      this.skip();
    }
  });
  beforeEach(async () => {
    engine = await HeldEngine.start();
    work = tempDir('sb-docker-copy-kill-');
    fs.writeFileSync(path.join(work, 'keep.txt'), 'kept as it was');
  });
  afterEach(async () => {
    engine?.release();
    await h?.cleanup();
    await engine?.close();
    if (h) await removeDockerLeftovers(h.stateDir);
    await removeTempDirs();
    h = engine = undefined;
  });

  const open = async (killGraceMs: number): Promise<Harness> =>
    (h = await createHarness({ killGraceMs, containers: testContainers({ copyWorktree: 'always' }) }, { DOCKER_HOST: engine!.host }));
  const output = (id: string): string => fs.readFileSync(new StateMap(h!.stateDir).run(id).output, 'utf8');
  /** Starts a run whose copy-back is held, and waits until it is. */
  const heldRun = async (): Promise<RunRecord> => {
    engine!.hold = true;
    const run = await h!.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: agent(0), backend: 'docker' });
    await until(() => engine!.held.size === 1, 30_000, 'the copy-back to be held');
    return run;
  };
  /** Where the volume keeps the worktree on this (local) engine. */
  const inVolume = async (volume: string): Promise<string> => `${(await docker().call<{ Mountpoint: string }>('GET', `/volumes/${volume}`)).Mountpoint}`;
  const sbTemps = (): string[] => fs.readdirSync(work).filter((name) => name.startsWith('.sb-copy-'));

  /** What every abandoned copy-back leaves: the run failed or orphaned as its agent ended, the work in its volume, nothing running. */
  const assertAbandoned = async (run: RunRecord, answer: KillResult, status: string, exitWords: string): Promise<void> => {
    const volume = `sb-${run.id}-worktree`;
    assert.deepEqual([answer.killed, answer.status], [false, status]);
    assert.equal(answer.finishing, `${run.name} was finishing when the kill came: its agent had already ${exitWords}`);
    // The kill answered once the run had ended, its final record on disk.
    const record = h!.registry.resolve(run.id)!;
    assert.equal(record.status, status);
    assert.ok(record.endedAt, 'the record says when it ended');
    const said = new RegExp(`^the copy-back of the worktree was stopped by a kill by test: the agent's work is still in the Docker volume ${volume}$`);
    assert.match(record.container?.copyBack ?? '', said);
    if (status === 'failed') assert.match(record.lastError ?? '', said);
    // Nothing is left running: the download was ended, no container of the run's (its own, or one made to copy from) is left.
    assert.deepEqual([engine!.held.size, engine!.heldEver], [0, 1], 'the held download was ended, and no other begun');
    assert.deepEqual(await containersOf(h!.stateDir), []);
    // The volume is kept, with the work; what came before the hold was applied whole, nothing half written is left.
    assert.deepEqual(await volumesOf(h!.stateDir), [volume]);
    const kept = await inVolume(volume);
    assert.equal(fs.statSync(path.join(kept, 'z-big.bin')).size, 262144);
    assert.equal(fs.readFileSync(path.join(work, 'a-first.txt'), 'utf8'), 'first\n');
    assert.equal(fs.existsSync(path.join(work, 'z-big.bin')), false);
    assert.deepEqual(sbTemps(), []);
    assert.equal(fs.readFileSync(path.join(work, 'keep.txt'), 'utf8'), 'kept as it was');
  };

  for (const [how, graceMs, force] of [
    ['with --force, at once', 30_000, true],
    ['without --force, after a short grace time', 300, false],
  ] as const) {
    it(`a kill ${how} abandons the copy-back: the run fails saying which volume keeps the work, its download ended, nothing left`, async () => {
      await open(graceMs);
      const run = await heldRun();
      assert.equal(h!.registry.resolve(run.id).status, 'running', 'the record says running while it finishes');
      const answer = await h!.registry.kill(run.id, { source: 'test', force });
      await assertAbandoned(run, answer, 'failed', 'exited with code 0');
    });
  }

  it('a kill whose grace time outlasts the copy-back changes nothing: the run ends done, all of the work back, the volume gone', async () => {
    await open(30_000);
    const run = await heldRun();
    const kill = h!.registry.kill(run.id, { source: 'test' });
    // Asked after the kill on the same control socket: the supervisor has it.
    await assert.rejects(h!.registry.interrupt(run.id, 'test'), /is finishing/);
    engine!.release();
    const answer = await kill;
    assert.deepEqual([answer.killed, answer.status], [false, 'done']);
    assert.match(answer.finishing ?? '', /was finishing when the kill came: its agent had already exited with code 0$/);
    const record = h!.registry.resolve(run.id)!;
    assert.equal(record.status, 'done', record.lastError);
    assert.match(record.container?.copyBack ?? '', /^worktree copied back from volume sb-.*: 2 written or changed, 0 deleted$/);
    assert.equal(fs.statSync(path.join(work, 'z-big.bin')).size, 262144);
    assert.deepEqual(await volumesOf(h!.stateDir), []);
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });

  it('a container removed behind its back: the copy-back from a container made for it, held, is abandoned by a kill and that container goes too', async () => {
    await open(30_000);
    engine!.hold = true;
    const run = await h!.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: agent(60), backend: 'docker' });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && output(run.id).includes('written'), 30_000, 'the agent to write');
    await docker().call('DELETE', `/containers/${h!.registry.resolve(run.id)!.container!.id}?force=1`);
    await until(() => engine!.held.size === 1, 30_000, 'the copy-back to be held');
    const answer = await h!.registry.kill(run.id, { source: 'test', force: true });
    await assertAbandoned(run, answer, 'orphaned', 'ended');
  });

  it('a kill while the agent runs bounds the copy-back that follows: held past the grace time and a little more, it is abandoned, and the kill answers killed', async () => {
    await open(300);
    const run = await h!.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: agent(60), backend: 'docker' });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && output(run.id).includes('written'), 30_000, 'the agent to write');
    engine!.hold = true;
    const answer = await h!.registry.kill(run.id, { source: 'test' });
    // Answered by its supervisor once the run had ended (not given up on by the asker, which answers "running" for a container run).
    assert.deepEqual([answer.killed, answer.status, answer.finishing], [true, 'killed', undefined]);
    const volume = `sb-${run.id}-worktree`;
    const record = h!.registry.resolve(run.id)!;
    assert.equal(record.status, 'killed');
    assert.equal(record.container?.copyBack, `the copy-back of the worktree was stopped by a kill by test: the agent's work is still in the Docker volume ${volume}`);
    assert.deepEqual([engine!.held.size, engine!.heldEver], [0, 1], 'the held download was ended');
    assert.deepEqual(await containersOf(h!.stateDir), []);
    assert.deepEqual(await volumesOf(h!.stateDir), [volume]);
    assert.equal(fs.existsSync(path.join(work, 'z-big.bin')), false);
    assert.deepEqual(sbTemps(), []);
  });

  it('a kill while the agent runs is as it always was: the agent is killed, its partial work comes back, the volume goes', async () => {
    await open(1000);
    const run = await h!.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: agent(60), backend: 'docker' });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && output(run.id).includes('written'), 30_000, 'the agent to write');
    const answer = await h!.registry.kill(run.id, { source: 'test' });
    assert.deepEqual([answer.killed, answer.status, answer.finishing], [true, 'killed', undefined]);
    const record = h!.registry.resolve(run.id)!;
    assert.equal(record.status, 'killed');
    assert.match(record.container?.copyBack ?? '', /^worktree copied back from volume sb-.*: 2 written or changed, 0 deleted$/);
    assert.equal(fs.statSync(path.join(work, 'z-big.bin')).size, 262144);
    assert.deepEqual(await volumesOf(h!.stateDir), []);
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });
});
