/**
 * `switchboard events`: the live feed as a person and a program read it, from another process than
 * the ones making the changes: every change in order, filtered by type, streamed while following; a
 * run killed from outside its supervisor told killed, once.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import type { FeedEvent } from '../../src/core/feed/feedEvent';
import { writeKillMarker } from '../../src/core/runs/killMarker';
import { readRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { CLI, ensureBuilt, fakeCommand, killEverything, tempDir, until } from '../support/harness';

const parse = (stdout: string): FeedEvent[] => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as FeedEvent);

describe('switchboard events', function () {
  this.timeout(60_000);
  let home: string;
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-events-')));
  afterEach(async () => killEverything(home));

  it('prints every change so far in order, as a table or as JSON lines, filtered by type and cursor', async () => {
    assert.equal((await runCli(home, ['run', 'custom', 'one', '--command', fakeCommand()])).code, 0);
    assert.equal((await runCli(home, ['run', 'custom', 'two', '--command', fakeCommand('--exit', '3')])).code, 1);
    const all = parse((await runCli(home, ['events', '--format', 'json'])).stdout);
    assert.deepEqual(all.map((e) => e.seq), all.map((_, i) => i + 1), 'numbered 1, 2, 3… in order');
    assert.deepEqual(all.filter((e) => e.type.startsWith('agent.')).map((e) => e.type), ['agent.started', 'agent.completed', 'agent.started', 'agent.failed']);
    assert.ok(all.some((e) => e.type === 'pool.admitted'));
    const failed = all.find((e) => e.type === 'agent.failed')!;
    assert.match(JSON.stringify(failed.entity), /"status":"failed"/);

    const table = await runCli(home, ['events', '--type', 'agent.failed']);
    assert.equal(table.code, 0);
    assert.match(table.stdout.trim(), /^\s*\d+ {2}\d\d:\d\d:\d\d\.\d{3} {2}agent\.failed\s+custom-2 \(\w+, custom\) failed/);
    const since = parse((await runCli(home, ['events', '--since', String(all.at(-2)!.seq), '--format', 'json'])).stdout);
    assert.deepEqual(since.map((e) => e.seq), [all.at(-1)!.seq]);
    assert.equal((await runCli(home, ['events', '--type', 'agent'])).stdout.trim().split('\n').length, 4);

    const bad = await runCli(home, ['events', '--type', 'agents']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown --type "agents"; types: agent\.started/);
    assert.equal((await runCli(home, ['events', '--since', 'yesterday'])).code, 2);
  });

  it('skips and counts a line torn by a writer that died, and goes on', async () => {
    assert.equal((await runCli(home, ['run', 'custom', 'one', '--command', fakeCommand()])).code, 0);
    fs.appendFileSync(new StateMap(home).feedJournal, '{"v":1,"seq":99,"ty');
    assert.equal((await runCli(home, ['run', 'custom', 'two', '--command', fakeCommand()])).code, 0);
    const read = await runCli(home, ['events', '--format', 'json']);
    assert.equal(read.code, 0);
    const seqs = parse(read.stdout).map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => i + 1));
    assert.match(read.stderr, /1 damaged line\(s\) of the journal were skipped/);
  });

  it('a run killed by a process that could not reach its supervisor is told killed, once, not failed', async () => {
    const run = await runCli(home, ['run', 'custom', 'slow', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '30000')]);
    const { id } = JSON.parse(run.stdout) as { id: string };
    const paths = new StateMap(home).run(id);
    await until(() => readRecord(paths).kind === 'ok' && !!(readRecord(paths) as { value: RunRecord }).value.agent, 10_000, 'the agent to start');
    const agent = (readRecord(paths) as { value: RunRecord }).value.agent!;
    // As a kill from a process whose supervisor would not answer: the marker first, then the signal to the agent.
    writeKillMarker(paths, 'killed by mcp:elsewhere');
    process.kill(agent.pid, 'SIGTERM');
    const ended = /^agent\.(completed|failed|killed|orphaned)$/;
    // The journal is read as it is written, until the run's end is in it.
    await until(() => parse(fs.readFileSync(new StateMap(home).feedJournal, 'utf8')).some((e) => e.key === `run:${id}` && ended.test(e.type)), 20_000, 'the end to be told');
    await new Promise((resolve) => setTimeout(resolve, 500));
    const record = (readRecord(paths) as { value: RunRecord }).value;
    assert.deepEqual([record.status, record.lastError], ['killed', 'killed by mcp:elsewhere'], 'its supervisor recorded the kill');
    const told = parse((await runCli(home, ['events', '--format', 'json'])).stdout).filter((e) => e.key === `run:${id}` && ended.test(e.type)).map((e) => e.type);
    assert.deepEqual(told, ['agent.killed']);
  });

  it('--follow streams what another process does, one JSON line each, as it happens', async () => {
    const follower = spawn(process.execPath, [CLI, 'events', '--follow', '--since', 'now', '--format', 'json'], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    const seen: { at: number; event: FeedEvent }[] = [];
    let partial = '';
    follower.stdout.setEncoding('utf8').on('data', (text: string) => {
      const parts = (partial + text).split('\n');
      partial = parts.pop()!;
      for (const line of parts) seen.push({ at: Date.now(), event: JSON.parse(line) as FeedEvent });
    });
    const exited = new Promise<number | null>((resolve) => follower.on('close', resolve));
    try {
      // The follower is ready once it has made its cursor.
      await until(() => fs.existsSync(new StateMap(home).feedReaders) && fs.readdirSync(new StateMap(home).feedReaders).length > 0, 10_000, 'the follower to start');
      const run = await runCli(home, ['run', 'custom', 'slow', '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '1500')]);
      const id = (JSON.parse(run.stdout) as { id: string }).id;
      await until(() => seen.some((s) => s.event.type === 'agent.started'), 10_000, 'agent.started');
      const startedAt = seen.find((s) => s.event.type === 'agent.started')!.at;
      await until(() => seen.some((s) => s.event.type === 'agent.completed'), 20_000, 'agent.completed');
      assert.ok(seen.find((s) => s.event.type === 'agent.completed')!.at - startedAt >= 1000, 'each change came when it happened, not all at the end');
      assert.ok(seen.every((s) => s.event.key === `run:${id}` || s.event.type.startsWith('pool.')));
      follower.kill('SIGINT');
      assert.equal(await exited, 130);
    } finally {
      follower.kill('SIGKILL');
    }
  });
});
