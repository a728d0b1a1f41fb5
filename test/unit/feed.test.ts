/** The feed's journal on real files: numbering, torn lines, sealing, compaction, followers and their cursors. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { compactJournal, latestPerEntity } from '../../src/core/feed/compaction';
import { Feed } from '../../src/core/feed/feed';
import type { FeedEvent } from '../../src/core/feed/feedEvent';
import { typeMatches } from '../../src/core/feed/feedEvent';
import { Journal } from '../../src/core/feed/journal';
import { JournalReader } from '../../src/core/feed/journalReader';
import { sealedSegments } from '../../src/core/feed/segments';
import { StateMap } from '../../src/core/state/stateMap';
import { tempDir } from '../support/harness';

const change = (i: number, key = `run:r${i % 7}`) => ({ type: 'agent.updated' as const, key, entity: { i } });

function readAll(state: StateMap, since = 0): { events: FeedEvent[]; torn: number } {
  const reader = new JournalReader(state, since);
  try {
    return { events: reader.read(), torn: reader.torn };
  } finally {
    reader.dispose();
  }
}

describe('feed journal', () => {
  let state: StateMap;
  beforeEach(() => (state = new StateMap(tempDir('sb-feed-'))));

  it('numbers changes 1, 2, 3… across writers, and reads them from any cursor', () => {
    const a = new Journal(state);
    const b = new Journal(state);
    for (let i = 0; i < 50; i++) (i % 3 ? a : b).append(change(i));
    const { events } = readAll(state);
    assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 50 }, (_, i) => i + 1));
    assert.deepEqual(events.map((e) => (e.entity as { i: number }).i), Array.from({ length: 50 }, (_, i) => i));
    assert.deepEqual(readAll(state, 45).events.map((e) => e.seq), [46, 47, 48, 49, 50]);
    a.dispose();
    b.dispose();
  });

  it('skips and counts a line torn by a writer that died, and the next writer goes on cleanly', () => {
    const journal = new Journal(state);
    journal.append(change(1));
    fs.appendFileSync(state.feedJournal, '{"v":1,"seq":2,"ts":1,"type":"agent.upd');
    const other = new Journal(state);
    other.append(change(2));
    journal.append(change(3));
    const { events, torn } = readAll(state);
    assert.deepEqual(events.map((e) => e.seq), [1, 2, 3]);
    assert.equal(torn, 1);
    journal.dispose();
    other.dispose();
  });

  it('a folder made where the journal belongs is set aside, said, and the feed goes on in a new journal', () => {
    fs.mkdirSync(state.feedJournal, { recursive: true });
    fs.writeFileSync(`${state.feedJournal}/kept.txt`, 'mine');
    assert.deepEqual(readAll(state).events, [], 'a reader finds nothing to read yet');
    const warnings: string[] = [];
    const journal = new Journal(state, { logger: { trace() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(`error ${m}`) } });
    journal.append(change(1));
    journal.append(change(2));
    assert.deepEqual(readAll(state).events.map((e) => e.seq), [1, 2]);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    const aside = /set aside as (\S+) /.exec(warnings[0]!)![1]!;
    assert.equal(fs.readFileSync(`${aside}/kept.txt`, 'utf8'), 'mine');
    journal.dispose();
  });

  it('seals the journal past its size and compacts older parts to the latest change of each entity, never past a follower', () => {
    const journal = new Journal(state, { segmentBytes: 2000, keepSealed: 2 });
    const slow = new JournalReader(state, 0);
    const follower = new Feed(state).follow(0);
    for (let i = 0; i < 300; i++) journal.append(change(i));
    const sealed = sealedSegments(state);
    assert.ok(sealed.length > 4, `sealed ${sealed.length}`);
    // A follower at 0 holds everything back.
    assert.deepEqual(compactJournal(state, { keepSealed: 2 }), { merged: 0, kept: 0 });
    const everything = slow.read();
    assert.equal(everything.length, 300);
    follower.dispose();
    const compacted = compactJournal(state, { keepSealed: 2 });
    assert.ok(compacted.merged > compacted.kept && compacted.kept <= 7, JSON.stringify(compacted));
    const after = readAll(state).events;
    const seqs = after.map((e) => e.seq);
    assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y));
    assert.equal(after.at(-1)!.seq, 300);
    // Every entity's latest change survives compaction.
    assert.deepEqual(latestPerEntity(after).map((e) => e.seq), latestPerEntity(everything).map((e) => e.seq));
    journal.append(change(300));
    assert.deepEqual(slow.read().map((e) => e.seq), [301]);
    slow.dispose();
    journal.dispose();
  });

  it('a follower hears what another writer appends, in order, and its cursor is on disk', async () => {
    const feed = new Feed(state);
    const seen: number[] = [];
    feed.onDidAppend((e) => seen.push(e.seq));
    const writer = new Journal(state, { segmentBytes: 1500 });
    for (let i = 0; i < 40; i++) writer.append(change(i));
    for (let t = 0; t < 100 && seen.length < 40; t++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, Array.from({ length: 40 }, (_, i) => i + 1));
    assert.equal(fs.readdirSync(state.feedReaders).length, 1);
    feed.dispose();
    writer.dispose();
    assert.equal(fs.readdirSync(state.feedReaders).length, 0, 'a disposed follower removes its cursor');
  });

  it('reads with a type filter and a limit', () => {
    const feed = new Feed(state);
    feed.append({ type: 'team.started', key: 'team:a', entity: {} });
    feed.append(change(1));
    feed.append({ type: 'task.assigned', key: 'task:a/T1', entity: {} });
    assert.deepEqual(feed.read(0, { types: ['team', 'task.*'] }).events.map((e) => e.type), ['team.started', 'task.assigned']);
    const page = feed.read(0, { limit: 2 });
    assert.deepEqual([page.events.length, page.position], [2, 2]);
    assert.ok(typeMatches('agent.started', ['agent']) && !typeMatches('agents.x', ['agent']));
    feed.dispose();
  });
});

describe('feed followers in one process', () => {
  it('a listener that appends while it is told of a change does not get ahead of the others', () => {
    const state = new StateMap(tempDir('sb-feed-'));
    const feed = new Feed(state);
    const first: number[] = [];
    const second: number[] = [];
    feed.onDidAppend((e) => {
      first.push(e.seq);
      if (e.seq === 1) feed.append({ type: 'agent.updated', key: 'run:b', entity: {} });
    });
    feed.onDidAppend((e) => second.push(e.seq));
    feed.append({ type: 'agent.updated', key: 'run:a', entity: {} });
    assert.deepEqual(first, [1, 2]);
    assert.deepEqual(second, [1, 2]);
    feed.dispose();
  });
});
