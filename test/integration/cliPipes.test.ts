/**
 * The CLI's stdout as a pipe: every byte reaches a slow reader before the process exits (the run's
 * output.log, byte for byte; a structured runner's readable text, as `> file` writes it), and a
 * reader that goes early (`| head`) ends it quietly.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { RunRecord } from '../../src/core/runs/types';
import { CLI, ensureBuilt, FAKE_AGENT, fakeCommand, killEverything, tempDir } from '../support/harness';
import { runCli } from '../support/cliChild';

const MB = 1024 * 1024;

/** A reader that takes its time over each chunk, then says how many bytes it read and their sha256. */
const SLOW_READER = `
const hash = require('node:crypto').createHash('sha256');
let bytes = 0;
process.stdin.on('data', (chunk) => {
  bytes += chunk.length;
  hash.update(chunk);
  process.stdin.pause();
  setTimeout(() => process.stdin.resume(), 1);
});
process.stdin.on('end', () => process.stdout.write(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
`;

interface Piped {
  code: number | null;
  stderr: string;
  reader: string;
  ms: number;
  /** The most memory the CLI process was seen to hold (resident, MB). */
  peakMb: number;
}

function residentMb(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** `switchboard <args> | <reader>`, the CLI's stdout a real pipe into the reader's stdin. */
function pipeInto(home: string, args: string[], reader: [string, string[]]): Promise<Piped> {
  const started = Date.now();
  const sink = spawn(reader[0], reader[1], { stdio: ['pipe', 'pipe', 'inherit'] });
  const cli = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', sink.stdin, 'pipe'] });
  // The pipe's write end is the CLI's alone: the reader sees its end when the CLI's goes.
  sink.stdin.destroy();
  let stderr = '';
  let read = '';
  cli.stderr.on('data', (d) => (stderr += d));
  sink.stdout.on('data', (d) => (read += d));
  let peakMb = 0;
  const sampler = setInterval(() => (peakMb = Math.max(peakMb, residentMb(cli.pid!))), 20);
  const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve)).finally(() => clearInterval(sampler));
  const drained = new Promise<void>((resolve) => sink.once('close', () => resolve()));
  return Promise.all([exited, drained]).then(([code]) => ({ code, stderr, reader: read, ms: Date.now() - started, peakMb }));
}

/** `switchboard <args> > file`: stdout a file, not a pipe. */
async function intoFile(home: string, args: string[], file: string): Promise<{ code: number | null; stderr: string }> {
  const fd = fs.openSync(file, 'w');
  try {
    const cli = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', fd, 'pipe'] });
    let stderr = '';
    cli.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => cli.once('exit', resolve));
    return { code, stderr };
  } finally {
    fs.closeSync(fd);
  }
}

