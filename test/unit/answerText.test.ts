/** answerText: the bytes of JSON.stringify, with a kept list's frozen items serialized once and joined after (a frozen list's bytes kept), never stale. */
import * as assert from 'node:assert/strict';
import { answerPieces, answerText, deepFreeze, keepItemTexts } from '../../src/ops/answerText';

const item = (n: number): Record<string, unknown> => ({ id: `run-${n}`, prompt: `say "hi" \u2028 ü\n\t${n}`, pid: undefined, usage: { input_tokens: n, usd: 0.01 }, gone: () => 1 });

describe('answerText', () => {
  it('writes what JSON.stringify writes, for answers, JSON-RPC results holding a kept list, and anything else', () => {
    const agents = [deepFreeze(item(1)), item(2), deepFreeze(item(3)), null, 7];
    keepItemTexts(agents);
    const answer = { count: 5, agents, next_offset: 5 };
    const message = { jsonrpc: '2.0', id: 9, result: { content: [{ type: 'text', text: 'summary with "quotes"' }], structuredContent: answer, _meta: { a: 1 } } };
    for (const value of [answer, message, { plain: [1, 2] }, [agents], 'text', 3, null]) {
      assert.equal(answerText(value), JSON.stringify(value));
      assert.equal(answerText(value), JSON.stringify(value), 'and again, from the kept texts');
    }
  });

  it('keeps no text of an item that may change: a changed item is written as it is now', () => {
    const mutable = item(1);
    const frozen = deepFreeze(item(2));
    const agents = [mutable, frozen];
    keepItemTexts(agents);
    const first = answerText({ agents });
    mutable.prompt = 'changed';
    const second = answerText({ agents });
    assert.notEqual(second, first);
    assert.equal(second, JSON.stringify({ agents }));
    assert.throws(() => ((frozen.usage as { usd: number }).usd = 2), TypeError, 'a kept item cannot change under its text, however deep');
  });

  it("keeps a frozen list's bytes: answered again, only the fields around it are serialized", () => {
    const agents = deepFreeze([item(1), item(2)]);
    keepItemTexts(agents);
    const message = (id: number): unknown => ({ jsonrpc: '2.0', id, result: { structuredContent: { count: 2, agents } } });
    const first = answerPieces(message(1));
    const second = answerPieces(message(2));
    assert.ok(Buffer.isBuffer(first[1]) && first[1] === second[1], 'the same bytes, made once');
    assert.equal(Buffer.concat(second.map((p) => (typeof p === 'string' ? Buffer.from(p) : p))).toString('utf8'), JSON.stringify(message(2)));
  });
});
