/** The ACP client (src/core/runners/acp.ts) against lines the real CLIs sent (Gemini CLI 0.61, opencode 1.18), shortened. */
import * as assert from 'node:assert/strict';
import { acpInitializeLine, createAcpConversation } from '../../src/core/runners/acp';
import type { StartRequest } from '../../src/core/runners/types';
import { protocolFor } from '../../src/core/runners/runnerTable';

const request = (extra: Partial<StartRequest> = {}): StartRequest => ({ prompt: 'Create hello.txt', cwd: '/w', settings: { binary: 'x', extraArgs: [] }, ...extra });
const parse = (line: string): Record<string, unknown> => JSON.parse(line) as Record<string, unknown>;
const update = (u: Record<string, unknown>): string => JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId: 'S1', update: u } });
const INIT_OK = '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":1,"agentCapabilities":{"loadSession":true,"sessionCapabilities":{"resume":{}}},"authMethods":[]}}';

describe('ACP client', () => {
  it('opens with initialize, then session/new, then the prompt; records the session, text, tool call and the turn\'s tokens', () => {
    assert.equal(parse(acpInitializeLine()).method, 'initialize');
    const c = createAcpConversation({ request: request(), permissions: 'ask' });
    const afterInit = c.read(INIT_OK)!;
    assert.deepEqual(afterInit.replies.map((r) => parse(r).method), ['session/new']);
    const afterSession = c.read('{"jsonrpc":"2.0","id":2,"result":{"sessionId":"S1"}}')!;
    assert.deepEqual(afterSession.events, [{ type: 'session', sessionId: 'S1' }]);
    const promptLine = parse(afterSession.replies[0]!);
    assert.deepEqual([promptLine.method, promptLine.id, (promptLine.params as { prompt: unknown }).prompt], ['session/prompt', 3, [{ type: 'text', text: 'Create hello.txt' }]]);
    assert.deepEqual(c.read(update({ sessionUpdate: 'tool_call', toolCallId: 'c1', title: 'write', kind: 'edit', status: 'pending', rawInput: {} }))!.events, []);
    assert.deepEqual(c.read(update({ sessionUpdate: 'tool_call_update', toolCallId: 'c1', status: 'in_progress', rawInput: { filePath: '/w/hello.txt', content: 'hi' } }))!.events, [{ type: 'tool_call', name: 'write', callId: 'c1', input: { filePath: '/w/hello.txt', content: 'hi' } }]);
    assert.deepEqual(c.read(update({ sessionUpdate: 'tool_call_update', toolCallId: 'c1', status: 'completed', content: [{ type: 'content', content: { type: 'text', text: 'Wrote file successfully.' } }] }))!.events, [{ type: 'tool_result', callId: 'c1', output: 'Wrote file successfully.', isError: false }]);
    assert.deepEqual(c.read(update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'I wrote ' } }))!.events, []);
    assert.deepEqual(c.read(update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'hello.txt.' } }))!.events, []);
    assert.deepEqual(c.read('{"jsonrpc":"2.0","id":3,"result":{"stopReason":"end_turn","usage":{"inputTokens":120,"outputTokens":30,"totalTokens":150}}}')!.events, [
      { type: 'usage', inputTokens: 120, outputTokens: 30 },
      { type: 'text', text: 'I wrote hello.txt.' },
      { type: 'result', ok: true, text: 'I wrote hello.txt.' },
    ]);
    assert.equal(c.read('Ripgrep is not available. Falling back to GrepTool.'), undefined, 'stderr stays raw');
  });

  it('turns a permission request into an approval, and answers it with the agent\'s own option', () => {
    const c = createAcpConversation({ request: request(), permissions: 'ask' });
    c.read(INIT_OK);
    c.read('{"jsonrpc":"2.0","id":2,"result":{"sessionId":"S1"}}');
    const asked = c.read('{"jsonrpc":"2.0","id":0,"method":"session/request_permission","params":{"sessionId":"S1","options":[{"optionId":"proceed_always","name":"Allow for this session","kind":"allow_always"},{"optionId":"proceed_once","name":"Allow","kind":"allow_once"},{"optionId":"cancel","name":"Reject","kind":"reject_once"}],"toolCall":{"toolCallId":"t1","status":"pending","title":"touch /w/made.txt","kind":"execute","rawInput":{"command":"touch /w/made.txt"}}}}')!;
    const waiting = asked.events.find((e) => e.type === 'waiting');
    assert.deepEqual(waiting, { type: 'waiting', reason: 'approval to use touch /w/made.txt: touch /w/made.txt', request: { id: 'acp-0', tool: 'touch /w/made.txt', input: { command: 'touch /w/made.txt' } } });
    assert.deepEqual(asked.replies, [], 'nothing is answered before a person does');
    assert.deepEqual(parse(c.answer!({ id: 'acp-0', tool: 'x' }, false)![0]!), { jsonrpc: '2.0', id: 0, result: { outcome: { outcome: 'selected', optionId: 'cancel' } } });
    assert.equal(c.answer!({ id: 'acp-0', tool: 'x' }, true), undefined, 'answered once');
  });

  it('headless, refuses a permission request at once and reports it with the result', () => {
    const c = createAcpConversation({ request: request(), permissions: 'deny' });
    c.read(INIT_OK);
    c.read('{"jsonrpc":"2.0","id":2,"result":{"sessionId":"S1"}}');
    const asked = c.read('{"jsonrpc":"2.0","id":7,"method":"session/request_permission","params":{"sessionId":"S1","options":[{"optionId":"once","kind":"allow_once"},{"optionId":"reject","kind":"reject_once"}],"toolCall":{"toolCallId":"t1","title":"bash","rawInput":{"command":"rm -rf build"}}}}')!;
    assert.deepEqual(parse(asked.replies[0]!).result, { outcome: { outcome: 'selected', optionId: 'reject' } });
    const end = c.read('{"jsonrpc":"2.0","id":3,"result":{"stopReason":"end_turn"}}')!.events;
    assert.deepEqual(end.at(-1), { type: 'result', ok: true, denials: [{ tool: 'bash', what: 'rm -rf build', id: 't1' }] });
  });

  it('steers with one more prompt (queued until the session exists), ends the turn with the last prompt, and cancels', () => {
    const c = createAcpConversation({ request: request(), permissions: 'ask' });
    assert.deepEqual(c.steer!('early'), [], 'queued before the session');
    assert.equal(c.interrupt!('i'), undefined, 'nothing to cancel before the session');
    c.read(INIT_OK);
    const prompts = c.read('{"jsonrpc":"2.0","id":2,"result":{"sessionId":"S1"}}')!.replies.map(parse);
    assert.deepEqual(prompts.map((p) => (p.params as { prompt: { text: string }[] }).prompt[0]!.text), ['Create hello.txt', 'early']);
    const late = parse(c.steer!('say banana')![0]!);
    assert.equal(late.method, 'session/prompt');
    // Gemini CLI cancels the running prompt for the new one: no result until the last prompt ends.
    assert.deepEqual(c.read('{"jsonrpc":"2.0","id":3,"result":{"stopReason":"cancelled"}}')!.events, []);
    assert.deepEqual(c.read('{"jsonrpc":"2.0","id":4,"result":{"stopReason":"cancelled"}}')!.events, []);
    assert.deepEqual(c.interrupt!('i')!.map(parse), [{ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId: 'S1' } }]);
    assert.deepEqual(c.read(`{"jsonrpc":"2.0","id":${String(late.id)},"result":{"stopReason":"cancelled"}}`)!.events, [{ type: 'result', ok: false, error: 'cancelled' }]);
    assert.equal(c.steer!('too late'), undefined);
  });

  it('resumes with session/resume where offered, and says why a session cannot be continued', () => {
    const c = createAcpConversation({ request: request({ resumeSessionId: 'S0' }), permissions: 'ask' });
    assert.deepEqual(parse(c.read(INIT_OK)!.replies[0]!).method, 'session/resume');
    const loaded = createAcpConversation({ request: request({ resumeSessionId: 'S0' }), permissions: 'ask' });
    assert.deepEqual(parse(loaded.read('{"jsonrpc":"2.0","id":1,"result":{"agentCapabilities":{"loadSession":true}}}')!.replies[0]!).method, 'session/load');
    assert.deepEqual(loaded.read(update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: 'old answer' } }))!.events, [], 'the replayed history is not this run\'s');
    const failed = loaded.read('{"jsonrpc":"2.0","id":2,"error":{"code":-32603,"message":"Internal error","data":{"details":"No previous sessions found for this project."}}}')!.events;
    assert.deepEqual(failed.at(-1), { type: 'result', ok: false, error: 'could not resume session S0: Internal error (No previous sessions found for this project.)' });
  });

  it("picks the protocol: Gemini CLI and the Copilot CLI over ACP, but Gemini CLI's resumes over one-shot JSON (its session/load misses sessions); the settings win", () => {
    assert.equal(protocolFor('gemini', undefined), 'acp');
    assert.equal(protocolFor('gemini', undefined, true), 'json');
    assert.equal(protocolFor('gemini', 'acp', true), 'acp');
    assert.equal(protocolFor('opencode', undefined), 'json');
    assert.equal(protocolFor('opencode', 'acp', true), 'acp');
    assert.equal(protocolFor('copilot', undefined), 'acp');
    assert.equal(protocolFor('copilot', undefined, true), 'acp', 'the Copilot CLI resumes over ACP');
    assert.equal(protocolFor('copilot', 'json'), 'json');
    assert.equal(protocolFor('claude', undefined), undefined);
  });
});
