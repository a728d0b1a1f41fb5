/**
 * Following a run's output for the chat panel with real agents: every readable line arrives, in
 * order, while the run runs, woken by the registry's events; an abort stops the following and
 * leaves the agent running.
 */
import * as assert from 'node:assert/strict';
import { silentLogger } from '../../src/core/logger';
import { invokeOperation } from '../../src/ops/invoke';
import { Metrics } from '../../src/ops/metrics';
import { findOperation } from '../../src/ops/operations';
import { followRun } from '../../src/chat/followRun';
import { createHarness, fakeCommand, tempDir, until, type Harness } from '../support/harness';

describe('chat: following a run', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h.cleanup());

  const deps = (signal: AbortSignal, written: string[][]) => ({
    registry: h.registry,
    signal,
    write: (lines: string[]) => written.push(lines),
    call: (name: string, args: Record<string, unknown>) =>
      invokeOperation(findOperation(name), name, args, {
        sb: h.switchboard,
        host: { version: '0', metrics: new Metrics(h.registry, h.stateDir), logger: silentLogger, doctor: () => Promise.reject(new Error('no')), server: () => ({ transports: [], clients: [] }), defaultCwd: () => undefined, guard: () => {} },
        source: 'chat',
        signal,
        progress: async () => {},
      }),
  });

  it('writes every line of a custom command as it comes, then says the output is complete', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'the end', cwd: tempDir(), command: fakeCommand('--lines', '5', '--every', '200') });
    const written: string[][] = [];
    const complete = await followRun(run.id, 'custom', deps(new AbortController().signal, written));
    assert.equal(complete, true);
    assert.deepEqual(written.flat(), ['line 1 of a busy agent', 'line 2 of a busy agent', 'line 3 of a busy agent', 'line 4 of a busy agent', 'line 5 of a busy agent', 'the end']);
    assert.ok(written.length > 1, 'written in several pieces while it ran, not once at the end');
  });

  it('an abort stops following at once; the run goes on', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'slow', cwd: tempDir(), command: fakeCommand('--lines', '1', '--sleep', '30000') });
    const written: string[][] = [];
    const abort = new AbortController();
    const following = followRun(run.id, 'custom', deps(abort.signal, written));
    await until(() => written.flat().includes('line 1 of a busy agent') && written.flat().includes('slow'), 10_000, 'the first lines');
    abort.abort();
    assert.equal(await following, false);
    assert.equal(h.registry.resolve(run.id).status, 'running');
  });
});
