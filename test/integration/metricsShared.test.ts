/**
 * Counters that last, shared by every process of a state folder: two CLI processes each run an
 * agent and both then see the totals of both; four processes adding at once lose no addition; a
 * damaged counters file is set aside and counting goes on.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { ensureBuilt, fakeCommand, killEverything, ROOT, tempDir } from '../support/harness';

interface Metrics {
  metrics: Record<string, number> & { created_at: string; updated_at: string };
}

const metricsOf = async (home: string): Promise<Metrics['metrics']> => {
  const result = await runCli(home, ['metrics', '--format', 'json']);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as Metrics).metrics;
};

describe('metrics shared by every process', function () {
  this.timeout(120_000);
  let home: string;
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-metrics-')));
  afterEach(async () => killEverything(home));

  it('two CLI processes each run an agent; both see the totals of both', async () => {
    const fresh = await metricsOf(home);
    assert.equal(fresh.total_runs, 0);
    const runs = await Promise.all(['one', 'two'].map((name) => runCli(home, ['run', 'custom', 'hello', '--name', name, '--command', fakeCommand('--lines', '2')])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const [a, b] = await Promise.all([metricsOf(home), metricsOf(home)]);
    assert.deepEqual(a, b);
    assert.equal(a.total_runs, 2);
    assert.equal(a.total_runs_failed, 0);
    assert.ok(Date.parse(a.updated_at) >= Date.parse(a.created_at));
    const failed = await runCli(home, ['run', 'custom', 'x', '--command', fakeCommand('--exit', '3')]);
    assert.equal(failed.code, 1);
    const after = await metricsOf(home);
    assert.deepEqual([after.total_runs, after.total_runs_failed, after.created_at], [3, 1, a.created_at]);
    const table = await runCli(home, ['metrics']);
    assert.match(table.stdout, /total_runs\s+3\s+agent runs that started/);
  });

  it('loses no addition when four processes add at once', async () => {
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'test', 'fixtures', 'countMany.ts'), home, '250'], { cwd: ROOT, stdio: 'inherit' }));
    const codes = await Promise.all(children.map((c) => new Promise<number | null>((resolve) => c.on('close', resolve))));
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const m = await metricsOf(home);
    assert.equal(m.total_steers, 1000);
    assert.equal(m.total_cost_usd, 10);
  });

  it('sets a damaged counters file aside and counts on', async () => {
    const file = new StateMap(home).metricsCounters;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"version":1,"counters":');
    assert.equal((await metricsOf(home)).total_runs, 0);
    assert.ok(fs.readdirSync(path.dirname(file)).some((f) => f.startsWith('counters.json.corrupt-')), 'kept, not deleted');
    const run = await runCli(home, ['run', 'custom', 'x', '--command', fakeCommand()]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await metricsOf(home)).total_runs, 1);
  });
});
