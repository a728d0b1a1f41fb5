/**
 * `GET /api/v1/events`: the live feed as Server-Sent Events over real HTTP. Changes written while a
 * client reads, drops the connection and comes back with Last-Event-ID all arrive, once each and
 * in order; the filters by type (with `goal.*`), team, goal and run; redaction, with the secrets
 * remembered bounded; the heartbeat; the errors.
 */
import * as assert from 'node:assert/strict';
import { Journal } from '../../src/core/feed/journal';
import type { FeedChange } from '../../src/core/feed/feedEvent';
import type { Logger } from '../../src/core/logger';
import { StateMap } from '../../src/core/state/stateMap';
import { McpService, type McpHttp } from '../../src/mcp/mcpService';
import { apiClient, SseReader } from '../support/apiClient';
import { createHarness, fakeCommand, until, type Harness } from '../support/harness';

const quiet: Logger = { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) };

/** The n-th change the writer makes: runs, tasks of team alpha, and goal g1 in turn. */
function change(n: number): FeedChange {
  switch (n % 3) {
    case 0:
      return { type: 'agent.updated', key: 'run:r1', entity: { n } };
    case 1:
      return { type: 'task.completed', key: 'task:alpha/T1', entity: { n, team: 'alpha' } };
    default:
      return { type: 'goal.updated', key: 'goal:g1', entity: { n, id: 'g1' } };
  }
}

