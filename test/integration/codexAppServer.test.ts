/**
 * Codex over its app-server (`codex app-server`) through Switchboard: the REAL Codex CLI from npm
 * against the scripted OpenAI Responses provider on 127.0.0.1. A run writes a real file and records
 * its session (the thread id) and tokens, and resumes its session (`thread/resume`); a steering message
 * reaches the model in the same process and the same turn (`turn/steer`) while a command runs; an
 * interrupt is `turn/interrupt`, and its running command ends with the process, leaving none; a
 * command Codex asks to run outside its sandbox is a Switchboard approval (and an `agent.waiting`
 * webhook a receiver is told, signed), answered Allow over MCP and Deny through the registry; headless, Codex is told it cannot ask. Kill leaves no process; a failed
 * model call fails the run; Doctor says which protocol Codex runs over.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { webhookWithDefaults } from '../../src/core/config';
import { WebhookDeliverer } from '../../src/core/webhooks/webhookDeliverer';
import { agentCliBinary, allowOverMcp, realCliSuite, texts, treeWithSleep } from '../support/agentClis';
import { doctorOf } from '../support/cliChild';
import { fakeCli } from '../support/fakeClis';
import { pidAlive, tempDir, until } from '../support/harness';
import type { ScriptedStep } from '../support/providers/types';
import { Receiver } from '../support/webhookReceiver';

const PRICE = { inputPerMTok: 1, outputPerMTok: 5 };
const SECRET = 'whsec-test-codex';

/** Codex's shell tool asking to run `command` outside its sandbox (what a person is asked about). */
const escalated = (command: string): ScriptedStep => ({ kind: 'tool', name: 'exec_command', input: { cmd: command, sandbox_permissions: 'require_escalated', justification: 'May I touch the file?', yield_time_ms: 30000 } });

