/**
 * Gates as real processes: a pass, a failure (exit code, tails, the log file), a timeout that kills
 * a tree whose grandchild left the group, a missing command, a cancel; breakers that open after
 * failures and then fail fast without running, told in the feed; and two processes sharing one
 * breakers file under its lock.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Feed } from '../../src/core/feed/feed';
import { Breakers } from '../../src/core/gates/breakers';
import { runGate } from '../../src/core/gates/runGate';
import { runGates } from '../../src/core/gates/runGates';
import { StateMap } from '../../src/core/state/stateMap';
import { pidAlive, ROOT, tempDir, until } from '../support/harness';

const node = (code: string): string[] => [process.execPath, '-e', code];

/** A gate that starts a child, which starts a grandchild in a session of its own; each writes its pid, then all sleep. */
const TREE = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [pids, level] = [process.argv[2], Number(process.argv[3])];
fs.appendFileSync(pids, process.pid + '\\n');
if (level < 2) spawn(process.execPath, [__filename, pids, String(level + 1)], { stdio: 'ignore', detached: level === 1 });
setInterval(() => {}, 1000);
`;

describe('gates', function () {
  this.timeout(60_000);
  let dir: string;
  let logs: string;
  beforeEach(() => {
    dir = tempDir('sb-gates-');
    logs = path.join(dir, 'logs');
  });

  it('a passing gate: exit 0, its output in the tails and the log file (owner-only)', async () => {
    const logFile = path.join(logs, 'ok.log');
    const r = await runGate({ name: 'ok', command: node('console.log("all good"); console.error("a warning")') }, { cwd: dir, logFile });
    assert.deepEqual([r.passed, r.exitCode, r.timedOut, r.required, r.stdout, r.stderr, r.log], [true, 0, false, true, 'all good\n', 'a warning\n', logFile]);
    assert.deepEqual(r.commandLine, node('console.log("all good"); console.error("a warning")'));
    assert.ok(r.durationMs > 0);
    assert.equal(fs.readFileSync(logFile, 'utf8').split('\n').sort().join('\n'), ['', 'a warning', 'all good'].join('\n'));
    assert.equal(fs.statSync(logFile).mode & 0o777, 0o600);
    assert.equal(fs.statSync(logs).mode & 0o777, 0o700);
  });

  it('a failing gate: its exit code, the last 4 KB of each stream with secrets redacted, the whole output in its log', async () => {
    const logFile = path.join(logs, 'fail.log');
    const code = `for (let i = 0; i < 2000; i++) console.log('out line ' + i); console.error('using ' + process.env.API_TOKEN); console.error('boom'); process.exitCode = 3`;
    const r = await runGate({ name: 'fail', command: node(code), required: false }, { cwd: dir, logFile, env: { ...process.env, API_TOKEN: 'tok-1234567890-secret' } });
    assert.deepEqual([r.passed, r.exitCode, r.timedOut, r.required], [false, 3, false, false]);
    assert.ok(r.stdout.length <= 4096 && r.stdout.endsWith('out line 1999\n') && !r.stdout.includes('out line 1000\n'), r.stdout.slice(0, 80));
    assert.equal(r.stderr, 'using <<REDACTED_SECRET_1>>\nboom\n');
    const log = fs.readFileSync(logFile, 'utf8');
    assert.ok(log.includes('out line 0\n') && log.includes('out line 1999\n') && log.includes('boom\n'));
    assert.ok(log.includes('tok-1234567890-secret'), 'the log keeps the bytes as printed (it is owner-only)');
  });

  it('a timeout kills the whole tree, a grandchild in a session of its own too', async () => {
    const pids = path.join(dir, 'pids');
    const script = path.join(dir, 'tree.js');
    fs.writeFileSync(script, TREE);
    const r = await runGate({ name: 'slow', command: [process.execPath, script, pids, '0'], timeoutMs: 1500 }, { cwd: dir, logFile: path.join(logs, 'slow.log'), killGraceMs: 500 });
    const started = fs.readFileSync(pids, 'utf8').trim().split('\n').map(Number);
    assert.equal(started.length, 3, 'the gate, its child and its grandchild ran');
    assert.deepEqual([r.passed, r.timedOut, r.exitCode], [false, true, null]);
    assert.match(r.stderr, /switchboard: timed out after 1\.5 s; its processes were killed/);
    assert.ok(r.durationMs >= 1500 && r.durationMs < 10_000, String(r.durationMs));
    await until(() => started.every((pid) => !pidAlive(pid)), 5000, 'every process of the gate to be gone');
  });

  it('a command that does not exist is a failed gate that says so; so is a folder that does not', async () => {
    const r = await runGate({ name: 'missing', command: 'sb-no-such-command --flag' }, { cwd: dir, logFile: path.join(logs, 'missing.log') });
    assert.deepEqual([r.passed, r.exitCode, r.timedOut, r.commandLine], [false, null, false, ['sb-no-such-command', '--flag']]);
    assert.equal(r.stderr, 'switchboard: cannot run sb-no-such-command: command not found (is it installed, and on PATH?)\n');
    assert.equal(fs.readFileSync(r.log, 'utf8'), r.stderr);
    const nowhere = await runGate({ name: 'x', command: 'true' }, { cwd: path.join(dir, 'nope'), logFile: path.join(logs, 'x.log') });
    assert.match(nowhere.stderr, /the folder .*nope does not exist/);
  });

  it('aborting kills a running gate', async () => {
    const abort = new AbortController();
    const pidFile = path.join(dir, 'pid');
    const running = runGate({ name: 'long', command: node(`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000)`) }, { cwd: dir, logFile: path.join(logs, 'long.log'), signal: abort.signal });
    await until(() => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== '', 10_000, 'the gate to start');
    abort.abort();
    const r = await running;
    assert.deepEqual([r.passed, r.timedOut, r.exitCode], [false, false, null]);
    assert.match(r.stderr, /cancelled; its processes were killed/);
    assert.equal(pidAlive(Number(fs.readFileSync(pidFile, 'utf8'))), false);
  });

  it('a breaker opens after 5 failures in a row, then fails the gate without running it, until it is half-open', async () => {
    const stateDir = tempDir('sb-gates-state-');
    const marker = path.join(dir, 'ran');
    const feed = new Feed(new StateMap(stateDir));
    let now = Date.now();
    const spec = { name: 'flaky', command: node(`require('fs').appendFileSync(${JSON.stringify(marker)}, 'x'); process.exit(1)`) };
    const options = { stateDir, workspace: dir, feed, clock: () => now };
    try {
      for (let i = 0; i < 5; i++) assert.equal((await runGates([spec], options))[0]!.exitCode, 1);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'xxxxx');
      const [fast] = await runGates([spec], options);
      assert.deepEqual([fast!.passed, fast!.exitCode, fast!.durationMs, fast!.log], [false, null, 0, '']);
      assert.match(fast!.stderr, /^switchboard: breaker open: 5 failure\(s\) in a row/);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'xxxxx', 'nothing ran');

      now += 60_000;
      const [trial] = await runGates([{ ...spec, command: node(`require('fs').appendFileSync(${JSON.stringify(marker)}, 'y')`) }], options);
      assert.equal(trial!.passed, true);
      assert.equal(fs.readFileSync(marker, 'utf8'), 'xxxxxy', 'half-open, a trial ran, and passed');
      assert.equal(new Breakers(stateDir, dir).view('flaky')?.state, 'Closed');

      const types = feed.read().events.map((e) => e.type);
      assert.deepEqual(types, ['gate.failed', 'gate.failed', 'gate.failed', 'gate.failed', 'gate.failed', 'breaker.opened', 'gate.failed', 'gate.passed']);
      const logsDir = new Breakers(stateDir, dir).paths.logs;
      assert.equal(fs.readdirSync(logsDir).length, 6, 'one log per run, in the state folder by default');
      assert.equal(fs.statSync(logsDir).mode & 0o777, 0o700);
    } finally {
      feed.dispose();
    }
  });

  it('two processes record into one breakers file without losing a change', async () => {
    const stateDir = tempDir('sb-gates-state-');
    const code = `const { Breakers } = require(${JSON.stringify(path.join(ROOT, 'src/core/gates/breakers.ts'))});
      const b = new Breakers(process.argv[1], process.argv[2], { policy: { failureThreshold: 1000 } });
      for (let i = 0; i < 40; i++) b.record('shared', false);`;
    const run = () => promisify(execFile)(process.execPath, ['--require', 'tsx/cjs', '-e', code, stateDir, dir], { cwd: ROOT });
    await Promise.all([run(), run(), run()]);
    assert.equal(new Breakers(stateDir, dir).view('shared')?.failureCount, 120);
  });
});
