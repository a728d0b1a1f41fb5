/**
 * Each runner against the REAL agent CLI from npm (pinned), talking to a scripted provider on
 * 127.0.0.1: a real tool call writes a real file, the session id and usage are parsed, resume
 * works, steering and interrupt work the way each CLI allows, and kill takes the whole tree.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { treeMembers } from '../../src/core/proc/killTree';
import type { AgentEvent, RunRecord } from '../../src/core/runs/types';
import { oneShotJson, realCliSuite } from '../support/agentClis';
import { pidAlive, until } from '../support/harness';

const texts = (events: AgentEvent[]): string[] => events.flatMap((e) => (e.type === 'text' ? [e.text] : []));

for (const runner of ['claude', 'codex', 'gemini', 'qwen'] as const) {
  describe(`real ${runner} CLI through Switchboard`, function () {
    this.timeout(120_000);
    // Gemini CLI runs over ACP and Codex over its app-server by default: their one-shot JSON mode is tested here, the live ones in acpRunners.test.ts and codexAppServer.test.ts.
    const suite = realCliSuite(runner, oneShotJson(runner));
    const SHELL_MODE: Record<string, string | undefined> = { gemini: 'yolo', qwen: 'yolo' };

    it('runs a real tool call that writes a file, and records session id, usage and cost', async () => {
      const target = path.join(suite.work, 'hello.txt');
      const registry = await suite.registryFor((r) => (r.turn === 0 ? { kind: 'write_file', path: target, content: 'hello from switchboard\n' } : { kind: 'text', text: 'I wrote hello.txt.' }));
      const run = await registry.run({ runner, prompt: 'Create hello.txt saying hello', cwd: suite.work });
      assert.ok(run.agent?.pid);
      const { record } = await registry.wait(run.id, 90_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(fs.readFileSync(target, 'utf8'), 'hello from switchboard\n');
      assert.ok(record.sessionId, 'session id parsed');
      assert.equal(record.usage.inputTokens, 240);
      assert.equal(record.usage.outputTokens, 60);
      assert.equal(record.usage.usdSource, runner === 'claude' ? 'reported' : 'estimated');
      assert.ok((record.usage.usd ?? 0) > 0);
      const events = registry.events(run.id);
      assert.ok(events.some((e) => e.type === 'tool_call'), 'tool call parsed');
      assert.ok(texts(events).join(' ').includes('I wrote hello.txt.'));

      const resumed = await registry.run({ runner, prompt: 'And now say goodbye', cwd: suite.work, resumeSessionId: record.sessionId });
      const after = await registry.wait(resumed.id, 90_000);
      assert.equal(after.record.status, 'done', after.record.lastError);
      assert.equal(after.record.sessionId, record.sessionId);
      const last = suite.provider().requests.at(-1)!;
      assert.ok(last.turn >= 2, `the resumed session carried its history (turn ${last.turn})`);
      assert.equal(last.lastUserText.includes('And now say goodbye'), true);
    });

    if (runner === 'claude' || runner === 'qwen') {
      it('is steered live on its input while a tool runs, and interrupted through its own protocol', async () => {
        const sleep = runner === 'qwen' ? 'sleep 4 # intentional-sleep: steering test' : 'sleep 4';
        // What this proves is the stop through the CLI's protocol: the grace before Switchboard goes on to signals (5 s by
        // default) is made long enough for a CLI slowed by a busy machine to end by itself; a lost interrupt still ends by a signal.
        const registry = await suite.registryFor((r) => {
          if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
          if (r.lastUserText.includes('slow story')) return { kind: 'text', text: 'once upon a time '.repeat(40), chunks: 40, delayMs: 150 };
          return r.afterToolResult ? { kind: 'text', text: 'slept well' } : { kind: 'shell', command: sleep };
        }, SHELL_MODE[runner], { killGraceMs: 20_000 });
        const run = await registry.run({ runner, prompt: 'Run the sleep command', cwd: suite.work });
        await until(() => registry.events(run.id).some((e) => e.type === 'tool_call'), 60_000, 'the shell tool call');
        assert.deepEqual(await registry.steer(run.id, 'also say banana', 'test'), { delivery: 'live' });
        const { record } = await registry.wait(run.id, 90_000);
        assert.equal(record.status, 'done', record.lastError);
        assert.ok(texts(registry.events(run.id)).some((t) => t.includes('steered: banana')), 'the steering reached the model');
        assert.ok(registry.events(run.id).some((e) => e.type === 'steer' && e.delivery === 'live'));

        const story = await registry.run({ runner, prompt: 'Tell a slow story', cwd: suite.work });
        await until(() => suite.provider().requests.some((r) => r.lastUserText.includes('slow story')), 60_000, 'the story to start');
        await new Promise((r) => setTimeout(r, 500));
        assert.deepEqual(await registry.interrupt(story.id, 'test'), { delivered: 'protocol' });
        const stopped = await registry.wait(story.id, 30_000);
        assert.equal(stopped.record.status, 'killed');
        assert.equal(stopped.record.signal, undefined, 'it stopped through its protocol, not a signal');
      });
    } else {
      it('is steered by interrupting it and resuming its session with the message', async () => {
        const registry = await suite.registryFor((r) => {
          if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
          return { kind: 'text', text: 'thinking about it '.repeat(100), chunks: 100, delayMs: 200 };
        });
        const run = await registry.run({ runner, prompt: 'Think for a long time', cwd: suite.work });
        await until(() => !!registry.resolve(run.id).sessionId && suite.provider().requests.length > 0, 60_000, 'the session id');
        assert.deepEqual(await registry.steer(run.id, 'stop and say banana', 'test'), { delivery: 'interrupt-resume' });
        const { record } = await registry.wait(run.id, 90_000);
        assert.equal(record.status, 'done', record.lastError);
        const events = registry.events(run.id);
        assert.equal(events.filter((e) => e.type === 'spawn').length, 2, 'a second process resumed the session');
        assert.ok(texts(events).some((t) => t.includes('steered: banana')));
      });
    }

    it('kill ends the agent and every process it started', async () => {
      const sleep = runner === 'qwen' ? 'sleep 20 # intentional-sleep: kill test' : 'sleep 20';
      const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: sleep }), SHELL_MODE[runner]);
      const run: RunRecord = await registry.run({ runner, prompt: 'Run the sleep command', cwd: suite.work });
      await until(() => treeMembers(registry.resolve(run.id).agent!).length >= 3, 60_000, 'the tool child to start');
      const tree = treeMembers(registry.resolve(run.id).agent!);
      const result = await registry.kill(run.id, { source: 'test' });
      assert.equal(result.status, 'killed');
      await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to die');
    });
  });
}
