/**
 * What the CLI streams while runs and teams go on: `logs --follow --format json` as JSON lines the
 * moment each event or chunk is there, and `team run`'s progress on stderr.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import type { AgentEvent, RunRecord } from '../../src/core/runs/types';
import { makeRepo } from '../support/gitRepo';
import { CLI, ensureBuilt, FAKE_AGENT, fakeCommand, killEverything, ROOT, tempDir } from '../support/harness';
import { runCli } from '../support/cliChild';

interface Line {
  at: number;
  value: Record<string, unknown>;
}

/** Runs the CLI and notes when each line of its stdout arrived, parsed as JSON. */
function jsonLines(home: string, args: string[]): Promise<{ code: number | null; stderr: string; lines: Line[]; exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: Line[] = [];
    let partial = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const line of parts) lines.push({ at: Date.now(), value: JSON.parse(line) as Record<string, unknown> });
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => (partial ? reject(new Error(`an unfinished line: ${partial}`)) : resolve({ code, stderr, lines, exitedAt: Date.now() })));
  });
}

/** Raw-output chunks as JSON lines: they follow each other from byte 0, and together are the output. */
function assertChunks(lines: Line[], output: Buffer): void {
  let cursor = 0;
  for (const { value } of lines) {
    assert.deepEqual(Object.keys(value), ['cursor', 'next', 'data']);
    assert.equal(value.cursor, cursor);
    assert.equal(value.next, cursor + Buffer.byteLength(value.data as string));
    cursor = value.next as number;
  }
  assert.equal(lines.map((l) => l.value.data).join(''), output.toString('utf8'));
}

describe('CLI streaming', function () {
  this.timeout(120_000);
  let home: string;
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-cli-stream-')));
  afterEach(async () => killEverything(home));

  it('logs --follow --format json streams each parsed event as one JSON line as it comes, and logs --format json prints the same', async () => {
    const bin = path.join(tempDir(), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --lines 6 --every 300 "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } } }));
    const started = await runCli(home, ['run', 'claude', 'talk slowly', '--detach', '--format', 'json', '--cwd', tempDir()]);
    assert.equal(started.code, 0, started.stderr);
    const id = (JSON.parse(started.stdout) as RunRecord).id;
    const followed = await jsonLines(home, ['logs', id, '--follow', '--format', 'json']);
    assert.deepEqual([followed.code, followed.stderr], [0, '']);
    const events = followed.lines.map((l) => l.value as unknown as AgentEvent);
    assert.deepEqual(events.map((e) => e.seq), events.map((_, i) => i + 1), 'every event once, in order');
    assert.deepEqual(events.filter((e) => e.type === 'raw').map((e) => e.type === 'raw' && e.text), [1, 2, 3, 4, 5, 6].map((i) => `line ${i} of a busy agent`));
    for (const type of ['spawn', 'text', 'result', 'exit']) assert.ok(events.some((e) => e.type === type), type);
    // Streamed: the first line came while the agent still had seconds of lines to print.
    const exit = events.find((e) => e.type === 'exit')!;
    assert.ok(followed.lines[0]!.at < exit.ts - 1000, `the first line came ${exit.ts - followed.lines[0]!.at} ms before the agent exited`);
    assert.ok(followed.lines.at(-1)!.at - followed.lines[0]!.at > 1000, 'the lines came over time, not at the end');

    const after = await jsonLines(home, ['logs', id, '--format', 'json']);
    assert.deepEqual(after.lines.map((l) => l.value), events);
    const raw = await jsonLines(home, ['logs', id, '--raw', '--format', 'json']);
    assertChunks(raw.lines, fs.readFileSync(path.join(home, 'runs', id, 'output.log')));
  });

  it('logs --follow --format json of a plain-text run streams its output as {"cursor","next","data"} lines', async () => {
    const started = await runCli(home, ['run', 'custom', 'the end', '--detach', '--format', 'json', '--command', fakeCommand('--lines', '6', '--every', '300')]);
    const id = (JSON.parse(started.stdout) as RunRecord).id;
    const followed = await jsonLines(home, ['logs', id, '--follow', '--format', 'json']);
    assert.deepEqual([followed.code, followed.stderr], [0, '']);
    assert.ok(followed.lines.length >= 3, `${followed.lines.length} lines`);
    assert.ok(followed.lines.at(-1)!.at - followed.lines[0]!.at > 1000, 'the chunks came over time, not at the end');
    const output = fs.readFileSync(path.join(home, 'runs', id, 'output.log'));
    assert.match(output.toString(), /^line 1 of a busy agent\n[\s\S]*line 6 of a busy agent\nthe end\n$/);
    assertChunks(followed.lines, output);
    assertChunks((await jsonLines(home, ['logs', id, '--format', 'json'])).lines, output);
  });

  it('team run shows its progress on stderr, a plain line each time the counts change when stderr is not a terminal', async () => {
    const worker = `'${process.execPath}' '${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}' --sleep 400 {prompt}`;
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: worker } } }));
    const tasks = path.join(home, 'tasks.json');
    fs.writeFileSync(tasks, JSON.stringify([{ title: 'base' }, { title: 'left', depends_on: ['T1'] }, { title: 'right', depends_on: ['T1'] }]));
    const result = await runCli(home, ['team', 'run', '2:executor:custom', 'build it', '--name', 'alpha', '--tasks', tasks, '--cwd', makeRepo()]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^team alpha: done — build it\ntasks: 3 done\n/);
    assert.doesNotMatch(result.stderr, /\r|\x1b/, 'no terminal control sequences');
    const progress = result.stderr.split('\n').filter((l) => /^team alpha(?: \(\w+\))?: /.test(l));
    const shape = /^team alpha(?: \((\w+)\))?: (\d)\/3 done, (\d) running, (\d) failed · \$\d+\.\d{4} · \d+s$/;
    for (const line of progress) assert.match(line, shape);
    const counts = progress.map((l) => shape.exec(l)!.slice(2, 5).map(Number));
    assert.ok(counts.length >= 4, progress.join('\n'));
    assert.deepEqual(counts[0], [0, 1, 0], 'T1 runs first, alone');
    assert.ok(counts.some(([, running]) => running === 2), 'T2 and T3 run side by side');
    assert.deepEqual(counts.at(-1), [3, 0, 0]);
    assert.match(progress.at(-1)!, /^team alpha \(done\): 3\/3 done/);
    for (let i = 1; i < counts.length; i++) {
      assert.notEqual(progress[i]!.split(' · ')[0], progress[i - 1]!.split(' · ')[0], 'a line only when the counts (or the status) change');
      assert.ok(counts[i]![0]! >= counts[i - 1]![0]!, 'done only grows');
    }
  });
});
