/**
 * The parse mark a run's record holds (outputLines.ts): wherever a record is written — between two
 * reads, inside a read of many lines, halfway through a line — going on from its mark parses every
 * line once: the events before the mark are kept, what came after it is parsed again.
 */
import * as assert from 'node:assert/strict';
import { OutputLines, type ParseMark } from '../../src/core/supervisor/outputLines';

/** A parser that records one event per line, like a runner's usage line. */
function parser(from?: ParseMark, kept: string[] = []) {
  const events = [...kept];
  const lines = new OutputLines((line) => events.push(line), () => events.length, from);
  return { lines, events };
}

const OUTPUT = Buffer.from('one\ntwo\nthree\nfo€ur\nfive');

describe('the parse mark of a run’s output', () => {
  it('stands after the last whole line, with the events before it', () => {
    const { lines, events } = parser();
    lines.push(OUTPUT.subarray(0, 10), 0);
    assert.deepEqual(events, ['one', 'two']);
    assert.deepEqual(lines.where(), { bytes: 8, events: 2 });
    lines.push(OUTPUT.subarray(10), 10);
    assert.deepEqual(lines.where(), { bytes: 22, events: 4 });
    lines.flush(OUTPUT.length);
    assert.deepEqual(events, ['one', 'two', 'three', 'fo€ur', 'five']);
    assert.deepEqual(lines.where(), { bytes: OUTPUT.length, events: 5 });
  });

  it('taken at any moment of a read, going on from it counts every line once', () => {
    // The record is written while each line of one big read is being parsed (an immediate write).
    for (let writeAt = 1; writeAt <= 4; writeAt++) {
      let mark: ParseMark | undefined;
      const events: string[] = [];
      const lines = new OutputLines((line) => {
        events.push(line);
        if (events.length === writeAt) mark = lines.where();
      }, () => events.length);
      lines.push(OUTPUT, 0);
      assert.ok(mark);
      // The taking-over supervisor keeps the first `mark.events` events and parses from `mark.bytes`.
      const next = parser(mark, events.slice(0, mark.events));
      next.lines.push(OUTPUT.subarray(mark.bytes), mark.bytes);
      next.lines.flush(OUTPUT.length);
      assert.deepEqual(next.events, ['one', 'two', 'three', 'fo€ur', 'five'], `record written at line ${writeAt}`);
    }
  });

  it('keeps events that did not come from the output, made between lines', () => {
    const { lines, events } = parser();
    lines.push(Buffer.from('one\ntw'), 0);
    events.push('steered');
    assert.deepEqual(lines.where(), { bytes: 4, events: 2 }, 'the half line made no event yet');
  });

  it('a line too long to hold, handed over in pieces, is parsed again whole from the mark', () => {
    const events: string[] = [];
    const lines = new OutputLines((line) => events.push(line), () => events.length);
    lines.push(Buffer.from('one\n'), 0);
    // LineSplitter hands over 16 MiB of an endless line; its piece made an event after the mark.
    const piece = Buffer.alloc(16 * 1024 * 1024 + 1, 'x');
    lines.push(piece, 4);
    assert.equal(events.length, 2);
    assert.deepEqual(lines.where(), { bytes: 4, events: 1 });
  });
});
