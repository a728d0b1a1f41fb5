/** The registry with real processes: start, finish, fail, kill whole trees, steer, interrupt, bad input. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SwitchboardError } from '../../src/core/errors';
import type { RunRegistry } from '../../src/core/registry/registry';
import { StateMap } from '../../src/core/state/stateMap';
import { DEFAULT_CONFIG } from '../../src/core/config';
import { readRecord } from '../../src/core/runs/recordFile';
import { createHarness, fakeCommand, FAKE_AGENT, pidAlive, tempDir, until, type Harness } from '../support/harness';

const grandchildOf = (registry: RunRegistry, id: string): number => {
  const match = /grandchild (\d+)|"grandchild":(\d+)/.exec(registry.tail(id));
  return Number(match?.[1] ?? match?.[2]);
};

describe('process registry (real processes)', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h.cleanup());

  it('starts a run, returns its pid at once, and records it done with its whole output', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'hi there', command: fakeCommand('--sleep', '300') });
    assert.equal(run.status, 'running');
    assert.ok(run.agent && run.agent.pid > 0);
    assert.equal(run.name, 'custom-1');
    const { record, timedOut } = await h.registry.wait(run.id, 20_000);
    assert.equal(timedOut, false);
    assert.equal(record.status, 'done');
    assert.equal(record.exitCode, 0);
    assert.equal(h.registry.tail(run.id), 'hi there\n');
    assert.ok(record.startedAt && record.endedAt && record.endedAt >= record.startedAt);
  });

  it('records a non-zero exit as failed, with the last output line as the reason', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--exit', '3', '--stderr', 'boom: disk on fire') });
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.equal(record.status, 'failed');
    assert.equal(record.exitCode, 3);
    assert.match(record.lastError ?? '', /exited with code 3/);
  });

  it('a failed run\'s reason is its last line as a terminal shows it: no colour codes, a progress line\'s last drawing', async () => {
    // The fake agent prints its prompt: here a progress line redrawn, in colour.
    const printed = 'checking 1/2\rchecking 2/2 \x1b[31m\x1b[1mfailed\x1b[22m\x1b[39m: disk on fire\r';
    const run = await h.registry.run({ runner: 'custom', prompt: printed, command: fakeCommand('--exit', '3') });
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.equal(record.lastError, 'the agent exited with code 3: checking 2/2 failed: disk on fire');
  });

  it('wait times out with the run still running, and says so', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    const { record, timedOut } = await h.registry.wait(run.id, 200);
    assert.equal(timedOut, true);
    assert.equal(record.status, 'running');
  });

  it('kill takes down the whole tree, grandchild included; killing again is a clear no-op', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '60000') });
    await until(() => grandchildOf(h.registry, run.id) > 0, 10_000, 'the grandchild pid');
    const grandchild = grandchildOf(h.registry, run.id);
    assert.ok(pidAlive(grandchild));
    const result = await h.registry.kill(run.id, { source: 'test' });
    assert.deepEqual([result.killed, result.status, result.pid], [true, 'killed', run.agent!.pid]);
    assert.equal(pidAlive(run.agent!.pid), false);
    await until(() => !pidAlive(grandchild), 5000, 'the grandchild to die');
    const again = await h.registry.kill(run.id, { source: 'test' });
    assert.deepEqual([again.killed, again.status], [false, 'killed']);
    const events = h.registry.events(run.id);
    assert.ok(events.some((e) => e.type === 'control' && e.action === 'kill' && e.source === 'test'));
  });

  it('agents run at the lowest priority by default, so the editor stays responsive however busy they are; agentNiceness 0 runs them at normal priority', async () => {
    const AGENT_NICENESS = DEFAULT_CONFIG.agentNiceness;
    assert.equal(AGENT_NICENESS, 19);
    // The harness runs agents at normal priority (see createHarness): this registry has the default's.
    const lowest = await h.open({ agentNiceness: AGENT_NICENESS });
    const run = await lowest.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '60000') });
    await until(() => grandchildOf(lowest, run.id) > 0, 10_000, 'the grandchild pid');
    assert.equal(os.getPriority(run.agent!.pid), AGENT_NICENESS);
    assert.equal(os.getPriority(grandchildOf(lowest, run.id)), AGENT_NICENESS, 'what the agent starts inherits it');
    // Where Linux schedules each session as a group, the agent's session group is lowered too.
    const autogroup = `/proc/${run.agent!.pid}/autogroup`;
    if (fs.existsSync(autogroup)) assert.match(fs.readFileSync(autogroup, 'utf8'), new RegExp(`nice ${AGENT_NICENESS}\\b`));
    await lowest.kill(run.id, { source: 'test', force: true });
    // The agent starts already lowered: what it forks in its first instant (here at once) is lowered too.
    const instant = await lowest.run({ runner: 'custom', prompt: 'x', command: `/bin/sh -c "cat /proc/self/stat" {prompt}` });
    await lowest.wait(instant.id, 10_000);
    const stat = lowest.tail(instant.id);
    assert.equal(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]), AGENT_NICENESS, `niceness of a child forked at once: ${stat}`);
    const normal = await h.open({ agentNiceness: 0 });
    const plain = await normal.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    assert.equal(os.getPriority(plain.agent!.pid), os.getPriority(process.pid));
    await normal.kill(plain.id, { source: 'test', force: true });
  });

  it('a run killed while its live supervisor cannot be reached stays killed, whatever the supervisor records after', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    // The supervisor lives on, but no new connection reaches it (its socket is gone); the starter keeps its own.
    fs.rmSync(run.controlSocket!);
    const other = await h.open();
    assert.equal(other.resolve(run.id).status, 'running');
    const result = await other.kill(run.id, { source: 'test' });
    assert.deepEqual([result.killed, result.status], [true, 'killed']);
    assert.equal(pidAlive(run.agent!.pid), false);
    // The supervisor sees its agent end by SIGTERM, which it records as a failure; the starter hears of it.
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'killed by test');
    await new Promise((r) => setTimeout(r, 500)); // a few of the killer's attempts to reach the supervisor again
    assert.equal(other.resolve(run.id).status, 'killed');
    assert.equal(h.registry.resolve(run.id).status, 'killed');
    const onDisk = readRecord(new StateMap(h.stateDir).run(run.id));
    assert.deepEqual(onDisk.kind === 'ok' && [onDisk.value.status, onDisk.value.lastError], ['killed', 'killed by test']);
    const later = await h.open();
    assert.equal(later.resolve(run.id).status, 'killed');
  });

  it('an agent that ignores SIGINT and SIGTERM is SIGKILLed after the grace time', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--ignore-term', '--grandchild', '--sleep', '60000') });
    await until(() => grandchildOf(h.registry, run.id) > 0, 10_000, 'the grandchild pid');
    const started = Date.now();
    const result = await h.registry.kill(run.id, { source: 'test' });
    assert.equal(result.status, 'killed');
    const took = Date.now() - started;
    assert.ok(took >= 1400, 'the graceful signal was given its grace time');
    assert.ok(took < 2400, `SIGKILL came at the grace time (1.5 s), not a second after: ${took} ms`);
    assert.equal(pidAlive(run.agent!.pid), false);
    await until(() => !pidAlive(grandchildOf(h.registry, run.id)), 5000, 'the grandchild to die');
  });

  it('--force kills at once', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--ignore-term', '--sleep', '60000') });
    const started = Date.now();
    const result = await h.registry.kill(run.id, { source: 'test', force: true });
    assert.equal(result.status, 'killed');
    assert.ok(Date.now() - started < 1400);
  });

  it('steers Claude-style agents live on stdin and interrupts them through their protocol', async () => {
    const bin = path.join(tempDir(), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --stdin --sleep 1500 "$@"\n`, { mode: 0o755 });
    const registry = await h.open({ runners: { claude: { binary: bin } } });
    const run = await registry.run({ runner: 'claude', prompt: 'first task' });
    await until(() => registry.events(run.id).some((e) => e.type === 'text'), 10_000, 'the first text');
    const steer = await registry.steer(run.id, 'also do this', 'test');
    assert.equal(steer.delivery, 'live');
    const { record } = await registry.wait(run.id, 20_000);
    assert.equal(record.status, 'done');
    const texts = registry.events(run.id).filter((e) => e.type === 'text').map((e) => (e as { text: string }).text);
    assert.deepEqual(texts, ['ack: first task', 'ack: also do this']);
    assert.ok(registry.events(run.id).some((e) => e.type === 'steer' && e.message === 'also do this' && e.source === 'test'));
    assert.equal(record.usage.inputTokens, 200);
    assert.equal(record.usage.usdSource, 'reported');

    const second = await registry.run({ runner: 'claude', prompt: 'long task' });
    await until(() => registry.events(second.id).some((e) => e.type === 'text'), 10_000, 'the text');
    assert.deepEqual(await registry.interrupt(second.id, 'test'), { delivered: 'protocol' });
    const done = await registry.wait(second.id, 10_000);
    assert.equal(done.record.status, 'killed');
    assert.match(done.record.lastError ?? '', /interrupted by test/);
    assert.equal(done.record.exitCode, 0, 'the agent stopped on its own, without a signal');
  });

  it('stops a run at its hard limits: time, and tokens as the agent reports them; the record says which', async () => {
    const slow = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '60000'), limits: { timeoutMs: 400 } });
    const timed = await h.registry.wait(slow.id, 20_000);
    assert.equal(timed.record.status, 'killed');
    assert.match(timed.record.lastError ?? '', /^stopped at its time limit of 400 ms$/);
    assert.deepEqual(timed.record.limits, { timeoutMs: 400 });

    const bin = path.join(tempDir(), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --stdin --sleep 60000 "$@"\n`, { mode: 0o755 });
    const registry = await h.open({ runners: { claude: { binary: bin } } });
    const run = await registry.run({ runner: 'claude', prompt: 'a big task', limits: { maxTokens: 100 } });
    const { record } = await registry.wait(run.id, 20_000);
    assert.equal(record.status, 'killed');
    assert.match(record.lastError ?? '', /its token limit: it used \d+ tokens, over its 100/);
  });

  it('keeps multi-byte text whole when large records and events cross the control socket', async () => {
    const bin = path.join(tempDir(), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --stdin "$@"\n`, { mode: 0o755 });
    const registry = await h.open({ runners: { claude: { binary: bin } } });
    const text = '€ 漢字 🙂 '.repeat(40_000);
    const run = await registry.run({ runner: 'claude', prompt: text });
    const { record } = await registry.wait(run.id, 20_000);
    assert.equal(record.resultText, `done: ${text}`);
    const pushed = registry.events(run.id).find((e) => e.type === 'text');
    assert.equal(pushed?.type === 'text' && pushed.text, `ack: ${text}`);
  });

  it('refuses bad input with clear errors and records nothing', async () => {
    const cases: [Parameters<RunRegistry['run']>[0], string, RegExp][] = [
      [{ runner: 'nope', prompt: 'x' }, 'unknown_runner', /Unknown runner "nope"/],
      [{ runner: 'custom', prompt: '   ', command: 'echo' }, 'invalid_argument', /prompt is empty/],
      [{ runner: 'custom', prompt: 'x', command: 'echo', cwd: '/does/not/exist' }, 'bad_cwd', /does not exist/],
      [{ runner: 'custom', prompt: 'x', command: 'echo', cwd: FAKE_AGENT }, 'bad_cwd', /is not a folder/],
      [{ runner: 'custom', prompt: 'x' }, 'invalid_argument', /needs a command template/],
      [{ runner: 'custom', prompt: 'x', command: 'no-such-binary-anywhere {prompt}' }, 'runner_not_installed', /"no-such-binary-anywhere" was not found \(looked in /],
    ];
    for (const [options, code, message] of cases) {
      await assert.rejects(h.registry.run(options), (e: SwitchboardError) => e.code === code && message.test(e.message));
    }
    const env = { PATH: '/nonexistent-bin' };
    const noClaude = await h.open({}, env);
    await assert.rejects(noClaude.run({ runner: 'claude', prompt: 'x' }), (e: SwitchboardError) =>
      e.code === 'runner_not_installed' && /"claude" was not found \(looked in \/nonexistent-bin\)/.test(e.message) && /npm install -g @anthropic-ai\/claude-code/.test(e.hint ?? ''));
    assert.equal(h.registry.list().length, 0);
    assert.throws(() => h.registry.resolve('nothing'), /No run is called "nothing"/);
  });

  it('a prompt too long for a command line is refused saying what to do; a long one that fits is kept whole in the agent, clipped in the record', async () => {
    const huge = 'x'.repeat(200 * 1024);
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: huge, command: fakeCommand() }), (e: SwitchboardError) => /too long for Custom command, which takes it as one command-line argument: 200 KiB, over the 128 KiB/.test(e.message) && /in a file/.test(e.hint ?? ''));
    assert.equal(h.registry.list().length, 0, 'nothing recorded');
    const long = 'y'.repeat(100 * 1024);
    const run = await h.registry.run({ runner: 'custom', prompt: long, command: fakeCommand() });
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.equal(record.status, 'done');
    assert.equal(h.registry.tail(run.id, 200 * 1024).trim().length, long.length, 'the agent got all of it');
    assert.ok(JSON.stringify(record).length < 10_000, `the record stays small: ${JSON.stringify(record).length} bytes`);
    assert.match(record.commandLine.at(-1)!, /^y{2000}… \[100400 more characters\]$/);
    const whole = h.registry.runPaths(run.id).prompt;
    assert.equal(record.prompt, `${'y'.repeat(2000)}… [100400 more characters] (the whole prompt: ${whole})`);
    assert.equal(fs.readFileSync(whole, 'utf8'), long);
  });

  it('custom runs cannot be steered, and say what to do instead', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    await assert.rejects(h.registry.steer(run.id, 'change course', 'test'), (e: SwitchboardError) => e.code === 'not_steerable' && /cannot be steered/.test(e.message));
    await h.registry.kill(run.id, { source: 'test', force: true });
    await assert.rejects(h.registry.steer(run.id, 'too late', 'test'), (e: SwitchboardError) => e.code === 'not_running');
  });

  it('a running name cannot be taken twice; a finished one can be reused', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', name: 'builder', command: fakeCommand('--sleep', '60000') });
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'y', name: 'builder', command: fakeCommand() }), (e: SwitchboardError) => e.code === 'name_taken');
    await h.registry.kill(run.id, { source: 'test', force: true });
    const next = await h.registry.run({ runner: 'custom', prompt: 'y', name: 'builder', command: fakeCommand() });
    assert.equal(h.registry.resolve('builder').id, next.id);
  });

  it('a garbled name claim holds nothing (the name is taken over); a folder in its place is said, with what to do', async () => {
    const state = new StateMap(h.stateDir);
    fs.mkdirSync(path.dirname(state.nameClaim('x')), { recursive: true });
    fs.writeFileSync(state.nameClaim('builder'), 'not/a\\run');
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', name: 'builder', command: fakeCommand() });
    assert.equal(fs.readFileSync(state.nameClaim('builder'), 'utf8'), run.id);
    fs.mkdirSync(state.nameClaim('other'));
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'y', name: 'other', command: fakeCommand() }), (e: SwitchboardError) => /names\/other is a folder where Switchboard keeps a file/.test(e.message) && /Move that folder away/.test(e.hint ?? ''));
  });

  it('files put in the runs folder (a .DS_Store, a stray copy) are no runs: the folder opens and lists its runs alone', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand() });
    await h.registry.wait(run.id, 20_000);
    fs.writeFileSync(path.join(h.stateDir, 'runs', 'stray.json'), '{}');
    fs.writeFileSync(path.join(h.stateDir, 'runs', '.DS_Store'), 'x');
    const other = await h.open();
    assert.deepEqual(other.list().map((r) => r.id), [run.id]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.deepEqual(h.registry.list().map((r) => r.id), [run.id], 'nor does a process watching the folder take one for a run starting');
    // The harness's cleanup reads every folder of runs/ as a run's.
    for (const name of ['stray.json', '.DS_Store']) fs.rmSync(path.join(h.stateDir, 'runs', name));
  });

  it('a folder made where a finished run\'s record belongs blocks nothing: the folder is set aside whole and the record written again', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', name: 'recorded', command: fakeCommand() });
    await h.registry.wait(run.id, 20_000);
    // A process that opened the folder since keeps what it read of the finished run for the next (runs-cache.json).
    await h.open();
    const record = new StateMap(h.stateDir).run(run.id).record;
    fs.rmSync(record);
    fs.mkdirSync(record);
    fs.writeFileSync(path.join(record, 'kept.txt'), 'mine');
    const other = await h.open();
    assert.deepEqual(other.list().map((r) => [r.id, r.name, r.status]), [[run.id, 'recorded', 'done']]);
    // Its record is read when it is asked for whole.
    assert.equal(other.resolve('recorded').prompt, 'x');
    assert.equal(JSON.parse(fs.readFileSync(record, 'utf8')).status, 'done');
    const aside = fs.readdirSync(path.dirname(record)).find((name) => name.startsWith('run.json.corrupt-'))!;
    assert.equal(fs.readFileSync(path.join(path.dirname(record), aside, 'kept.txt'), 'utf8'), 'mine');
  });

  it('a folder where the hosts\' log belongs is said, with what to do, when a host is to be started', async () => {
    fs.mkdirSync(new StateMap(h.stateDir).supervisorLog);
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand() }), (e: SwitchboardError) =>
      e.code === 'spawn_failed' && /supervisor\.log is a folder where Switchboard keeps a file/.test(e.message) && /Move that folder away/.test(e.hint ?? ''));
  });

  it('retention removes old finished runs and their logs, never a running one', async () => {
    const done = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand() });
    await h.registry.wait(done.id, 20_000);
    const running = await h.registry.run({ runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '60000') });
    const removed = h.registry.applyRetention(Date.now() + 10 * 365 * 24 * 3600_000);
    assert.equal(removed, 1);
    assert.deepEqual(h.registry.list().map((r) => r.id), [running.id]);
    assert.equal(fs.existsSync(path.join(h.stateDir, 'runs', done.id)), false);
  });
});
