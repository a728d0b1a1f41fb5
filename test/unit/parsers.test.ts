/** The runners' parsers against real output captured from the real CLIs (test/fixtures/transcripts). */
import * as assert from 'node:assert/strict';
import { getRunner } from '../../src/core/runners/runnerTable';
import { feedTranscript, ofType } from '../support/transcripts';

const parse = (runner: string, file: string) => feedTranscript(runner, [file]);

describe('runner parsers on real CLI output', () => {
  it('Claude Code: session, the Write tool call and result, text, usage with reported cost, success', () => {
    const { events, unparsed } = parse('claude', 'oneshot.jsonl');
    assert.deepEqual(unparsed, []);
    assert.equal(ofType(events, 'session')[0]?.sessionId, 'd976ab7b-4028-4f8a-924f-d8cccbdb3ecd');
    assert.equal(ofType(events, 'tool_call')[0]?.name, 'Write');
    assert.equal(ofType(events, 'tool_result').length, 1);
    assert.ok(ofType(events, 'text').length >= 1);
    const usage = ofType(events, 'usage').filter((u) => !u.provisional)[0]!;
    assert.deepEqual([usage.inputTokens, usage.outputTokens, usage.usd], [240, 60, 0.00216]);
    // Each model call's usage comes as it happens, marked provisional, with its message id.
    const calls = ofType(events, 'usage').filter((u) => u.provisional);
    assert.ok(calls.length >= 1 && calls.every((c) => c.messageId && c.usd === undefined));
    assert.equal(ofType(events, 'result')[0]?.ok, true);
  });

  it('Claude Code: a provider error ends in a failed result even though its subtype says success', () => {
    const { events } = parse('claude', 'error.jsonl');
    const result = ofType(events, 'result').at(-1)!;
    assert.equal(result.ok, false);
    assert.ok(result.error);
  });

  it('Claude Code: an interrupt yields a failed result for that turn and the session goes on', () => {
    const { events } = parse('claude', 'interrupt.jsonl');
    const results = ofType(events, 'result');
    assert.equal(results[0]?.ok, false);
    assert.equal(results.at(-1)?.ok, true);
  });

  it('Claude Code: a tool call asked of the host (--permission-prompt-tool stdio) is a waiting event carrying the request', () => {
    const { events, unparsed } = parse('claude', 'approval-denied.jsonl');
    assert.deepEqual(unparsed, []);
    const [waiting] = ofType(events, 'waiting');
    assert.equal(waiting?.reason, 'approval to use Bash: touch /tmp/sb-outside/made.txt');
    assert.equal(waiting?.request?.tool, 'Bash');
    assert.match(waiting?.request?.id ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(waiting?.request?.input, { command: 'touch /tmp/sb-outside/made.txt', description: 'Run command' });
    assert.ok(ofType(events, 'tool_result').some((r) => r.isError && r.output === 'not today'), 'the denial reached the model as the tool result');
    const answer = JSON.parse(getRunner('claude').approvalInput!(waiting!.request!, true));
    assert.deepEqual(answer, { type: 'control_response', response: { subtype: 'success', request_id: waiting!.request!.id, response: { behavior: 'allow', updatedInput: waiting!.request!.input } } });
  });

  it('Codex: thread id, the apply_patch change, the final message, usage, success', () => {
    const { events } = parse('codex', 'oneshot.jsonl');
    assert.equal(ofType(events, 'session')[0]?.sessionId, '01a1fc7f-f5ad-7c80-a7a5-c67154600780');
    assert.equal(ofType(events, 'tool_call')[0]?.name, 'apply_patch');
    assert.equal(ofType(events, 'text')[0]?.text, 'Wrote hello.txt.');
    const usage = ofType(events, 'usage')[0]!;
    assert.deepEqual([usage.inputTokens, usage.outputTokens], [240, 60]);
    assert.deepEqual(ofType(events, 'result')[0], { type: 'result', ok: true, text: 'Wrote hello.txt.' });
  });

  it('Codex: a failed turn is a failed result', () => {
    const { events } = parse('codex', 'error.jsonl');
    assert.equal(ofType(events, 'result').at(-1)?.ok, false);
  });

  it('Gemini CLI: streamed deltas are joined into one text, usage and the real model come from the result', () => {
    const { events } = parse('gemini', 'oneshot.jsonl');
    assert.equal(ofType(events, 'session')[0]?.sessionId, '82422578-cb9f-4a34-8644-2ad468b36d7e');
    assert.equal(ofType(events, 'tool_call')[0]?.name, 'write_file');
    assert.deepEqual(ofType(events, 'text').map((e) => e.text), ['I wrote hello.txt for you.']);
    const usage = ofType(events, 'usage')[0]!;
    assert.deepEqual([usage.inputTokens, usage.outputTokens], [240, 60]);
    // Its router (gemini-3.5-flash-lite, listed first with no tokens here) is not the model that did the work.
    assert.equal(ofType(events, 'session').at(-1)?.model, 'gemini-3.8-flash');
    assert.equal(ofType(events, 'result')[0]?.ok, true);
  });

  it('Gemini CLI: an error result is a failed result', () => {
    const { events } = parse('gemini', 'error.jsonl');
    assert.equal(ofType(events, 'result').at(-1)?.ok, false);
  });

  it('Qwen Code: session, write_file, text, session-wide usage, success; an API error is a failed result', () => {
    const { events, unparsed } = parse('qwen', 'oneshot.jsonl');
    assert.deepEqual(unparsed, []);
    assert.ok(ofType(events, 'session')[0]?.sessionId);
    assert.equal(ofType(events, 'tool_call')[0]?.name, 'write_file');
    assert.deepEqual(ofType(events, 'usage').filter((u) => !u.provisional).map((u) => [u.inputTokens, u.outputTokens, u.usd]), [[240, 60, undefined]]);
    assert.equal(ofType(events, 'result')[0]?.ok, true);
    const failed = ofType(parse('qwen', 'error.jsonl').events, 'result').at(-1)!;
    assert.equal(failed.ok, false);
    assert.match(failed.error ?? '', /API Error: 400/);
  });

  it('a line no parser understands is left as raw output, never an error', () => {
    for (const runner of ['claude', 'codex', 'gemini', 'qwen']) {
      const parser = getRunner(runner).createParser();
      assert.equal(parser('Warning: something odd {not json'), undefined);
      assert.equal(parser('{"type":"brand_new_event_kind"}'), undefined);
    }
  });
});