function fileDigest(file: string): { bytes: number; sha256: string } {
  const hash = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(4 * MB);
  let bytes = 0;
  try {
    for (let n = fs.readSync(fd, buffer); n > 0; n = fs.readSync(fd, buffer)) {
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  return { bytes, sha256: hash.digest('hex') };
}

describe('CLI output through pipes', function () {
  this.timeout(180_000);
  let home: string;
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-cli-pipe-')));
  afterEach(async () => killEverything(home));

  const start = async (name: string, ...agentArgs: string[]): Promise<RunRecord> => {
    const started = await runCli(home, ['run', 'custom', name, '--detach', '--name', name, '--format', 'json', '--command', fakeCommand(...agentArgs)]);
    assert.equal(started.code, 0, started.stderr);
    return JSON.parse(started.stdout) as RunRecord;
  };

  it('logs and logs --raw give a slow reader all 50 MB of the output, as a follower does while it is written', async () => {
    // 50 MB at once, then lines for a second: the follower starts while the run still writes.
    const run = await start('flood', '--flood', String(50 * MB), '--lines', '20', '--every', '50');
    // Following while the agent still writes, then the whole log once the run has ended.
    const followed = await pipeInto(home, ['logs', run.id, '--follow'], [process.execPath, ['-e', SLOW_READER]]);
    assert.equal((await runCli(home, ['wait', run.id])).code, 0);
    const expected = fileDigest(path.join(home, 'runs', run.id, 'output.log'));
    assert.equal(expected.bytes, 50 * MB + 20 * 'line 10 of a busy agent\n'.length - 9 + 'flood\n'.length);
    for (const [args, piped] of [
      [['logs', run.id, '--follow'], followed],
      [['logs', run.id], await pipeInto(home, ['logs', run.id], [process.execPath, ['-e', SLOW_READER]])],
      [['logs', run.id, '--raw'], await pipeInto(home, ['logs', run.id, '--raw'], [process.execPath, ['-e', SLOW_READER]])],
    ] as const) {
      assert.deepEqual([piped.code, piped.stderr], [0, ''], args.join(' '));
      assert.deepEqual(JSON.parse(piped.reader), expected, args.join(' '));
      console.log(`      switchboard ${args.join(' ').replace(run.id, '<id>')} | slow reader: ${JSON.parse(piped.reader).bytes} bytes of ${expected.bytes} in ${piped.ms} ms, at most ${piped.peakMb.toFixed(0)} MB resident`);
      // A loose bound (Node alone holds ~80 MB): the output is never all in memory at once, let alone as text.
      assert.ok(piped.peakMb < 200, `the CLI held ${piped.peakMb} MB`);
    }
  });

  it('logs of a structured runner (Claude\'s stream-json) gives a slow reader all the readable text of a 50 MB session, as > file writes it, also while following', async () => {
    const bin = path.join(tempDir(), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --flood ${50 * MB} "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } } }));
    const started = await runCli(home, ['run', 'claude', 'a long session', '--detach', '--format', 'json', '--cwd', tempDir()]);
    assert.equal(started.code, 0, started.stderr);
    const run = JSON.parse(started.stdout) as RunRecord;
    const followed = await pipeInto(home, ['logs', run.id, '--follow'], [process.execPath, ['-e', SLOW_READER]]);
    assert.equal((await runCli(home, ['wait', run.id])).code, 0);
    const output = fs.readFileSync(path.join(home, 'runs', run.id, 'output.log'), 'utf8');
    assert.ok(output.length >= 50 * MB);
    const messages = output.split('\n').filter((line) => line.includes('"text":"message ')).length;
    // The readable text, written to a file: every message of the session, in order.
    const file = path.join(tempDir(), 'readable.txt');
    assert.deepEqual(await intoFile(home, ['logs', run.id], file), { code: 0, stderr: '' });
    const text = fs.readFileSync(file, 'utf8');
    const numbers = [...text.matchAll(/^message (\d+): /gm)].map((m) => Number(m[1]));
    assert.ok(messages > 10_000, `${messages} messages`);
    assert.deepEqual([numbers.length, numbers[0], numbers.at(-1)], [messages, 1, messages]);
    const expected = fileDigest(file);
    for (const [args, piped] of [
      [['logs', run.id, '--follow'], followed],
      [['logs', run.id], await pipeInto(home, ['logs', run.id], [process.execPath, ['-e', SLOW_READER]])],
    ] as const) {
      assert.deepEqual([piped.code, piped.stderr], [0, ''], args.join(' '));
      assert.deepEqual(JSON.parse(piped.reader), expected, args.join(' '));
      console.log(`      switchboard ${args.join(' ').replace(run.id, '<id>')} | slow reader: ${JSON.parse(piped.reader).bytes} readable bytes of a ${output.length}-byte session in ${piped.ms} ms, at most ${piped.peakMb.toFixed(0)} MB resident`);
      // Parsed events are garbage a batch at a time (~110-180 MB seen); the whole session parsed at once held over 350 MB.
      assert.ok(piped.peakMb < 250, `the CLI held ${piped.peakMb} MB`);
    }
  });

  it('a reader that closes early ends logs quietly, with exit 0, also while following a run that goes on', async () => {
    const done = await start('done', '--flood', String(5 * MB));
    assert.equal((await runCli(home, ['wait', done.id])).code, 0);
    for (const args of [['logs', done.id], ['logs', done.id, '--raw'], ['logs', done.id, '--format', 'json']]) {
      const piped = await pipeInto(home, args, ['head', ['-c', '100']]);
      assert.deepEqual([piped.code, piped.stderr, piped.reader.length], [0, '', 100], args.join(' '));
    }
    // A run that prints for a minute: the follower learns at its next write that nobody reads.
    const busy = await start('busy', '--lines', '3000', '--every', '20');
    const piped = await pipeInto(home, ['logs', busy.id, '--follow'], ['head', ['-n', '2']]);
    assert.deepEqual([piped.code, piped.stderr, piped.reader], [0, '', 'line 1 of a busy agent\nline 2 of a busy agent\n']);
    assert.ok(piped.ms < 20_000, `it took ${piped.ms} ms`);
    assert.match((await runCli(home, ['status', busy.id])).stdout, /status:\s+running/);
    // Every command, not just logs: a foreground run goes on when its reader goes, and says so.
    const foreground = await pipeInto(home, ['run', 'custom', 'fg', '--name', 'fg', '--command', fakeCommand('--lines', '3000', '--every', '20')], ['head', ['-n', '1']]);
    assert.equal(foreground.code, 0);
    assert.match(foreground.stderr, /started fg .*\nfg \(\w+\) goes on; switchboard logs fg --follow shows it\n$/s);
    assert.doesNotMatch(foreground.stderr, /EPIPE|Error|at /);
  });
});
