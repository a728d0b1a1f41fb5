/** Gate circuit breakers on a fake clock: every transition, the threshold, half-open trials, resets, persistence, a corrupt file, the feed. */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Feed } from '../../src/core/feed/feed';
import { Breakers } from '../../src/core/gates/breakers';
import { gatePaths, workspaceKey } from '../../src/core/gates/gatePaths';
import { StateMap } from '../../src/core/state/stateMap';
import { tempDir } from '../support/harness';

describe('gate circuit breakers', () => {
  let stateDir: string;
  let workspace: string;
  let now: number;
  const clock = (): number => now;
  const open = (more: ConstructorParameters<typeof Breakers>[2] = {}): Breakers => new Breakers(stateDir, workspace, { clock, ...more });
  const fail = async (b: Breakers, gate: string, times: number): Promise<void> => {
    for (let i = 0; i < times; i++) {
      assert.equal((await b.admit(gate)).allowed, true, `run ${i + 1} is let through`);
      await b.record(gate, false);
    }
  };

  beforeEach(() => {
    stateDir = tempDir('sb-breakers-');
    workspace = tempDir('sb-breakers-ws-');
    now = Date.parse('2026-05-26T10:00:00Z');
  });

  it('stays Closed below the threshold; a pass sets the count back to 0', async () => {
    const b = open();
    await fail(b, 'npm test', 4);
    assert.deepEqual(b.view('npm test'), { gateName: 'npm test', state: 'Closed', failureCount: 4, lastFailureAt: now, recoveryTimeoutSecs: 60, halfOpenCallsRemaining: 3 });
    await b.record('npm test', true);
    assert.equal(b.view('npm test')?.failureCount, 0);
    await fail(b, 'npm test', 4);
    assert.equal(b.view('npm test')?.state, 'Closed', 'failures in a row count, not failures in all');
  });

  it('opens after 5 failures in a row and fails fast; half-open after 60 s with 3 trials; a pass closes it', async () => {
    const b = open();
    await fail(b, 'npm test', 5);
    const opened = b.view('npm test')!;
    assert.deepEqual([opened.state, opened.failureCount, opened.halfOpenCallsRemaining], ['Open', 5, 0]);
    const refused = await b.admit('npm test');
    assert.equal(refused.allowed, false);
    assert.match(!refused.allowed ? refused.reason : '', /^breaker open: 5 failure\(s\) in a row, the last at 2026-05-26T10:00:00.000Z; not run\. A trial run is let through from 2026-05-26T10:01:00.000Z/);

    now += 59_999;
    assert.equal((await b.admit('npm test')).allowed, false, 'still open a moment before the recovery time');
    now += 1;
    assert.deepEqual([b.view('npm test')?.state, b.view('npm test')?.halfOpenCallsRemaining], ['HalfOpen', 3]);
    const trials = [await b.admit('npm test'), await b.admit('npm test'), await b.admit('npm test')];
    assert.ok(trials.every((t) => t.allowed && t.trialId), 'three trial runs are let through');
    assert.equal(b.view('npm test')?.halfOpenCallsRemaining, 0);
    const fourth = await b.admit('npm test');
    assert.match(!fourth.allowed ? fourth.reason : '', /^breaker half-open: its 3 trial run\(s\) are under way/);

    const first = trials[0]!;
    await b.record('npm test', true, first.allowed ? first.trialId : undefined);
    assert.deepEqual(b.view('npm test'), { gateName: 'npm test', state: 'Closed', failureCount: 0, lastFailureAt: now - 60_000, recoveryTimeoutSecs: 60, halfOpenCallsRemaining: 3 });
  });

  it('a failed trial opens it again, for another recovery time; a cancelled trial gives its place back', async () => {
    const b = open();
    await fail(b, 'lint', 5);
    now += 60_000;
    const trial = await b.admit('lint');
    const other = await b.admit('lint');
    assert.ok(trial.allowed && other.allowed);
    await b.release('lint', other.allowed ? other.trialId! : '');
    assert.equal(b.view('lint')?.halfOpenCallsRemaining, 2, 'the cancelled trial is given back');
    await b.record('lint', false, trial.trialId);
    const view = b.view('lint')!;
    assert.deepEqual([view.state, view.failureCount, view.lastFailureAt], ['Open', 6, now]);
    now += 30_000;
    assert.equal((await b.admit('lint')).allowed, false);
    now += 30_000;
    assert.equal(b.view('lint')?.state, 'HalfOpen');
  });

  it('follows its policy: threshold, recovery time and trial runs', async () => {
    const b = open({ policy: { failureThreshold: 2, recoveryTimeoutSecs: 5, halfOpenCalls: 1 } });
    await fail(b, 'cargo test', 2);
    assert.equal(b.view('cargo test')?.state, 'Open');
    now += 5000;
    assert.equal((await b.admit('cargo test')).allowed, true);
    assert.equal((await b.admit('cargo test')).allowed, false, 'one trial at a time');
    assert.equal(open().view('cargo test')?.recoveryTimeoutSecs, 5, 'the policy is kept with the breaker');
  });

  it('gives back the place of a trial whose process died', async () => {
    const b = open({ policy: { halfOpenCalls: 1 } });
    await fail(b, 'pytest', 5);
    now += 60_000;
    assert.equal((await b.admit('pytest')).allowed, true);
    const dead = spawnSync('true').pid!;
    const file = JSON.parse(fs.readFileSync(b.paths.breakers, 'utf8'));
    file.breakers.pytest.trials[0].pid = dead;
    fs.writeFileSync(b.paths.breakers, JSON.stringify(file));
    assert.equal((await b.admit('pytest')).allowed, true, 'the dead trial no longer holds the only place');
  });

  it('resets one gate or every one that is not Closed, saying which, and tells the feed', async () => {
    const feed = new Feed(new StateMap(stateDir));
    try {
      const b = open({ feed });
      await fail(b, 'a', 5);
      await fail(b, 'b', 5);
      await fail(b, 'c', 1);
      now += 60_000;
      await fail(b, 'd', 5);
      assert.deepEqual(b.status().map((v) => [v.gateName, v.state]), [['a', 'HalfOpen'], ['b', 'HalfOpen'], ['c', 'Closed'], ['d', 'Open']]);
      const one = await b.reset('a');
      assert.deepEqual([one?.view.state, one?.view.failureCount, one?.previous], ['Closed', 0, 'HalfOpen']);
      assert.deepEqual((await b.reset('c'))?.previous, 'Closed', 'a Closed breaker stays as it is');
      assert.equal(await b.reset('nope'), undefined);
      const all = await b.resetAll();
      assert.deepEqual(all.map((r) => [r.view.gateName, r.previous]), [['b', 'HalfOpen'], ['d', 'Open']]);
      assert.ok(b.status().every((v) => v.state === 'Closed'));
      assert.deepEqual(await b.resetAll(), []);

      const events = feed.read().events;
      const key = workspaceKey(workspace);
      assert.deepEqual(events.filter((e) => e.type === 'breaker.opened').map((e) => e.key), [`gate:${key}/a`, `gate:${key}/b`, `gate:${key}/d`]);
      assert.deepEqual(events.filter((e) => e.type === 'breaker.reset').map((e) => [e.key, (e.entity as { previous: string }).previous]), [[`gate:${key}/a`, 'HalfOpen'], [`gate:${key}/b`, 'HalfOpen'], [`gate:${key}/d`, 'Open']]);
      assert.deepEqual(events.find((e) => e.type === 'breaker.opened')?.entity, { workspace, gateName: 'a', state: 'Open', failureCount: 5, lastFailureAt: now - 60_000, recoveryTimeoutSecs: 60, halfOpenCallsRemaining: 0 });
    } finally {
      feed.dispose();
    }
  });

  it('is kept in the state folder: another Breakers (another process, as it were) sees and changes the same breakers', async () => {
    const first = open();
    await fail(first, 'npm test', 3);
    const second = open();
    await fail(second, 'npm test', 2);
    assert.equal(first.view('npm test')?.state, 'Open');
    const paths = gatePaths(stateDir, workspace);
    assert.equal(paths.breakers, new StateMap(stateDir).gates(workspaceKey(workspace)).breakers);
    const file = JSON.parse(fs.readFileSync(paths.breakers, 'utf8'));
    assert.equal(file.version, 1);
    assert.equal(file.breakers['npm test'].failureCount, 5);
    assert.equal(fs.statSync(paths.breakers).mode & 0o777, 0o600);
    assert.equal(fs.existsSync(paths.lock), false, 'the lock is held only while a change is made');
    // The same folder by another path is the same workspace.
    const link = `${tempDir('sb-breakers-link-')}/ws`;
    fs.symlinkSync(workspace, link);
    assert.equal(new Breakers(stateDir, link, { clock }).view('npm test')?.state, 'Open');
  });

  it('sets a corrupt file aside and starts Closed, saying so', async () => {
    const b = open();
    await fail(b, 'npm test', 5);
    fs.writeFileSync(b.paths.breakers, '{"version":1,"breakers":{"npm test":{"state":"Sideways"');
    const again = open();
    assert.deepEqual(again.status(), []);
    assert.match(again.warnings[0] ?? '', /could not be read \(not valid JSON.*set aside as .*breakers\.json\.corrupt-\d+-\d+ and every breaker starts Closed/);
    assert.equal((await again.admit('npm test')).allowed, true);
    const dir = fs.readdirSync(b.paths.breakers.replace(/\/breakers\.json$/, ''));
    assert.ok(dir.some((n) => /^breakers\.json\.corrupt-/.test(n)), dir.join(' '));

    fs.writeFileSync(again.paths.breakers, JSON.stringify({ version: 1, workspace, breakers: { x: { state: 'Sideways' } } }));
    const wrong = open();
    assert.deepEqual(wrong.status(), []);
    assert.match(wrong.warnings[0] ?? '', /`breakers\.x\.state` must be one of "Closed", "Open", "HalfOpen"/);
  });
});
