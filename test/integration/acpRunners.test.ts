/**
 * Gemini CLI, opencode and the GitHub Copilot CLI over ACP (the Agent Client Protocol) through
 * Switchboard, each the REAL CLI from npm against its scripted provider on 127.0.0.1: a run writes a
 * real file and records its session and tokens, resumes its session (opencode and Copilot: see below for
 * Gemini CLI); a steering message reaches the model in the same process while a turn runs; an interrupt
 * is `session/cancel`, which stops the turn and its shell tool with no process left; the agent's
 * permission requests are Switchboard approvals, answered Allow over MCP and Deny through the registry.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { allowOverMcp, realCliSuite, texts, treeWithSleep } from '../support/agentClis';
import { pidAlive, until } from '../support/harness';

const PRICE = { inputPerMTok: 1, outputPerMTok: 5 };
/** A long answer that does not repeat itself (Gemini CLI stops an answer it finds looping). */
const LONG_ANSWER = Array.from({ length: 80 }, (_, i) => `step ${i} of my reasoning`).join(', ');


for (const runner of ['gemini', 'opencode', 'copilot'] as const) {
  describe(`real ${runner} CLI over ACP through Switchboard`, function () {
    this.timeout(150_000);
    const suite = realCliSuite(runner, { runners: { [runner]: { protocol: 'acp' } }, prices: { [`${runner}:default`]: PRICE } });
    /** The permission mode that lets its shell tool run without asking. */
    const shellMode = runner === 'gemini' ? 'yolo' : undefined;

    /** The permission mode in which its shell tool is asked about (Gemini CLI's auto_edit asks on its own; opencode's config is changed by askAboutShell). */
    const askMode = runner === 'copilot' ? 'ask' : undefined;

    /** opencode's test config allows every tool: a person is asked about the shell only once its config says `ask`. */
    function askAboutShell(): void {
      if (runner !== 'opencode') return;
      const file = path.join(suite.env().XDG_CONFIG_HOME!, 'opencode', 'opencode.json');
      const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { permission: Record<string, string> };
      fs.writeFileSync(file, JSON.stringify({ ...config, permission: { ...config.permission, bash: 'ask' } }));
    }

    it(`runs over ACP: a real tool call writes a file, the session id and tokens are recorded${runner === 'gemini' ? '' : ', and the session resumes'}`, async () => {
      const target = path.join(suite.work, 'hello.txt');
      const registry = await suite.registryFor((r) => {
        if (r.lastUserText.includes('goodbye')) return { kind: 'text', text: 'Goodbye!' };
        return r.turn === 0 ? { kind: 'write_file', path: target, content: 'hello from switchboard\n' } : { kind: 'text', text: 'I wrote hello.txt.' };
      });
      const run = await registry.run({ runner, prompt: 'Create hello.txt saying hello', cwd: suite.work });
      assert.equal(run.protocol, 'acp');
      assert.ok(run.commandLine.includes(runner === 'opencode' ? 'acp' : '--acp'), run.commandLine.join(' '));
      const { record } = await registry.wait(run.id, 100_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(fs.readFileSync(target, 'utf8'), 'hello from switchboard\n');
      assert.ok(record.sessionId, 'session id recorded');
      // Gemini CLI and the Copilot CLI report the prompt's tokens (both model calls); opencode's ACP only its last model call's.
      assert.deepEqual([record.usage.inputTokens, record.usage.outputTokens], runner === 'opencode' ? [120, 30] : [240, 60]);
      assert.equal(record.usage.usdSource, 'estimated');
      const events = registry.events(run.id);
      assert.ok(events.some((e) => e.type === 'tool_call'), 'tool call recorded');
      assert.ok(events.some((e) => e.type === 'tool_result' && !e.isError), 'tool result recorded');
      assert.ok(texts(events).join(' ').includes('I wrote hello.txt.'));
      assert.equal(record.resultText, 'I wrote hello.txt.');

      // Gemini CLI 0.61's session/load answers "No previous sessions found for this project" for about half
      // of the sessions saved a moment before (the session is on disk): its resume over ACP is not tested here.
      if (runner === 'gemini') return;
      const resumed = await registry.run({ runner, prompt: 'And now say goodbye', cwd: suite.work, resumeSessionId: record.sessionId });
      const after = await registry.wait(resumed.id, 100_000);
      assert.equal(after.record.status, 'done', `${after.record.lastError} ${registry.tail(resumed.id)}`);
      assert.equal(after.record.sessionId, record.sessionId);
      assert.equal(after.record.resultText, 'Goodbye!');
      assert.ok(!texts(registry.events(resumed.id)).some((t) => t.includes('I wrote hello.txt.')), 'the resumed history is not output of the resumed run');
      const last = suite.provider().requests.at(-1)!;
      assert.ok(last.turn >= 2, `the resumed session carried its history (turn ${last.turn})`);
    });

    it('is steered live: a message sent mid-turn reaches the model in the same process and session', async () => {
      const registry = await suite.registryFor((r) => {
        if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
        return { kind: 'text', text: LONG_ANSWER, chunks: 80, delayMs: 100 };
      });
      const run = await registry.run({ runner, prompt: 'Think for a long time', cwd: suite.work });
      await until(() => !!registry.resolve(run.id).sessionId && suite.provider().requests.some((r) => r.lastUserText.includes('long time')), 60_000, 'the turn to start');
      assert.deepEqual(await registry.steer(run.id, 'stop and say banana', 'test'), { delivery: 'live' });
      const { record } = await registry.wait(run.id, 100_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.ok(suite.provider().requests.some((r) => r.lastUserText.includes('stop and say banana')), 'the provider saw the message');
      const events = registry.events(run.id);
      assert.equal(events.filter((e) => e.type === 'spawn').length, 1, 'no second process');
      assert.ok(texts(events).some((t) => t.includes('steered: banana')));
      assert.ok(events.some((e) => e.type === 'steer' && e.delivery === 'live'));
    });

    it('interrupt is session/cancel: the turn and its shell tool stop, and no process is left', async () => {
      // What this proves is the stop through the protocol: the grace before Switchboard goes on to signals (the harness's
      // 1.5 s) is made long enough for a CLI slowed by a busy machine to answer the cancel; a lost cancel still ends by a signal.
      const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: 'sleep 20' }), shellMode, { killGraceMs: 20_000 });
      const run = await registry.run({ runner, prompt: 'Run the sleep command', cwd: suite.work });
      const tree = await treeWithSleep(registry, run.id);
      assert.deepEqual(await registry.interrupt(run.id, 'test'), { delivered: 'protocol' });
      const { record } = await registry.wait(run.id, 30_000);
      assert.equal(record.status, 'killed');
      assert.ok(registry.events(run.id).some((e) => e.type === 'result' && e.error === 'cancelled'), 'the agent answered the cancel: its turn ended cancelled');
      await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to end');
    });

    it('asks for approval: Allow over MCP approve_agent runs the tool', async () => {
      const target = path.join(suite.work, 'made.txt'); // inside the project: opencode asks again about a folder outside it
      const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'shell', command: `touch ${target}` }), askMode);
      askAboutShell();
      const run = await registry.run({ runner, prompt: 'Touch the file', cwd: suite.work, hostApprovals: true });
      await until(() => !!registry.resolve(run.id).waiting, 60_000, 'the approval request');
      const waiting = registry.resolve(run.id).waiting!;
      assert.match(waiting.reason, /^approval to use /);
      assert.equal(fs.existsSync(target), false, 'nothing ran before the answer');
      assert.deepEqual(await allowOverMcp(suite, registry, run.id), { waiting: waiting.reason, answered: { id: run.id, name: run.name, tool: waiting.tool, allow: true } });
      const { record } = await registry.wait(run.id, 60_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(record.waiting, undefined);
      assert.ok(fs.existsSync(target), 'the allowed command ran');
      assert.ok(registry.events(run.id).some((e) => e.type === 'approval' && e.allow && e.source === 'mcp:orchestrator'));
    });

    it('asks for approval: Deny through the registry keeps the tool from running', async () => {
      const target = path.join(suite.work, 'made.txt'); // inside the project: opencode asks again about a folder outside it
      const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'shell', command: `touch ${target}` }), askMode);
      askAboutShell();
      const run = await registry.run({ runner, prompt: 'Touch the file', cwd: suite.work, hostApprovals: true });
      await until(() => !!registry.resolve(run.id).waiting, 60_000, 'the approval request');
      const tool = registry.resolve(run.id).waiting!.tool!;
      assert.deepEqual(await registry.approve(run.id, false, 'test'), { tool, allow: false });
      const { record } = await registry.wait(run.id, 60_000);
      assert.equal(fs.existsSync(target), false, 'the denied command did not run');
      assert.equal(record.waiting, undefined);
      assert.ok(registry.events(run.id).some((e) => e.type === 'approval' && !e.allow && e.source === 'test'));
    });

    it('without host approvals a permission request is refused at once and recorded', async () => {
      const target = path.join(suite.work, 'made.txt'); // inside the project: opencode asks again about a folder outside it
      const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'shell', command: `touch ${target}` }), askMode);
      askAboutShell();
      const run = await registry.run({ runner, prompt: 'Touch the file', cwd: suite.work });
      const { record } = await registry.wait(run.id, 60_000);
      assert.equal(fs.existsSync(target), false);
      assert.ok(!registry.events(run.id).some((e) => e.type === 'waiting'), 'nobody was asked');
      assert.equal(record.permissionDenials?.length, 1, JSON.stringify(record.permissionDenials));
    });
  });
}
