/**
 * Usage of resumed runs, with the REAL agent CLIs against the scripted providers: Claude reports
 * its cost, Codex and Qwen their tokens, as running totals of the whole session, so a run that
 * resumes a session must record only what it added, or the parent's spend is counted again (in
 * the resumed run, and in today's spend that adds the runs up). Every scripted model call uses
 * 120 input and 30 output tokens.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { RunRegistry } from '../../src/core/registry/registry';
import type { RunRecord, Usage } from '../../src/core/runs/types';
import { oneShotJson, realCliSuite } from '../support/agentClis';
import { until } from '../support/harness';

const tokens = (u: Usage): [number, number] => [u.inputTokens, u.outputTokens];
const near = (a: number | undefined, b: number, what: string): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} is not ${b}`);

for (const runner of ['claude', 'codex', 'gemini', 'qwen'] as const) {
  describe(`usage of resumed ${runner} sessions (real CLI)`, function () {
    this.timeout(180_000);
    // Gemini CLI in its one-shot JSON mode: resumed processes and interrupt + resume steering are what is measured.
    const suite = realCliSuite(runner, oneShotJson(runner));

    async function finish(registry: RunRegistry, run: RunRecord): Promise<RunRecord> {
      const { record } = await registry.wait(run.id, 120_000);
      assert.equal(record.status, 'done', record.lastError);
      return record;
    }

    it('a run that resumes a session, and one that resumes that, each record only what they added', async () => {
      const target = path.join(suite.work, 'hello.txt');
      const registry = await suite.registryFor((r) =>
        r.turn === 0 && !r.afterToolResult && r.lastUserText.includes('Create') ? { kind: 'write_file', path: target, content: 'hi\n' } : { kind: 'text', text: 'ok' },
      );
      // Two model calls (the tool call and the answer).
      const first = await finish(registry, await registry.run({ runner, prompt: 'Create hello.txt', cwd: suite.work }));
      assert.deepEqual(tokens(first.usage), [240, 60]);
      assert.ok((first.usage.usd ?? 0) > 0);
      const costPerCall = first.usage.usd! / 2;

      // One model call each; the CLI's own session totals (Claude's cost, Codex's and Qwen's tokens) say 3 and 4 calls.
      const second = await finish(registry, await registry.run({ runner, prompt: 'Now say goodbye', cwd: suite.work, resumeSessionId: first.sessionId }));
      assert.equal(second.sessionId, first.sessionId);
      const third = await finish(registry, await registry.run({ runner, prompt: 'And once more', cwd: suite.work, resumeSessionId: second.sessionId }));
      assert.equal(third.sessionId, first.sessionId);
      assert.equal(suite.provider().requests.length, 4, 'four model calls in all');
      for (const [label, record] of [['the resumed run', second], ['the run resuming the resumed run', third]] as const) {
        assert.deepEqual(tokens(record.usage), [120, 30], `${label} records its own tokens only`);
        near(record.usage.usd, costPerCall, `${label} records its own cost only`);
      }
      // Today's spend adds the runs up: four calls' worth, not 2 + 3 + 4.
      near(first.usage.usd! + second.usage.usd! + third.usage.usd!, 4 * costPerCall, 'the three runs together');

      // The raw reports are still kept as the CLI printed them.
      const reported = registry.events(third.id).filter((e) => e.type === 'usage');
      assert.ok(reported.length > 0);
      if (runner === 'codex' || runner === 'qwen') assert.equal(reported.at(-1)!.type === 'usage' && reported.at(-1)!.inputTokens, 480, `${runner} reports the session's running total`);
      if (runner === 'claude') near(reported.at(-1)!.type === 'usage' ? reported.at(-1)!.usd : undefined, 4 * costPerCall, 'Claude reports the session\'s running cost');
    });

    if (runner === 'codex' || runner === 'gemini') {
      it('a resumed run that is then steered (interrupt + resume inside the run) still counts each call once', async () => {
        const registry = await suite.registryFor((r) => {
          if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
          if (r.lastUserText.includes('Think')) return { kind: 'text', text: 'thinking about it '.repeat(100), chunks: 100, delayMs: 200 };
          return { kind: 'text', text: 'ok' };
        });
        const first = await finish(registry, await registry.run({ runner, prompt: 'Say ok', cwd: suite.work }));
        assert.deepEqual(tokens(first.usage), [120, 30]);

        const run = await registry.run({ runner, prompt: 'Think for a long time', cwd: suite.work, resumeSessionId: first.sessionId });
        await until(() => suite.provider().requests.some((r) => r.lastUserText.includes('Think')), 60_000, 'the long answer to start');
        assert.deepEqual(await registry.steer(run.id, 'stop and say banana', 'test'), { delivery: 'interrupt-resume' });
        const record = await finish(registry, run);
        assert.equal(registry.events(run.id).filter((e) => e.type === 'spawn').length, 2, 'a second process resumed the session');
        // The interrupted call never finished (no usage was sent for it); the steered one did.
        assert.deepEqual(tokens(record.usage), [120, 30]);
        near(record.usage.usd, first.usage.usd!, 'one call\'s cost');
      });
    }
  });
}
