/** Runs outlive the process that started them; any later process sees, streams, waits for and kills them. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StateMap } from '../../src/core/state/stateMap';
import { startTokenOf } from '../../src/core/proc/processTable';
import { readRecord, writeRecord } from '../../src/core/runs/recordFile';
import type { RunChange } from '../../src/core/registry/registry';
import type { RunRecord } from '../../src/core/runs/types';
import { CLI, createHarness, fakeCommand, pidAlive, ROOT, until, type Harness } from '../support/harness';

const run = promisify(execFile);

describe('runs across processes', function () {
  this.timeout(90_000);
  let h: Harness;
  beforeEach(async () => {
    h = await createHarness();
    // The CLI processes below start agents at the harness registries' priority: at the default lowest one a busy
    // machine starves an agent for seconds (its flood of output did not land within 5 s at load ~27).
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ agentNiceness: 0 }));
  });
  afterEach(async () => h.cleanup());

  const cli = (args: string[]) => run(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir } });

  it('a detached run survives its starter; a new process sees it grow, waits for it, and kills its tree', async () => {
    const seen: RunChange[] = [];
    h.registry.onDidChange((c) => seen.push(c));
    const { stdout } = await cli(['run', 'custom', 'detached job', '--detach', '--format', 'json', '--command', fakeCommand('--grandchild', '--flood', '50000', '--sleep', '60000')]);
    const started = JSON.parse(stdout) as RunRecord;
    // The starting CLI process has exited; the agent lives on.
    assert.ok(pidAlive(started.agent!.pid));
    // The registry that was already open noticed the new run by itself.
    await until(() => seen.some((c) => c.kind === 'added' && c.run.id === started.id), 5000, 'the added event');
    await until(() => h.registry.resolve(started.id).status === 'running', 5000, 'running');
    // A registry opened later re-adopts it: running, output streaming, killable.
    const later = await h.open();
    const adopted = later.resolve(started.id.slice(0, 4));
    assert.equal(adopted.status, 'running');
    await until(() => later.readOutput(started.id, { cursor: 0 }).size >= 50_000, 5000, 'the flood to land');
    const grandchild = Number(/grandchild (\d+)/.exec(later.tail(started.id, 1_000_000))?.[1]);
    assert.ok(grandchild > 0 && pidAlive(grandchild));
    const waiting = h.registry.wait(started.id, 20_000);
    const killed = await later.kill(started.id, { source: 'other process' });
    assert.equal(killed.status, 'killed');
    assert.equal((await waiting).record.status, 'killed');
    await until(() => !pidAlive(grandchild) && !pidAlive(started.agent!.pid), 5000, 'the tree to die');
  });

  it('the CLI of another process can stream a detached run to its end', async () => {
    const { stdout } = await cli(['run', 'custom', 'stream me', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '800')]);
    const id = (JSON.parse(stdout) as RunRecord).id;
    const logs = await cli(['logs', id, '--follow']);
    assert.equal(logs.stdout, 'stream me\n');
    const waited = await cli(['wait', id, '--format', 'json']);
    assert.equal(JSON.parse(waited.stdout).run.status, 'done');
  });

  it('a run whose supervisor and agent died unrecorded becomes orphaned on the next load', async () => {
    const started = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    h.registry.dispose();
    process.kill(started.supervisor!.pid, 'SIGKILL');
    process.kill(started.agent!.pid, 'SIGKILL');
    await until(() => !pidAlive(started.agent!.pid) && !pidAlive(started.supervisor!.pid), 5000, 'both to die');
    const later = await h.open();
    const record = later.resolve(started.id);
    assert.equal(record.status, 'orphaned');
    assert.match(record.lastError ?? '', /exit was not recorded/);
  });

  it('an agent that lost its supervisor is still listed running and can still be killed', async () => {
    const started = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '60000') });
    // Once the agent has said all it will say (an agent that writes after its supervisor died gets EPIPE).
    await until(() => h.registry.tail(started.id).includes('x\n'), 10_000, 'the agent output');
    process.kill(started.supervisor!.pid, 'SIGKILL');
    await until(() => !pidAlive(started.supervisor!.pid), 5000, 'the supervisor to die');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(h.registry.resolve(started.id).status, 'running');
    const result = await h.registry.kill(started.id, { source: 'test', force: true });
    assert.deepEqual([result.killed, result.status], [true, 'killed']);
    assert.equal(pidAlive(started.agent!.pid), false);
  });

  it('an agent that lost its supervisor is still stopped at its time limit, its whole tree', async () => {
    const started = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '60000'), limits: { timeoutMs: 4000 } });
    await until(() => /grandchild \d+/.test(h.registry.tail(started.id)), 10_000, 'the agent output');
    const grandchild = Number(/grandchild (\d+)/.exec(h.registry.tail(started.id))![1]);
    process.kill(started.supervisor!.pid, 'SIGKILL');
    await until(() => !pidAlive(started.supervisor!.pid), 5000, 'the supervisor to die');
    const { record } = await h.registry.wait(started.id, 20_000);
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'stopped at its time limit of 4s');
    assert.ok(record.endedAt! - record.startedAt! >= 4000, 'not before its limit');
    await until(() => !pidAlive(started.agent!.pid) && !pidAlive(grandchild), 5000, 'the tree to die');
  });

  it('an agent that lost its supervisor is stopped at its time limit even when its recorded start is in the future (the clock was set back)', async () => {
    const started = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000'), limits: { timeoutMs: 2000 } });
    process.kill(started.supervisor!.pid, 'SIGKILL');
    await until(() => !pidAlive(started.supervisor!.pid), 5000, 'the supervisor to die');
    // Its start as recorded under a clock an hour ahead of the one now.
    const paths = new StateMap(h.stateDir).run(started.id);
    const read = readRecord(paths);
    assert.equal(read.kind, 'ok');
    if (read.kind === 'ok') writeRecord(paths, { ...read.value, createdAt: read.value.createdAt + 3600_000, startedAt: read.value.startedAt! + 3600_000 });
    const { record, timedOut } = await h.registry.wait(started.id, 15_000);
    assert.equal(timedOut, false, 'stopped, not left to run for the hour the clock went back');
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'stopped at its time limit of 2s');
  });

  it('a pid reused by another process is never taken for ours', async () => {
    const stranger = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      const paths = new StateMap(h.stateDir).run('reused01');
      fs.mkdirSync(paths.dir, { recursive: true });
      const record: RunRecord = {
        version: 1, id: 'reused01', name: 'old-run', runner: 'custom', commandLine: ['x'], cwd: ROOT, prompt: 'x', status: 'running',
        agent: { pid: stranger.pid!, startToken: `${startTokenOf(stranger.pid!)}-but-older` },
        supervisor: { pid: stranger.pid!, startToken: 'not-this-one' },
        createdAt: Date.now() - 1000, startedAt: Date.now() - 1000, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0,
      };
      writeRecord(paths, record);
      const later = await h.open();
      assert.equal(later.resolve('reused01').status, 'orphaned');
      const result = await later.kill('reused01', { source: 'test', force: true });
      assert.equal(result.killed, false);
      assert.ok(pidAlive(stranger.pid!), 'the stranger was not signalled');
    } finally {
      stranger.kill('SIGKILL');
    }
  });

  it('a corrupt run record is set aside, the run listed as orphaned, and the reason given', async () => {
    const started = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand() });
    await h.registry.wait(started.id, 20_000);
    h.registry.dispose();
    const paths = new StateMap(h.stateDir).run(started.id);
    fs.writeFileSync(paths.record, '{"version":1,"id":');
    const later = await h.open();
    assert.equal(later.resolve(started.id).status, 'orphaned');
    assert.match(later.warnings.said.join('\n'), /was corrupt .* set aside as .*run\.json\.corrupt-/);
    const setAside = fs.readdirSync(paths.dir).filter((f) => f.startsWith('run.json.corrupt-'));
    assert.equal(setAside.length, 1);
    assert.equal(fs.readFileSync(path.join(paths.dir, setAside[0]!), 'utf8'), '{"version":1,"id":');
    assert.equal(readRecord(paths).kind, 'ok');
  });

  it('two processes starting 25 runs each into one state folder lose nothing', async () => {
    const starter = path.join(ROOT, 'test', 'fixtures', 'startMany.ts');
    const [a, b] = await Promise.all(
      ['a', 'b'].map((tag) => run(process.execPath, ['--import', 'tsx', starter, h.stateDir, '25', tag], { cwd: ROOT, maxBuffer: 1 << 20 })),
    );
    const ids = [...JSON.parse(a!.stdout), ...JSON.parse(b!.stdout)] as string[];
    assert.equal(new Set(ids).size, 50);
    await until(() => h.registry.list().filter((r) => r.status === 'done').length === 50, 30_000, 'all 50 runs done');
    const later = await h.open();
    assert.equal(later.list().length, 50);
    assert.ok(later.list().every((r) => r.status === 'done' && r.exitCode === 0));
    for (const r of later.list()) assert.equal(later.tail(r.id), `${r.name}\n`);
  });
});
