/** Operations defined once: every call is checked on the way in and on the way out, counted, and never throws. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { SwitchboardError } from '../../src/core/errors';
import { silentLogger } from '../../src/core/logger';
import type { RunRegistry } from '../../src/core/registry/registry';
import { Warnings } from '../../src/core/registry/warnings';
import type { Switchboard } from '../../src/core/switchboard';
import { invokeOperation } from '../../src/ops/invoke';
import { Metrics } from '../../src/ops/metrics';
import { defineOperation, type OpContext } from '../../src/ops/operation';
import { OPERATIONS } from '../../src/ops/operations';

const echo = defineOperation({
  name: 'echo',
  title: 'Echo',
  description: 'Says back what it is given; `lie` makes it answer outside its schema, `fail` throws.',
  input: z.strictObject({ text: z.string().min(1), lie: z.boolean().optional(), fail: z.enum(['switchboard', 'bug']).optional() }),
  output: z.object({ text: z.string(), length: z.number() }),
  async handle({ text, lie, fail }) {
    if (fail === 'switchboard') throw new SwitchboardError('unknown_run', 'No run is called "x".', 'List the runs.');
    if (fail === 'bug') throw new TypeError('cannot read properties of undefined');
    return { structured: lie ? ({ text, length: 'long' } as never) : { text, length: text.length }, summary: `said ${text}` };
  },
});

const keptPage = [{ n: 1 }];

/** A page of items it checked itself (`checkedItems`); `lie` breaks the envelope, `bad_item` an item (not checked again). */
const pager = defineOperation({
  name: 'pager',
  title: 'Pager',
  description: 'Answers a page of items it checked itself; `lie` or `bad_item` answer outside its schema.',
  input: z.strictObject({ lie: z.enum(['count', 'next_offset', 'items']).optional(), bad_item: z.boolean().optional() }),
  output: z.object({ count: z.number(), items: z.array(z.object({ n: z.number() })), next_offset: z.number().optional() }),
  async handle({ lie, bad_item }) {
    const items = lie === 'items' ? ('none' as unknown as { n: number }[]) : bad_item ? [{ n: 'one' as unknown as number }] : keptPage;
    const structured = { count: lie === 'count' ? ('many' as unknown as number) : 3, items, next_offset: lie === 'next_offset' ? ('2' as unknown as number) : 1 };
    return { structured, summary: 'a page', checkedItems: 'items' };
  },
});

describe('invoking an operation', () => {
  const errors: string[] = [];
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-invoke-'));
  const metrics = new Metrics({ briefs: () => [] } as unknown as RunRegistry, stateDir);
  after(() => fs.rmSync(stateDir, { recursive: true, force: true }));
  const ctx: OpContext = {
    sb: { warnings: new Warnings(silentLogger) } as unknown as Switchboard,
    host: { version: '0', metrics, logger: { ...silentLogger, error: (m) => errors.push(m) }, doctor: () => Promise.reject(new Error('no')), server: () => ({ transports: [], clients: [] }), defaultCwd: () => undefined, guard: () => {} },
    source: 'test',
    signal: new AbortController().signal,
    progress: async () => {},
  };

  it('answers with the structured output, checked, and a summary', async () => {
    assert.deepEqual(await invokeOperation(echo, 'echo', { text: 'hi' }, ctx), { ok: true, structured: { text: 'hi', length: 2 }, summary: 'said hi' });
  });

  it('names the bad field, refuses unknown tools, and keeps a SwitchboardError as it is', async () => {
    assert.deepEqual(await invokeOperation(echo, 'echo', { text: 3 }, ctx), { ok: false, code: 'invalid_argument', message: 'echo: `text` must be a string, not number 3.' });
    assert.equal((await invokeOperation(undefined, 'nope', {}, ctx)).ok, false);
    assert.deepEqual(await invokeOperation(echo, 'echo', { text: 'x', fail: 'switchboard' }, ctx), { ok: false, code: 'unknown_run', message: 'No run is called "x".', hint: 'List the runs.' });
  });

  it('never sends an answer outside the output schema, and logs why', async () => {
    const answer = await invokeOperation(echo, 'echo', { text: 'x', lie: true }, ctx);
    assert.equal(answer.ok, false);
    assert.equal(!answer.ok && answer.code, 'internal');
    assert.match(errors.at(-1)!, /echo answered outside its output schema: `length` must be a number/);
  });

  it('checks the envelope of an answer whose items the handler checked (count, next_offset), not the items again', async () => {
    const page = await invokeOperation(pager, 'pager', {}, ctx);
    assert.deepEqual(page, { ok: true, structured: { count: 3, items: [{ n: 1 }], next_offset: 1 }, summary: 'a page' });
    assert.equal(page.ok && page.structured.items, keptPage, 'the list itself, not a copy (its kept text goes with it)');
    for (const lie of ['count', 'next_offset', 'items']) {
      const answer = await invokeOperation(pager, 'pager', { lie }, ctx);
      assert.equal(!answer.ok && answer.code, 'internal', lie);
      assert.match(errors.at(-1)!, new RegExp(`pager answered outside its output schema: \`${lie}\``));
    }
    assert.equal((await invokeOperation(pager, 'pager', { bad_item: true }, ctx)).ok, true, 'items are the handler\'s to check');
  });

  it('turns a bug into an internal error, logged with its stack, and counts every call', async () => {
    const answer = await invokeOperation(echo, 'echo', { text: 'x', fail: 'bug' }, ctx);
    assert.equal(!answer.ok && answer.code, 'internal');
    assert.match(errors.at(-1)!, /TypeError: cannot read properties of undefined/);
    const counted = metrics.snapshot().process.by_tool.echo!;
    assert.ok(counted.calls === 5 && counted.errors === 4, JSON.stringify(counted));
  });

  it('says with its answer what Switchboard found wrong in the state folder while it worked, and only that', async () => {
    ctx.sb.warnings.add('found before');
    const warner = defineOperation({
      name: 'warner',
      title: 'Warner',
      description: 'Finds a corrupt record as it answers, as a listing may.',
      input: z.strictObject({}),
      output: z.object({ ok: z.boolean() }),
      async handle(_args, c) {
        c.sb.warnings.add('The record of run r1 was corrupt; it was set aside as r1/run.json.corrupt-1.');
        return { structured: { ok: true }, summary: 'Listed.' };
      },
    });
    assert.deepEqual(await invokeOperation(warner, 'warner', {}, ctx), { ok: true, structured: { ok: true }, summary: 'Listed. Switchboard found: The record of run r1 was corrupt; it was set aside as r1/run.json.corrupt-1.' });
    assert.equal(((await invokeOperation(warner, 'warner', {}, ctx)) as { summary: string }).summary.match(/found/g)?.length, 1, 'each warning once, with the call that found it');
  });

  it('every operation has a unique name, a title, a description and object schemas', () => {
    assert.equal(new Set(OPERATIONS.map((o) => o.name)).size, OPERATIONS.length);
    for (const op of OPERATIONS) assert.ok(op.title && op.description.length > 20 && op.input instanceof z.ZodObject && op.output instanceof z.ZodObject, op.name);
  });
});
