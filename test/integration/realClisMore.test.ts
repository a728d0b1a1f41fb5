/**
 * opencode, Kilo, the GitHub Copilot CLI (its one-shot JSON mode) and Cline through Switchboard, each the REAL CLI from npm
 * (pinned in scripts/agent-clis.json) against a scripted Chat Completions provider on 127.0.0.1: a real
 * tool call writes a real file, the session id and usage are recorded, resume and steering work where
 * the CLI allows (and are refused where it does not), and interrupt and kill leave no process behind.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import type { ProcessEntry } from '../../src/core/proc/processTable';
import { getRunner } from '../../src/core/runners/runnerTable';
import type { RunRecord } from '../../src/core/runs/types';
import { commandOf, oneShotJson, realCliSuite, texts, treeWithSleep } from '../support/agentClis';
import { pidAlive, until } from '../support/harness';
import type { Script } from '../support/providers/types';


/**
 * A Copilot run stopped before its last line leaves its usage file unread (the runner sweeps such files
 * after a day): the tests remove theirs, named on the run's command line, once it is written.
 */
async function removeUsageFile(record: RunRecord): Promise<void> {
  const at = record.commandLine.indexOf('--usage-output-file');
  if (record.runner !== 'copilot' || at < 0) return;
  const file = record.commandLine[at + 1]!;
  await until(() => fs.existsSync(file), 3_000, 'the usage file').catch(() => undefined);
  fs.rmSync(file, { force: true });
}

/** What each runner's permission mode is when its shell tool must run without asking. */
const SHELL_MODE: Record<string, string | undefined> = { kilo: 'auto' };

