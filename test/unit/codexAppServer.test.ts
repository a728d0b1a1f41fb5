/**
 * Codex's app-server client (src/core/runners/codexAppServer.ts) replayed against what the real Codex
 * 0.169 said to it (test/fixtures/transcripts/codex/app-server-*.jsonl, recorded by
 * test/support/recordCodexAppServer.ts): every line it wrote back must be the line it wrote then, and
 * the events are the run's. Then the cases the real CLI was not caught in: a steer too late for its turn,
 * a turn that refuses steering, requests this client does not serve.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { appServerArgsProblem, appServerInitializeLine, codexAppServerRunner, createAppServerConversation } from '../../src/core/runners/codexAppServer';
import { codexRunner } from '../../src/core/runners/codex';
import { protocolFor, runnerFor } from '../../src/core/runners/runnerTable';
import type { Conversation, StartRequest } from '../../src/core/runners/types';
import type { AgentEventBody, ApprovalRequest } from '../../src/core/runs/types';
import { ofType, TRANSCRIPTS } from '../support/transcripts';

/** A message as the tests read it (the fields they look at). */
interface Json {
  id?: unknown;
  method?: string;
  params: { cwd: string; model?: string; approvalPolicy?: string; threadId?: string; expectedTurnId?: string; input: { text: string }[] };
}
interface Entry {
  dir: 'send' | 'recv' | 'stderr';
  msg?: Json;
  line?: string;
  action?: 'steer' | 'interrupt' | 'answer';
  arg?: unknown;
}