describe('real codex CLI over its app-server through Switchboard', function () {
  this.timeout(150_000);
  const suite = realCliSuite('codex', { runners: { codex: { protocol: 'app-server' } }, prices: { 'codex:default': PRICE } });

  it('runs over the app-server: a real tool call writes a file, the session id and tokens are recorded, and the session resumes', async () => {
    const target = path.join(suite.work, 'hello.txt');
    const registry = await suite.registryFor((r) => {
      if (r.lastUserText.includes('goodbye')) return { kind: 'text', text: 'Goodbye!' };
      return r.turn === 0 ? { kind: 'write_file', path: target, content: 'hello from switchboard\n' } : { kind: 'text', text: 'I wrote hello.txt.' };
    });
    const run = await registry.run({ runner: 'codex', prompt: 'Create hello.txt saying hello', cwd: suite.work });
    assert.equal(run.protocol, 'app-server');
    assert.deepEqual(run.commandLine.slice(1), ['app-server']);
    const { record } = await registry.wait(run.id, 100_000);
    assert.equal(record.status, 'done', `${record.lastError} ${registry.tail(run.id)}`);
    assert.equal(fs.readFileSync(target, 'utf8'), 'hello from switchboard\n');
    assert.match(record.sessionId ?? '', /^[0-9a-f-]{36}$/, 'the thread id is the session');
    assert.equal(record.model, 'gpt-5.5', 'the model Codex chose, from thread/start');
    // Two model calls of 120 in and 30 out, as `codex exec` reports them.
    assert.deepEqual([record.usage.inputTokens, record.usage.outputTokens], [240, 60]);
    assert.equal(record.usage.usdSource, 'estimated');
    const events = registry.events(run.id);
    const call0 = events.find((e) => e.type === 'tool_call');
    assert.ok(call0 && call0.type === 'tool_call' && call0.name === 'apply_patch', JSON.stringify(call0));
    assert.ok(events.some((e) => e.type === 'tool_result' && !e.isError && e.output.includes(target)), 'tool result recorded');
    assert.equal(record.resultText, 'I wrote hello.txt.');
    assert.equal(events.filter((e) => e.type === 'raw').length, events.filter((e) => e.type === 'raw' && e.stream === 'stderr').length);

    const resumed = await registry.run({ runner: 'codex', prompt: 'And now say goodbye', cwd: suite.work, resumeSessionId: record.sessionId });
    const after = await registry.wait(resumed.id, 100_000);
    assert.equal(after.record.status, 'done', `${after.record.lastError} ${registry.tail(resumed.id)}`);
    assert.equal(after.record.sessionId, record.sessionId);
    assert.equal(after.record.resultText, 'Goodbye!');
    assert.deepEqual(texts(registry.events(resumed.id)), ['Goodbye!'], 'the resumed history is not output of the resumed run');
    // The thread's total is 360/90 now; the parent's 240/60 is not counted again.
    assert.deepEqual([after.record.usage.inputTokens, after.record.usage.outputTokens], [120, 30]);
    assert.ok(suite.provider().requests.at(-1)!.turn >= 2, 'the resumed thread carried its history');
  });

  it('is steered live: a message sent while a command runs reaches the model in the same process and turn', async () => {
    const registry = await suite.registryFor((r) => {
      if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
      return r.afterToolResult ? { kind: 'text', text: 'not steered' } : { kind: 'shell', command: 'sleep 4; echo slept' };
    });
    const run = await registry.run({ runner: 'codex', prompt: 'Sleep a little', cwd: suite.work });
    await until(() => registry.events(run.id).some((e) => e.type === 'tool_call'), 60_000, 'the command to start');
    assert.deepEqual(await registry.steer(run.id, 'then say banana', 'test'), { delivery: 'live' });
    const { record } = await registry.wait(run.id, 100_000);
    assert.equal(record.status, 'done', `${record.lastError} ${registry.tail(run.id)}`);
    const events = registry.events(run.id);
    assert.equal(events.filter((e) => e.type === 'spawn').length, 1, 'no second process');
    assert.ok(events.some((e) => e.type === 'tool_result' && e.output.includes('slept')), 'the command was not cut short');
    assert.equal(record.resultText, 'steered: banana');
    assert.equal(events.filter((e) => e.type === 'result').length, 1, 'one turn: the message joined it');
    assert.ok(events.some((e) => e.type === 'steer' && e.delivery === 'live'));
  });

  it('interrupt is turn/interrupt: the turn stops, and its command ends with the process, leaving none', async () => {
    // The grace before signals is long enough for a Codex slowed by a busy machine to answer the interrupt (see acpRunners.test.ts).
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: 'sleep 20; echo never' }), undefined, { killGraceMs: 20_000 });
    const run = await registry.run({ runner: 'codex', prompt: 'Run the sleep command', cwd: suite.work });
    const tree = await treeWithSleep(registry, run.id);
    assert.deepEqual(await registry.interrupt(run.id, 'test'), { delivered: 'protocol' });
    const { record } = await registry.wait(run.id, 30_000);
    assert.equal(record.status, 'killed');
    assert.equal(record.signal, undefined, 'Codex ended on its own once its turn was over, not by a signal');
    assert.ok(registry.events(run.id).some((e) => e.type === 'result' && e.error === 'interrupted'), 'Codex answered: its turn ended interrupted');
    await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to end');
  });

  it('kill ends the turn, the agent and every process it started', async () => {
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'done' } : { kind: 'shell', command: 'sleep 20; echo never' }));
    const run = await registry.run({ runner: 'codex', prompt: 'Run the sleep command', cwd: suite.work });
    const tree = await treeWithSleep(registry, run.id);
    assert.equal((await registry.kill(run.id, { source: 'test' })).status, 'killed');
    await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to end');
  });

  it('a model call that fails ends the run failed, saying why', async () => {
    const registry = await suite.registryFor(() => ({ kind: 'http_error', status: 400, message: 'Invalid model: nope' }));
    const run = await registry.run({ runner: 'codex', prompt: 'hi', cwd: suite.work });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'failed');
    assert.match(record.lastError ?? '', /Invalid model: nope/);
    assert.equal(record.exitCode, 0, 'the app-server ended on its own once the turn was over');
  });

  it('asks for approval when Codex wants to leave its sandbox: a webhook tells a receiver it waits, and Allow over MCP approve_agent runs the command', async () => {
    const target = path.join(suite.work, 'made.txt');
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : escalated(`touch ${target}`)));
    // A receiver of runs that wait for a person, told by a deliverer over this Switchboard's feed (as the extension and `switchboard serve` deliver).
    const receiver = await new Receiver(SECRET).start();
    const sb = suite.switchboardOf(registry);
    const hook = webhookWithDefaults({ url: receiver.url, secret: SECRET, events: ['agent.waiting'] });
    const deliverer = new WebhookDeliverer(sb.state, sb.feed, () => ({ ...sb.config, webhooks: [hook] }), 'test');
    try {
      const run = await registry.run({ runner: 'codex', prompt: 'Touch the file', cwd: suite.work, hostApprovals: true });
      await until(() => !!registry.resolve(run.id).waiting, 60_000, 'the approval request');
      const waiting = registry.resolve(run.id).waiting!;
      assert.equal(waiting.reason, `approval to use shell: /bin/bash -lc 'touch ${target}'`);
      await until(() => receiver.accepted().size === 1, 20_000, 'the agent.waiting delivery');
      const [told] = [...receiver.accepted().values()];
      assert.deepEqual([told!.event, told!.signed, told!.body.subject?.id, told!.body.subject?.waiting], ['agent.waiting', true, run.id, waiting.reason]);
      assert.equal(told!.body.summary, `The run ${run.name} (codex) waits for a person: ${waiting.reason}`);
      assert.equal(fs.existsSync(target), false, 'nothing ran before the answer');
      assert.deepEqual(await allowOverMcp(suite, registry, run.id), { waiting: waiting.reason, answered: { id: run.id, name: run.name, tool: 'shell', allow: true } });
      const { record } = await registry.wait(run.id, 60_000);
      assert.equal(record.status, 'done', record.lastError);
      assert.equal(record.waiting, undefined);
      assert.ok(fs.existsSync(target), 'the allowed command ran');
      assert.ok(registry.events(run.id).some((e) => e.type === 'approval' && e.allow && e.source === 'mcp:orchestrator'));
      assert.equal(receiver.requests.length, 1, 'told once');
    } finally {
      deliverer.dispose();
      await receiver.close();
    }
  });

  it('asks for approval: Deny through the registry keeps the command from running', async () => {
    const target = path.join(suite.work, 'made.txt');
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : escalated(`touch ${target}`)));
    const run = await registry.run({ runner: 'codex', prompt: 'Touch the file', cwd: suite.work, hostApprovals: true });
    await until(() => !!registry.resolve(run.id).waiting, 60_000, 'the approval request');
    assert.deepEqual(await registry.approve(run.id, false, 'test'), { tool: 'shell', allow: false });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(target), false, 'the denied command did not run');
    const events = registry.events(run.id);
    assert.ok(events.some((e) => e.type === 'approval' && !e.allow && e.source === 'test'));
    assert.ok(events.some((e) => e.type === 'tool_result' && e.isError && e.output === 'declined'), 'Codex recorded the command as declined');
  });

  it('headless, Codex is told it cannot ask: nobody is asked and the command does not run', async () => {
    const target = path.join(suite.work, 'made.txt');
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : escalated(`touch ${target}`)));
    const run = await registry.run({ runner: 'codex', prompt: 'Touch the file', cwd: suite.work });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(target), false);
    assert.ok(!registry.events(run.id).some((e) => e.type === 'waiting'), 'nobody was asked');
  });

  it('Doctor says Codex runs over its app-server, and what to do with a Codex that has none', async () => {
    const codexOf = async (binary: string, protocol?: 'json') => {
      const home = tempDir('sb-doctor-');
      fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { codex: { binary, protocol } } }));
      return (await doctorOf(home)).runners.find((r) => r.runner === 'codex')!;
    };
    assert.deepEqual(await codexOf(agentCliBinary('codex')).then((c) => [c.note, c.problem]), ['runs over its app-server: live steering, approvals, a clean interrupt', undefined]);
    const old = fakeCli('codex', '[ "$1" = --version ] && { echo codex-cli 0.1.0; exit 0; }\necho "error: unrecognized subcommand \'app-server\'" >&2; exit 2');
    assert.match((await codexOf(old)).problem ?? '', /app-server --help" failed: this Codex has no app-server\. Update it .*or set runners\.codex\.protocol to "json"/);
    assert.deepEqual(await codexOf(old, 'json').then((c) => [c.note, c.problem]), ['runs as `codex exec --json` (runners.codex.protocol is "json")', undefined]);
  });
});
