/** A run's events read back from events.jsonl: after a seq, at most a limit, a piece of the file at a time. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tempDir } from '../support/harness';
import { StateMap } from '../../src/core/state/stateMap';
import { EVENTS_HEADER, keepEvents, readEvents } from '../../src/core/runs/eventLog';

describe('readEvents', () => {
  const MB = 1024 * 1024;

  it('reads across pieces of the file, a line longer than a piece whole, after a seq and up to a limit; a torn last line is left', () => {
    const run = new StateMap(tempDir('sb-events-')).run('r1');
    fs.mkdirSync(run.dir, { recursive: true });
    // Lines of 3 MB and one of 9 MB, around the 4 MB read pieces.
    const sizes = [3, 3, 9, 1, 3].map((mb) => mb * MB);
    const events = sizes.map((size, i) => ({ seq: i + 1, ts: i, type: 'text', text: String(i + 1).repeat(size) }));
    fs.writeFileSync(run.events, [EVENTS_HEADER, ...events].map((e) => `${JSON.stringify(e)}\n`).join('') + '{"seq":6,"ty');
    const shape = (read: ReturnType<typeof readEvents>) => read.map((e) => [e.seq, e.type === 'text' ? e.text.length : 0, e.type === 'text' ? e.text[0] : '']);
    assert.deepEqual(shape(readEvents(run)), events.map((e) => [e.seq, e.text.length, String(e.seq)]));
    assert.deepEqual(readEvents(run, 2, 2).map((e) => e.seq), [3, 4]);
    assert.deepEqual(readEvents(run, 5), []);
    assert.deepEqual(readEvents(new StateMap(tempDir('sb-events-')).run('none')), []);
  });

  it('in batches, as a follower reads: each event once, in order, also after the file was cut back and written again', () => {
    const run = new StateMap(tempDir('sb-events-')).run('r1');
    fs.mkdirSync(run.dir, { recursive: true });
    const line = (seq: number, text: string) => `${JSON.stringify({ seq, ts: seq, type: 'text', text })}\n`;
    fs.writeFileSync(run.events, `${JSON.stringify(EVENTS_HEADER)}\n${[1, 2, 3, 4, 5].map((seq) => line(seq, `first ${seq}`)).join('')}`);
    const follow = (): string[] => {
      const seen: string[] = [];
      for (let batch = readEvents(run, 0, 2); batch.length > 0; batch = readEvents(run, batch.at(-1)!.seq, 2)) seen.push(...batch.map((e) => (e.type === 'text' ? e.text : '')));
      return seen;
    };
    assert.deepEqual(follow(), [1, 2, 3, 4, 5].map((seq) => `first ${seq}`));
    fs.appendFileSync(run.events, line(6, 'first 6'));
    assert.deepEqual(readEvents(run, 5).map((e) => e.seq), [6]);
    // Cut back by another process (a take-over) and written again with other texts, longer.
    fs.writeFileSync(run.events, `${JSON.stringify(EVENTS_HEADER)}\n${[1, 2, 3, 4, 5, 6, 7].map((seq) => line(seq, `second, longer ${seq}`)).join('')}`);
    assert.deepEqual(readEvents(run, 6).map((e) => e.type === 'text' && e.text), ['second, longer 7']);
    keepEvents(run, 3);
    fs.appendFileSync(run.events, line(4, 'third 4'));
    assert.deepEqual(readEvents(run, 3).map((e) => e.type === 'text' && e.text), ['third 4']);
  });
});