const entries = (name: string): Entry[] =>
  fs.readFileSync(path.join(TRANSCRIPTS, 'codex', `app-server-${name}.jsonl`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);

/** The run the transcript was: its prompt, folder, session to resume and whether a person was asked, from what was sent. */
function requestOf(log: Entry[]): StartRequest {
  const sent = (method: string): Json['params'] | undefined => log.find((e) => e.dir === 'send' && e.msg?.method === method)?.msg?.params;
  const thread = sent('thread/start') ?? sent('thread/resume')!;
  return { prompt: sent('turn/start')!.input[0]!.text, cwd: thread.cwd, settings: { binary: 'codex', extraArgs: [], ...(thread.model ? { model: thread.model } : {}) }, hostApprovals: thread.approvalPolicy === 'on-request', ...(thread.threadId ? { resumeSessionId: thread.threadId } : {}) };
}

/** Feeds the transcript to a new conversation, checking each line it writes against the recorded one; returns the events. */
function replay(name: string): { events: AgentEventBody[]; request: StartRequest; conversation: Conversation } {
  const log = entries(name);
  const request = requestOf(log);
  const conversation = createAppServerConversation(request, request.hostApprovals ? 'ask' : 'deny');
  const owed: string[] = [appServerInitializeLine()];
  const events: AgentEventBody[] = [];
  let waiting: ApprovalRequest | undefined;
  for (const [i, entry] of log.entries()) {
    if (entry.dir === 'send') {
      if (entry.action && log[i - 1]?.action !== entry.action) {
        const act = { steer: () => conversation.steer!(entry.arg as string), interrupt: () => conversation.interrupt!('i'), answer: () => conversation.answer!(waiting!, entry.arg as boolean) }[entry.action];
        owed.push(...(act() ?? []));
      }
      const next = owed.shift();
      assert.ok(next, `line ${i + 1}: the client wrote nothing where it wrote ${JSON.stringify(entry.msg)}`);
      assert.deepEqual(JSON.parse(next), entry.msg, `line ${i + 1}`);
      continue;
    }
    const read = conversation.read(entry.dir === 'recv' ? JSON.stringify(entry.msg) : entry.line!);
    if (entry.dir === 'stderr') {
      assert.equal(read, undefined, `line ${i + 1}: stderr stays raw`);
      continue;
    }
    assert.ok(read, `line ${i + 1} is the protocol's`);
    owed.push(...read.replies);
    for (const event of read.events) if (event.type === 'waiting') waiting = event.request;
    events.push(...read.events);
  }
  assert.deepEqual(owed, [], 'every line the client owed was written');
  return { events, request, conversation };
}

describe('Codex app-server client, against the real CLI\'s transcripts', () => {
  it('starts a thread, runs the prompt as a turn, and records the session, the file change, the text and the thread\'s tokens', () => {
    const { events, request } = replay('run');
    const thread = ofType(events, 'session')[0]!;
    assert.match(thread.sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(thread.model, 'gpt-5.5');
    const target = path.join(request.cwd, 'hello.txt');
    assert.deepEqual(ofType(events, 'tool_call').map((e) => [e.name, e.input]), [['apply_patch', { changes: [{ path: target, kind: 'add' }] }]]);
    assert.deepEqual(ofType(events, 'tool_result').map((e) => [e.output, e.isError]), [[`add ${target}`, false]]);
    assert.deepEqual(ofType(events, 'usage').at(-1), { type: 'usage', inputTokens: 240, outputTokens: 60 });
    assert.deepEqual(events.at(-1), { type: 'result', ok: true, text: 'I wrote hello.txt.' });
  });

  it('resumes with thread/resume, leaves the history out, and reads the thread\'s total (the earlier run\'s included)', () => {
    const { events, request } = replay('resume');
    assert.equal(ofType(events, 'session')[0]!.sessionId, request.resumeSessionId);
    assert.deepEqual(ofType(events, 'text').map((e) => e.text), ['Goodbye!']);
    // Codex first restates the thread's total so far (240/60), then adds this run's call: the meter counts from the first.
    assert.deepEqual(ofType(events, 'usage').map((e) => [e.inputTokens, e.outputTokens]), [[240, 60], [360, 90]]);
    assert.equal(events.at(-1)?.type, 'result');
  });

  it('steers with turn/steer into the running turn: one turn, the message answered in it', () => {
    const { events } = replay('steer');
    assert.deepEqual(ofType(events, 'tool_result').map((e) => e.output), ['slept\n']);
    assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: true, text: 'steered: banana' }]);
  });

  it('interrupts with turn/interrupt: the turn ends interrupted, and nothing more is sent', () => {
    const { events, conversation } = replay('interrupt');
    assert.deepEqual(events.at(-1), { type: 'result', ok: false, error: 'interrupted' });
    assert.equal(conversation.steer!('too late'), undefined);
    assert.equal(conversation.interrupt!('again'), undefined);
  });

  it('turns a request to leave the sandbox into an approval, answered accept', () => {
    const { events, request } = replay('approval');
    const command = `/bin/bash -lc 'touch ${path.join(request.cwd, 'made.txt')}'`;
    assert.deepEqual(ofType(events, 'waiting').map((e) => [e.reason, e.request?.tool, e.request?.input]), [[`approval to use shell: ${command}`, 'shell', { command, cwd: request.cwd, reason: 'May I touch the file?' }]]);
    assert.deepEqual(ofType(events, 'tool_result').map((e) => e.isError), [false]);
    assert.equal(events.at(-1)?.type, 'result');
  });

  it('answers decline when a person denies it: Codex records the command as declined and goes on', () => {
    const { events } = replay('denied');
    assert.deepEqual(ofType(events, 'tool_result').map((e) => [e.output, e.isError]), [['declined', true]]);
    assert.deepEqual(events.at(-1), { type: 'result', ok: true, text: 'all done' });
  });

  it('reports a failed model call as an error and a failed result, and a retry Codex makes on its own as a retry', () => {
    const { events } = replay('error');
    const message = '{"error":{"message":"Invalid model: nope","type":"invalid_request_error","param":null,"code":null}}';
    assert.deepEqual(ofType(events, 'error'), [{ type: 'error', message }]);
    assert.deepEqual(events.at(-1), { type: 'result', ok: false, error: message });
    const retried = replay('retry').events;
    assert.deepEqual(ofType(retried, 'retry'), [{ type: 'retry', attempt: 1, of: 2, message: 'We’re currently experiencing high demand, which may cause temporary errors.' }]);
    assert.deepEqual(retried.at(-1), { type: 'result', ok: true, text: 'made it' });
  });

  it('asks for the run\'s model in thread/start; Codex\'s warning about a model it does not know is shown, not fatal', () => {
    const { events } = replay('unknown-model');
    assert.equal(ofType(events, 'session')[0]!.model, 'nope-model');
    assert.deepEqual(ofType(events, 'error').map((e) => e.message), ['Model metadata for `nope-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues.']);
    assert.deepEqual(events.at(-1), { type: 'result', ok: true, text: 'hi' });
  });
});