for (const runner of ['opencode', 'kilo', 'copilot', 'cline'] as const) {
  describe(`real ${runner} CLI through Switchboard`, function () {
    this.timeout(150_000);
    // The Copilot CLI speaks ACP by default (see acpRunners.test.ts): here it runs in its one-shot JSON mode.
    const suite = realCliSuite(runner, oneShotJson(runner));
    // The scripted model is in no price table: its cost is estimated from the built-in table's default price for the runner.
    const price = DEFAULT_PRICES[`${runner}:default`]!;
    const canResume = getRunner(runner).canResume;

    it(`runs a real tool call that writes a file, records session id, usage and an estimated cost, and ${canResume ? 'resumes the session' : 'refuses to resume'}`, async () => {
      const target = path.join(suite.work, 'hello.txt');
      const registry = await suite.registryFor((r) => {
        if (r.lastUserText.includes('goodbye')) return { kind: 'text', text: 'Goodbye!' };
        return r.turn === 0 ? { kind: 'write_file', path: target, content: 'hello from switchboard\n' } : { kind: 'text', text: 'I wrote hello.txt.' };
      });
      const run = await registry.run({ runner, prompt: 'Create hello.txt saying hello', cwd: suite.work });
      assert.ok(run.agent?.pid);
      const { record } = await registry.wait(run.id, 100_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(fs.readFileSync(target, 'utf8'), 'hello from switchboard\n');
      assert.ok(record.sessionId, 'session id recorded');
      assert.deepEqual([record.usage.inputTokens, record.usage.outputTokens], [240, 60]);
      assert.equal(record.usage.usdSource, 'estimated');
      assert.equal(record.usage.usd, (240 * price.inputPerMTok + 60 * price.outputPerMTok) / 1e6);
      const events = registry.events(run.id);
      assert.ok(events.some((e) => e.type === 'tool_call'), 'tool call parsed');
      assert.ok(events.some((e) => e.type === 'tool_result' && !e.isError), 'tool result parsed');
      assert.ok(texts(events).join(' ').includes('I wrote hello.txt.'));
      assert.equal(record.resultText, 'I wrote hello.txt.');

      if (!canResume) {
        await assert.rejects(registry.run({ runner, prompt: 'And now say goodbye', cwd: suite.work, resumeSessionId: record.sessionId }), /cannot resume/);
        return;
      }
      const resumed = await registry.run({ runner, prompt: 'And now say goodbye', cwd: suite.work, resumeSessionId: record.sessionId });
      const after = await registry.wait(resumed.id, 100_000);
      assert.equal(after.record.status, 'done', after.record.lastError);
      assert.equal(after.record.sessionId, record.sessionId);
      assert.equal(after.record.resultText, 'Goodbye!');
      // Only what the resumed run added (Copilot reports the session's total; the earlier run's share is taken off).
      assert.deepEqual([after.record.usage.inputTokens, after.record.usage.outputTokens], [120, 30]);
      const last = suite.provider().requests.at(-1)!;
      assert.ok(last.turn >= 2, `the resumed session carried its history (turn ${last.turn})`);
      assert.ok(last.lastUserText.includes('And now say goodbye'));
    });

    if (getRunner(runner).steering === 'interrupt-resume') {
      it('is steered by interrupting it and resuming its session with the message', async () => {
        const registry = await suite.registryFor((r) => {
          if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
          return { kind: 'text', text: 'thinking about it '.repeat(100), chunks: 100, delayMs: 200 };
        });
        const run = await registry.run({ runner, prompt: 'Think for a long time', cwd: suite.work });
        await until(() => !!registry.resolve(run.id).sessionId && suite.provider().requests.some((r) => r.lastUserText.includes('long time')), 60_000, 'the session id');
        assert.deepEqual(await registry.steer(run.id, 'stop and say banana', 'test'), { delivery: 'interrupt-resume' });
        const { record } = await registry.wait(run.id, 100_000);
        assert.equal(record.status, 'done', record.lastError);
        const events = registry.events(run.id);
        assert.equal(events.filter((e) => e.type === 'spawn').length, 2, 'a second process resumed the session');
        assert.ok(texts(events).some((t) => t.includes('steered: banana')));
      });
    } else {
      it('refuses steering: the CLI cannot take a message while it runs, nor resume', async () => {
        const registry = await suite.registryFor(() => ({ kind: 'text', text: 'thinking about it '.repeat(40), chunks: 40, delayMs: 100 }));
        const run = await registry.run({ runner, prompt: 'Think for a while', cwd: suite.work });
        await assert.rejects(registry.steer(run.id, 'say banana', 'test'), /cannot be steered/);
        const { record } = await registry.wait(run.id, 100_000);
        assert.equal(record.status, 'done', record.lastError);
      });
    }

    const sleepScript: Script = (r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: 'sleep 20' });

    // opencode and Kilo die at once on SIGINT and leave their shell tool running in a session of its own:
    // the supervisor sweeps the tree it recorded before the signal.
    it('interrupt stops it, and no process of its tree is left', async () => {
      const registry = await suite.registryFor(sleepScript, SHELL_MODE[runner]);
      const run = await registry.run({ runner, prompt: 'Run the sleep command', cwd: suite.work });
      const tree = await treeWithSleep(registry, run.id);
      await registry.interrupt(run.id, 'test');
      const { record } = await registry.wait(run.id, 30_000);
      await removeUsageFile(record);
      assert.equal(record.status, 'killed');
      const left = (): ProcessEntry[] => tree.filter((p) => pidAlive(p.pid));
      try {
        await until(() => left().length === 0, 10_000, 'every process of the tree to end');
      } catch (error) {
        const survivors = left();
        for (const p of survivors) process.kill(p.pid, 'SIGKILL');
        throw new Error(`${(error as Error).message}; left: ${survivors.map((p) => commandOf(p.pid) || p.pid).join(', ')}`);
      }
    });

    it('kill ends the agent and every process it started', async () => {
      const registry = await suite.registryFor(sleepScript, SHELL_MODE[runner]);
      const run = await registry.run({ runner, prompt: 'Run the sleep command', cwd: suite.work });
      const tree = await treeWithSleep(registry, run.id);
      const result = await registry.kill(run.id, { source: 'test' });
      await removeUsageFile(registry.resolve(run.id));
      assert.equal(result.status, 'killed');
      await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to end');
    });
  });
}
