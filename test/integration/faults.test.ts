/**
 * The fault suite (issue 16): what a careful user's machine does to Switchboard, each found once and
 * kept fixed. A supervisor frozen with SIGSTOP: listing and status do not wait on it, kill kills the
 * run's tree itself, and once the supervisor goes on it records the run killed. Daemons an agent
 * started (left its session and its parentage) are killed with it. A live run whose record was
 * truncated or overwritten stays listed and controllable.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as assert from 'node:assert/strict';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { isSameProcessAlive, processesMarked } from '../../src/core/proc/processTable';
import { RUN_ID_ENV } from '../../src/core/runs/runMarker';
import { readRecord } from '../../src/core/runs/recordFile';
import { runCli } from '../support/cliChild';
import { CLI, createHarness, fakeCommand, pidAlive, supervisorHostPids, tempDir, until, type Harness } from '../support/harness';

/** A git repository with one commit, for runs with worktrees. */
function gitRepo(): string {
  const repo = tempDir();
  execFileSync('git', ['init', '-q', repo]);
  execFileSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'init']);
  return repo;
}

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

    // Another process lists, shows and kills it without waiting on the frozen supervisor, which would
    // never answer: the bounds tell that from a CLI slow to start on a loaded machine (1-7 s in CI).
    const ANSWERS_MS = 30_000;
    let t = Date.now();
    const list = await cli('list', '--format', 'json');
    assert.equal(list.code, 0, list.stderr);
    assert.ok(Date.now() - t < ANSWERS_MS, `list took ${Date.now() - t} ms`);
    assert.equal((JSON.parse(list.stdout) as { runs: RunRecord[] }).runs.find((r) => r.id === run.id)?.status, 'running');
    t = Date.now();
    assert.equal((await cli('status', 'stuck')).code, 0);
    assert.ok(Date.now() - t < ANSWERS_MS, `status took ${Date.now() - t} ms`);
    t = Date.now();
    const killed = await cli('kill', 'stuck');
    assert.equal(killed.code, 0, killed.stderr);
    assert.match(killed.stdout, /killed stuck/);
    assert.ok(Date.now() - t < ANSWERS_MS, `kill took ${Date.now() - t} ms`);
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

  it('kill stops the daemons an agent started, even those that left its session and parentage', async () => {
    const tag = String(300_000 + Math.floor(Math.random() * 99_999));
    // The double fork and setsid of a daemon: the inner sleep has neither the agent's session nor an ancestor in its tree.
    const command = `bash -c '(setsid bash -c "sleep ${tag}1 & wait" &); sleep ${tag}0' {prompt}`;
    const run = await h.registry.run({ runner: 'custom', prompt: 'daemonise', command });
    const sleeps = (): number[] =>
      fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n)).map(Number).filter((pid) => {
        try {
          return new RegExp(`^sleep\\x00${tag}[01]\\x00$`).test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
        } catch {
          return false;
        }
      });
    await until(() => sleeps().length === 2, 10_000, 'both sleeps to start');
    const before = sleeps();
    const killed = await h.registry.kill(run.id, { source: 'test' });
    assert.equal(killed.killed, true);
    await until(() => before.every((pid) => !pidAlive(pid)), 5000, `the sleeps ${before.join(', ')} to die`);
    assert.equal(h.registry.resolve(run.id).status, 'killed');
  });

  describe('a corrupt record', () => {
    const cli = (...args: string[]) => runCli(h.stateDir, args);
    const startLong = async (name: string): Promise<RunRecord> => {
      const started = await cli('run', 'custom', 'long job', '--detach', '--name', name, '--format', 'json', '--command', fakeCommand('--sleep', '120000'));
      assert.equal(started.code, 0, started.stderr);
      const run = JSON.parse(started.stdout) as RunRecord;
      await until(() => h.registry.resolve(run.id).status === 'running' && h.registry.resolve(run.id).agent !== undefined, 10_000, 'the run to start');
      return h.registry.resolve(run.id);
    };

    it('is written again by its supervisor: another process finds it by name and kills it', async () => {
      const run = await startLong('truncated');
      fs.truncateSync(new StateMap(h.stateDir).run(run.id).record, 17);
      const listed = await cli('list', '--format', 'json');
      assert.equal((JSON.parse(listed.stdout) as { runs: RunRecord[] }).runs.find((r) => r.id === run.id)?.status, 'running');
      const killed = await cli('kill', 'truncated');
      assert.equal(killed.code, 0, killed.stderr);
      assert.match(killed.stdout, /killed truncated/);
      await until(() => !pidAlive(run.agent!.pid), 5000, 'the agent to die');
      const final = JSON.parse((await cli('status', 'truncated', '--format', 'json')).stdout) as RunRecord;
      assert.equal(final.status, 'killed');
    });

    it('is rebuilt from its processes when its supervisor is gone: listed running, killed by id, settled once its agent is gone', async () => {
      const run = await startLong('garbled');
      process.kill(run.supervisor!.pid, 'SIGKILL');
      await until(() => !pidAlive(run.supervisor!.pid), 5000, 'the supervisor to die');
      assert.equal(pidAlive(run.agent!.pid), true, 'the agent outlives its supervisor');
      fs.writeFileSync(new StateMap(h.stateDir).run(run.id).record, '{"version":1,"id":"' + run.id + '","name":"garbled","runner":"custom","cwd":"/tm\0\0garbage');
      const listed = await cli('list', '--format', 'json');
      const row = (JSON.parse(listed.stdout) as { runs: RunRecord[] }).runs.find((r) => r.id === run.id);
      assert.equal(row?.status, 'running', JSON.stringify(row));
      assert.equal(row?.name, 'garbled');
      assert.equal(row?.agent?.pid, run.agent!.pid);
      const killed = await cli('kill', run.id);
      assert.equal(killed.code, 0, killed.stderr);
      await until(() => !pidAlive(run.agent!.pid), 5000, 'the agent to die');
      const final = JSON.parse((await cli('status', run.id, '--format', 'json')).stdout) as RunRecord;
      assert.equal(final.status, 'killed');
    });

    it('of a finished run is written again as it was last read (by any process: the record cache)', async () => {
      const run = await startLong('finished');
      await h.registry.kill(run.id, { source: 'test' });
      await until(() => h.registry.resolve(run.id).status === 'killed', 10_000, 'the run to end');
      assert.equal((await cli('list')).code, 0); // a process that reads it (and keeps it in the cache)
      fs.truncateSync(new StateMap(h.stateDir).run(run.id).record, 21);
      const final = JSON.parse((await cli('status', run.id, '--format', 'json')).stdout) as RunRecord;
      assert.equal(final.status, 'killed');
      assert.equal(final.name, 'finished');
      assert.equal(readRecord(new StateMap(h.stateDir).run(run.id)).kind, 'ok');
    });

    it('of a run whose processes are all gone, that no process knows, is settled as orphaned, its bytes set aside', async () => {
      const run = await startLong('gone');
      await h.registry.kill(run.id, { source: 'test' });
      await until(() => h.registry.resolve(run.id).status === 'killed', 10_000, 'the run to end');
      // No process that read it is left, and no cache of it: nothing knows what it was.
      h.switchboard.dispose();
      fs.rmSync(new StateMap(h.stateDir).runsCache, { force: true });
      fs.writeFileSync(new StateMap(h.stateDir).run(run.id).record, 'not json at all');
      const final = JSON.parse((await cli('status', run.id, '--format', 'json')).stdout) as RunRecord;
      assert.equal(final.status, 'orphaned');
      assert.match(final.lastError ?? '', /corrupt/);
      assert.ok(fs.readdirSync(new StateMap(h.stateDir).run(run.id).dir).some((f) => f.includes('.corrupt-')), 'the corrupt bytes are kept');
    });
  });

  it('a supervisor host killed at random moments of launches never leaves an agent untracked nor starts one twice', async function () {
    this.timeout(300_000);
    const hosts = (): number[] => supervisorHostPids(h.stateDir);
    const launches = 40;
    let adopted = 0;
    let failed = 0;
    for (let i = 0; i < launches; i++) {
      const starting = h.registry.run({ runner: 'custom', prompt: `launch ${i}`, command: fakeCommand('--sleep', '60000') }).then(
        (record) => record,
        (error: { details?: { id?: string } }) => error.details?.id,
      );
      await new Promise((r) => setTimeout(r, Math.random() * 400));
      for (const pid of hosts()) process.kill(pid, 'SIGKILL');
      const outcome = await starting;
      const id = typeof outcome === 'string' ? outcome : outcome?.id;
      assert.ok(id, `launch ${i} names its run`);
      await until(() => h.registry.resolve(id).status !== 'queued', 10_000, `launch ${i} to settle`);
      const record = h.registry.resolve(id);
      const alive = processesMarked(RUN_ID_ENV, id);
      if (record?.status === 'running') {
        // Tracked: its agent is the one alive, and only one was started; and the start said it runs.
        assert.notEqual(typeof outcome, 'string', `launch ${i} runs but was reported failed`);
        assert.equal(alive.filter((p) => p.pid === record.agent?.pid).length, 1, `launch ${i}: the recorded agent lives`);
        if (!record.supervisor || !isSameProcessAlive(record.supervisor)) adopted++;
        await h.registry.kill(id, { source: 'test' });
      } else {
        failed++;
        assert.equal(record?.status, 'failed', `launch ${i} is ${record?.status}: ${record?.lastError}`);
      }
      await until(() => processesMarked(RUN_ID_ENV, id).length === 0, 10_000, `launch ${i}: nothing of it to be left running`);
    }
    console.log(`      ${launches} launches: ${launches - failed} ran (${adopted} adopted without their supervisor), ${failed} failed cleanly, 0 untracked`);
  });

  it('a stopped shared supervisor host is passed over: another process starts its run on a host that answers', async () => {
    const cli = (...args: string[]) => runCli(h.stateDir, args);
    const first = JSON.parse((await cli('run', 'custom', 'first', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '60000'))).stdout) as RunRecord;
    await until(() => h.registry.resolve(first.id).supervisor !== undefined, 10_000, 'the first run to have its host');
    const host = h.registry.resolve(first.id).supervisor!.pid;
    process.kill(host, 'SIGSTOP');
    frozen = host;
    const started = await cli('run', 'custom', 'second', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '60000'));
    assert.equal(started.code, 0, started.stderr);
    const second = JSON.parse(started.stdout) as RunRecord;
    assert.equal(second.status, 'running');
    assert.notEqual(second.supervisor?.pid, host, 'not on the stopped host');
    process.kill(host, 'SIGCONT');
    frozen = undefined;
    await h.registry.kill(first.id, { source: 'test' });
    await h.registry.kill(second.id, { source: 'test' });
  });

  it('a record the folder refuses as the run ends (read-only for a while) is written once it can: the run never stays running, its host then leaves', async () => {
    // A folder of its own, without a registry that would read (and set aside) the record meanwhile.
    const home = tempDir();
    const env = { SWITCHBOARD_HOST_IDLE_MS: '300' };
    const started = await runCli(home, ['run', 'custom', 'short job', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '1200')], env);
    assert.equal(started.code, 0, started.stderr);
    const run = JSON.parse(started.stdout) as RunRecord;
    const paths = new StateMap(home).run(run.id);
    // run.json cannot be replaced for now (a folder stands in its place), as on a state folder remounted read-only.
    fs.rmSync(paths.record);
    fs.mkdirSync(path.join(paths.record, 'blocked'), { recursive: true });
    try {
      await until(() => !pidAlive(run.agent!.pid), 10_000, 'the agent to end');
      await new Promise((r) => setTimeout(r, 1500));
      assert.ok(pidAlive(run.supervisor!.pid), 'the host stays while the end of its run is known only to it');
    } finally {
      // The folder can be written again: the run's end reaches the disk by itself.
      fs.rmSync(paths.record, { recursive: true });
    }
    await until(() => {
      const read = readRecord(paths);
      return read.kind === 'ok' && read.value.status === 'done';
    }, 5000, 'the final record on disk');
    await until(() => !pidAlive(run.supervisor!.pid), 10_000, 'the host to leave');

    // A state folder removed while a run goes on: nowhere to write its end, and its host still leaves.
    const gone = tempDir();
    const doomed = JSON.parse((await runCli(gone, ['run', 'custom', 'short job', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '800')], env)).stdout) as RunRecord;
    fs.rmSync(gone, { recursive: true, force: true });
    await until(() => !pidAlive(doomed.supervisor!.pid), 10_000, 'the host of the removed folder to leave');
  });

  it('a TMPDIR that names a folder which is gone fails nothing: a run in a state folder whose sockets go to the temp folder, and the diff of a live worktree run', async () => {
    const env = { TMPDIR: path.join(tempDir(), 'gone'), SWITCHBOARD_HOST_IDLE_MS: '300' };
    // A path too long for a socket address: its sockets are made in the temp folder.
    const home = path.join(tempDir(), 'a-state-folder-with-a-long-name'.repeat(3));
    const ran = await runCli(home, ['run', 'custom', 'hello', '--format', 'json', '--command', fakeCommand()], env);
    assert.equal(ran.code, 0, ran.stderr);
    assert.equal((JSON.parse(ran.stdout) as RunRecord).status, 'done');

    const repo = gitRepo();
    const live = await runCli(home, ['run', 'custom', 'edit', '--worktree', '--detach', '--cwd', repo, '--command', `sh -c 'echo hi > new.txt; sleep 30' {prompt}`], env);
    assert.equal(live.code, 0, live.stderr);
    await until(() => fs.readdirSync(path.join(home, 'run-worktrees')).some((d) => fs.existsSync(path.join(home, 'run-worktrees', d, 'new.txt'))), 10_000, 'the agent to write');
    const diff = await runCli(home, ['diff', 'custom-2', '--stat'], env);
    assert.equal(diff.code, 0, diff.stderr);
    assert.match(diff.stdout, /new\.txt/);
    assert.equal((await runCli(home, ['kill', 'custom-2'], env)).code, 0);
  });

  it('a `run --worktree` killed (-9) before its run was recorded leaves no worktree nor branch once its start is clearly abandoned', async () => {
    const home = tempDir();
    const repo = gitRepo();
    const paths = new StateMap(home);
    // A setup that takes a while: the process is killed while the worktree is made and the run not yet recorded.
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ teams: { setup: 'sleep 2' } }));
    const starter = spawn(process.execPath, [CLI, 'run', 'custom', 'edit', '--worktree', '--cwd', repo, '--command', fakeCommand()], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: 'ignore' });
    await until(() => fs.existsSync(paths.runWorktrees) && fs.readdirSync(paths.runWorktrees).length === 1, 10_000, 'the worktree to be made');
    starter.kill('SIGKILL');
    const [id] = fs.readdirSync(paths.runWorktrees);
    assert.equal(fs.existsSync(paths.run(id!).record), false, 'killed before its record was written');
    assert.equal((await runCli(home, ['list'])).code, 0);
    assert.ok(fs.existsSync(paths.runWorktree(id!)), 'a start still under way is left alone');

    // Its folder was made longer ago than a start can take: the next process to open the folder takes the worktree and branch away.
    const past = (Date.now() - 11 * 60_000) / 1000;
    fs.utimesSync(paths.run(id!).dir, past, past);
    assert.equal((await runCli(home, ['list'])).code, 0);
    assert.equal(fs.existsSync(paths.runWorktree(id!)), false);
    assert.equal(fs.existsSync(paths.run(id!).dir), false);
    assert.equal(execFileSync('git', ['-C', repo, 'branch', '--list', 'switchboard/*'], { encoding: 'utf8' }), '');
    assert.match(execFileSync('git', ['-C', repo, 'worktree', 'list'], { encoding: 'utf8' }).trim(), /^\S+\s+\w+ \[\w+\]$/);
  });
});