describe('HTTP API: the event stream', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: McpService;
  let served: McpHttp;
  let journal: Journal;
  const readers: SseReader[] = [];
  const headers = (): Record<string, string> => ({ authorization: `Bearer ${service.token()}` });
  const open = (query: string, more: Record<string, string> = {}): SseReader => {
    const reader = new SseReader(`${served.apiUrl}/events${query}`, { ...headers(), ...more });
    readers.push(reader);
    return reader;
  };

  before(async () => {
    h = await createHarness();
    service = new McpService({ switchboard: h.switchboard, logger: quiet, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {}, events: { heartbeatMs: 200, maxRememberedSecrets: 3 } });
    served = await service.startHttp();
    // Another writer of the same state folder, as another process would be.
    journal = new Journal(new StateMap(h.stateDir));
  });
  afterEach(async () => {
    await Promise.all(readers.splice(0).map((r) => r.close()));
  });
  after(async () => {
    journal.dispose();
    await service.dispose();
    await h.cleanup();
  });

  /** Appends `count` changes, `perTick` every 5 ms; resolves with their seqs. */
  async function write(count: number, perTick = 3): Promise<number[]> {
    const seqs: number[] = [];
    for (let n = 0; n < count; ) {
      for (let i = 0; i < perTick && n < count; i++, n++) seqs.push(journal.append(change(n))!.seq);
      await new Promise((r) => setTimeout(r, 5));
    }
    return seqs;
  }

  it('loses nothing through a reconnect with Last-Event-ID: every change once, in order, with id = its seq', async () => {
    const head = h.switchboard.feed.head();
    const first = open(`?since=${head}`);
    const writing = write(600);
    await until(() => first.data().length >= 100, 20_000, 'a hundred events');
    await first.close();
    const got = first.events.filter((e) => e.data !== undefined);
    const lastId = got.at(-1)!.id!;
    for (const e of got) assert.equal(e.id, String(JSON.parse(e.data!).seq), 'id: is the seq');
    // Changes go on being written while nobody listens.
    await new Promise((r) => setTimeout(r, 300));
    const second = open('', { 'last-event-id': lastId });
    const seqs = await writing;
    await until(() => (second.data().at(-1)?.seq ?? 0) >= seqs.at(-1)!, 20_000, 'the rest');
    const all = [...first.data(), ...second.data()].map((e) => e.seq);
    assert.deepEqual(all, seqs, 'each change exactly once, in order');
    assert.ok(second.data()[0]!.seq === Number(lastId) + 1, 'the second stream starts right after the last id seen');
    assert.equal(second.events.find((e) => e.data)?.event, change(all.indexOf(Number(lastId) + 1)).type, 'event: is the type');
  });

  it('filters by type (goal.* and repeated), by team and by goal', async () => {
    const head = h.switchboard.feed.head();
    const goals = open(`?since=${head}&type=goal.*`);
    const mixed = open(`?since=${head}&type=task.completed&type=goal.*`);
    const team = open(`?since=${head}&team=alpha`);
    const goal = open(`?since=${head}&goal=g1`);
    const seqs = await write(30);
    const last = seqs.at(-1)!;
    const upTo = (r: SseReader, type: string): Promise<void> => until(() => r.data().some((e) => e.seq >= last - 2 && e.type.startsWith(type.split('.')[0]!)), 10_000, type);
    await Promise.all([upTo(goals, 'goal'), upTo(mixed, 'goal'), upTo(team, 'task'), upTo(goal, 'goal')]);
    assert.ok(goals.data().length === 10 && goals.data().every((e) => e.type === 'goal.updated'), JSON.stringify(goals.data().map((e) => e.type)));
    assert.equal(mixed.data().length, 20);
    assert.ok(mixed.data().every((e) => e.type === 'goal.updated' || e.type === 'task.completed'));
    assert.ok(team.data().length === 10 && team.data().every((e) => e.key === 'task:alpha/T1'));
    assert.ok(goal.data().length === 10 && goal.data().every((e) => e.key === 'goal:g1'));
  });

  it("follows one run's changes with ?run= (its name will do)", async () => {
    const api = apiClient(served.listener.origin, service.token());
    const unknown = open('?run=sse-run');
    await until(() => unknown.status !== 0, 5000, 'an answer');
    assert.equal(unknown.status, 404, 'no such run yet');
    const started = await api<{ id: string }>('POST', '/runs', { runner: 'custom', prompt: 'hi', command: fakeCommand('--lines', '3'), name: 'sse-run' });
    assert.equal(started.status, 201);
    const own = open('?since=0&run=sse-run&type=agent');
    await until(() => own.data().some((e) => e.type === 'agent.completed'), 20_000, 'the run to end');
    assert.ok(own.data().every((e) => e.key === `run:${started.body.id}`));
    assert.ok(own.data().some((e) => e.type === 'agent.started'));
  });

  it('takes a Last-Event-ID beyond the head (of a feed since removed) for now', async () => {
    const ahead = open('', { 'last-event-id': String(h.switchboard.feed.head() + 1000) });
    await until(() => ahead.status === 200, 5000, 'the stream');
    const [seq] = await write(1);
    await until(() => ahead.data().some((e) => e.seq === seq), 10_000, 'the next change');
  });

  it("carries no secret in clear: what a run's change says is redacted, the same secret the same placeholder", async () => {
    const key = 'sk-ant-api03-' + 'Q'.repeat(40) + 'xyz';
    const stream = open('?type=agent.failed');
    await until(() => stream.status === 200, 5000, 'the stream');
    const seq = journal.append({ type: 'agent.failed', key: 'run:leaky', entity: { id: 'leaky', prompt: `use ${key}`, lastError: `401 for ${key}` } })!.seq;
    await until(() => stream.data().some((e) => e.seq === seq), 10_000, 'the change');
    const sent = JSON.stringify(stream.data().find((e) => e.seq === seq));
    assert.ok(!sent.includes(key.slice(10, 30)), sent);
    const placeholders = sent.match(/<<REDACTED_[A-Z_]+_\d+>>/g) ?? [];
    assert.equal(placeholders.length, 2, sent);
    assert.equal(placeholders[0], placeholders[1]);
  });

  it('remembers a bounded number of secrets: past it, a secret seen again gets a new placeholder, never another one\'s', async () => {
    const keys = ['A', 'B', 'C', 'D', 'E'].map((c) => `AKIA${c.repeat(16)}`);
    const stream = open('?type=agent.failed');
    await until(() => stream.status === 200, 5000, 'the stream');
    const seqs = [...keys, keys[0]!].map((k, i) => journal.append({ type: 'agent.failed', key: `run:many${i}`, entity: { id: `many${i}`, lastError: `denied for ${k}` } })!.seq);
    await until(() => seqs.every((seq) => stream.data().some((e) => e.seq === seq)), 10_000, 'the changes');
    const shown = seqs.map((seq) => JSON.stringify(stream.data().find((e) => e.seq === seq)).match(/<<REDACTED_AWS_KEY_(\d+)>>/)![1]);
    assert.ok(!JSON.stringify(stream.data()).includes('AKIA'), 'no key in clear');
    assert.equal(new Set(shown).size, shown.length, `each sight a number no other secret had: ${shown.join(' ')}`);
    assert.deepEqual(shown.map(Number), [...shown.map(Number)].sort((a, b) => a - b), 'numbers go on counting');
  });

  it('sends a heartbeat comment while nothing happens', async () => {
    const quietStream = open('?type=breaker.reset');
    await until(() => quietStream.events.filter((e) => e.comment === 'heartbeat').length >= 2, 5000, 'two heartbeats');
    assert.equal(quietStream.status, 200);
  });

  it('refuses an unknown type, a bad Last-Event-ID and a missing token', async () => {
    const api = apiClient(served.listener.origin, service.token());
    const bad = await api<{ error: { code: string; message: string; hint: string } }>('GET', '/events?type=agent.exploded');
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /Unknown event type "agent\.exploded"/);
    assert.match(bad.body.error.hint, /goal\.\*|agent\.started/);
    const id = await api<{ error: { code: string; hint: string } }>('GET', '/events', undefined, { 'last-event-id': 'yesterday' });
    assert.equal(id.status, 400);
    assert.match(id.body.error.hint, /sequence number/);
    const none = await fetch(`${served.apiUrl}/events`);
    assert.equal(none.status, 401);
    await none.body?.cancel();
  });
});