describe('Codex app-server client, edge cases', () => {
  const request: StartRequest = { prompt: 'Do it', cwd: '/w', settings: { binary: 'codex', extraArgs: [], model: 'gpt-5-mini', permissionMode: 'read-only' } };
  const parse = (line: string): Json => JSON.parse(line) as Json;
  /** A conversation with its thread open and its first turn (T1) running. */
  function running(approvals: 'ask' | 'deny' = 'ask'): Conversation {
    const c = createAppServerConversation({ ...request, hostApprovals: approvals === 'ask' }, approvals);
    const opened = c.read('{"id":1,"result":{}}')!.replies.map(parse);
    assert.deepEqual(opened, [{ method: 'initialized' }, { id: 2, method: 'thread/start', params: { cwd: '/w', model: 'gpt-5-mini', approvalPolicy: approvals === 'ask' ? 'on-request' : 'never', sandbox: 'read-only' } }]);
    const turn = c.read('{"id":2,"result":{"thread":{"id":"TH"},"model":"gpt-5-mini"}}')!;
    assert.deepEqual(turn.events, [{ type: 'session', sessionId: 'TH', model: 'gpt-5-mini' }]);
    assert.deepEqual(turn.replies.map(parse), [{ id: 3, method: 'turn/start', params: { threadId: 'TH', input: [{ type: 'text', text: 'Do it', text_elements: [] }] } }]);
    c.read('{"id":3,"result":{"turn":{"id":"T1","status":"inProgress"}}}');
    return c;
  }
  const completed = (turn: string, status = 'completed') => JSON.stringify({ method: 'turn/completed', params: { threadId: 'TH', turn: { id: turn, status, error: null } } });

  it('queues steering sent before the thread exists and sends it with the prompt', () => {
    const c = createAppServerConversation(request, 'deny');
    assert.deepEqual(c.steer!('early'), []);
    assert.equal(c.interrupt!('i'), undefined, 'nothing to interrupt yet: the supervisor signals instead');
    c.read('{"id":1,"result":{}}');
    const start = parse(c.read('{"id":2,"result":{"thread":{"id":"TH"}}}')!.replies[0]!);
    assert.deepEqual(start.params.input.map((i) => i.text), ['Do it', 'early']);
  });

  it('a steer too late for its turn (no active turn) starts the next turn with it; the run\'s result waits for that turn', () => {
    const c = running();
    const steer = parse(c.steer!('also this')![0]!);
    assert.deepEqual([steer.method, steer.params.expectedTurnId], ['turn/steer', 'T1']);
    assert.deepEqual(c.read(completed('T1')), { events: [], replies: [] }, 'no result while the steer is unanswered');
    const next = c.read(`{"id":${steer.id},"error":{"code":-32600,"message":"no active turn to steer"}}`)!.replies.map(parse);
    assert.deepEqual(next.map((m) => [m.method, m.params.input[0]!.text]), [['turn/start', 'also this']]);
    c.read(`{"id":${next[0]!.id},"result":{"turn":{"id":"T2"}}}`);
    c.read('{"method":"item/completed","params":{"threadId":"TH","item":{"type":"agentMessage","id":"m","text":"did both"}}}');
    assert.deepEqual(c.read(completed('T2'))!.events, [{ type: 'result', ok: true, text: 'did both' }]);
    // Idle again, and still reachable: a steer starts a turn of its own.
    assert.deepEqual(c.steer!('once more')!.map((l) => parse(l).method), ['turn/start']);
  });

  it('a steer taken just before its turn ended (answered after turn/completed) gives that turn\'s result: the run does not hang', () => {
    const c = running();
    const steer = parse(c.steer!('one more thing')![0]!);
    c.read('{"method":"item/completed","params":{"threadId":"TH","item":{"type":"agentMessage","id":"m","text":"done with both"}}}');
    assert.deepEqual(c.read(completed('T1')), { events: [], replies: [] }, 'held while the steer is unanswered');
    assert.deepEqual(c.read(`{"id":${steer.id},"result":{"turnId":"T1"}}`)!.events, [{ type: 'result', ok: true, text: 'done with both' }]);
  });

  it('a turn that refuses steering is interrupted, and the message starts the next turn', () => {
    const c = running();
    const steer = parse(c.steer!('change course')![0]!);
    const interrupt = c.read(`{"id":${steer.id},"error":{"code":-32600,"message":"cannot steer a review turn","data":{"codexErrorInfo":{"activeTurnNotSteerable":{"turnKind":"review"}}}}}`)!.replies.map(parse);
    assert.deepEqual(interrupt.map((m) => [m.method, m.params]), [['turn/interrupt', { threadId: 'TH', turnId: 'T1' }]]);
    const next = c.read(completed('T1', 'interrupted'))!;
    assert.deepEqual(next.events, [], 'the run goes on');
    assert.deepEqual(next.replies.map(parse).map((m) => [m.method, m.params.input[0]!.text]), [['turn/start', 'change course']]);
  });

  it('headless, declines an approval request at once and reports it with the result; a person\'s extra permissions are granted as asked', () => {
    const c = running('deny');
    c.read('{"method":"item/started","params":{"threadId":"TH","item":{"type":"fileChange","id":"p1","status":"inProgress","changes":[{"path":"/etc/x","kind":{"type":"add"},"diff":"secret"}]}}}');
    const asked = c.read('{"method":"item/fileChange/requestApproval","id":7,"params":{"threadId":"TH","turnId":"T1","itemId":"p1","reason":"outside the project"}}')!;
    assert.deepEqual(asked.replies.map(parse), [{ id: 7, result: { decision: 'decline' } }]);
    assert.deepEqual(c.read(completed('T1'))!.events, [{ type: 'result', ok: true, denials: [{ tool: 'apply_patch', what: '/etc/x', id: 'p1' }] }]);

    const person = running('ask');
    const perms = person.read('{"method":"item/permissions/requestApproval","id":"r9","params":{"threadId":"TH","turnId":"T1","itemId":"i","cwd":"/w","reason":"needs the network","permissions":{"network":{"enabled":true},"fileSystem":null}}}')!;
    const waiting = ofType(perms.events, 'waiting')[0]!;
    assert.equal(waiting.reason, 'approval to use permissions: needs the network');
    assert.deepEqual(parse(person.answer!(waiting.request!, true)![0]!), { id: 'r9', result: { permissions: { network: { enabled: true } }, scope: 'turn' } });
    assert.equal(person.answer!(waiting.request!, false), undefined, 'answered once');
  });

  it('refuses the requests it does not serve, ignores other threads, and leaves stderr raw', () => {
    const c = running();
    assert.deepEqual(c.read('{"method":"item/tool/requestUserInput","id":3,"params":{"threadId":"TH"}}')!.replies.map(parse), [{ id: 3, error: { code: -32601, message: 'item/tool/requestUserInput is not offered by this client' } }]);
    assert.deepEqual(c.read('{"method":"thread/tokenUsage/updated","params":{"threadId":"OTHER","tokenUsage":{"total":{"inputTokens":9,"outputTokens":9}}}}')!.events, []);
    assert.deepEqual(c.read('{"method":"turn/completed","params":{"threadId":"OTHER","turn":{"status":"completed"}}}')!.events, []);
    assert.equal(c.read('WARNING: proceeding, even though we could not create PATH aliases'), undefined);
  });

  it('is the codex runner\'s live variant and its default: `codex app-server` with Switchboard\'s MCP server; runners.codex.protocol `json` is `codex exec`', () => {
    const runner = codexAppServerRunner(codexRunner);
    const spec = runner.build({ ...request, settings: { ...request.settings, extraArgs: ['-c', 'x=1'] }, mcp: { url: 'http://127.0.0.1:9/mcp', tokenEnv: 'TOKEN' } });
    assert.deepEqual(spec.args, ['app-server', '-c', 'mcp_servers.switchboard.url="http://127.0.0.1:9/mcp"', '-c', 'mcp_servers.switchboard.bearer_token_env_var="TOKEN"', '-c', 'x=1']);
    assert.deepEqual([spec.stdin, spec.initialInput], ['pipe', [appServerInitializeLine()]]);
    assert.equal(runner.steering, 'live');
    assert.equal(protocolFor('codex', undefined), 'app-server', 'the default, resuming too');
    assert.equal(protocolFor('codex', undefined, true), 'app-server');
    assert.equal(protocolFor('codex', 'json'), 'json');
    assert.equal(runnerFor('codex', 'app-server').steering, 'live');
    assert.equal(runnerFor('codex', 'json').steering, 'interrupt-resume');
    assert.throws(() => protocolFor('codex', 'acp'), /does not speak "acp"/);
    // Options of codex exec would make the app-server exit at once: refused when the run is made, with the way out.
    for (const extra of [['--full-auto'], ['-p', 'work'], ['-c', 'x=1', '--oss']]) {
      assert.throws(() => runner.build({ ...request, settings: { ...request.settings, extraArgs: extra } }), (e: Error & { hint?: string }) => /codex app-server does not take the extra argument/.test(e.message) && /protocol to "json"/.test(e.hint ?? ''), extra.join(' '));
    }
    assert.equal(appServerArgsProblem(['--config=a=1', '--enable', 'x', '--disable', 'y']), undefined);
  });
});
