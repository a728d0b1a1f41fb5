/**
 * A run's output read as lines for its runner's parser, and where that parse stands: the byte just
 * after the last whole line parsed, and how many events were recorded before anything parsed after
 * it. The supervisor writes that mark into the run's record; one that takes the run over keeps those
 * events and parses again from that byte, so no line is counted twice and none is missed, whenever
 * the record was written (between two reads, or halfway through a read of many lines).
 */
import { StringDecoder } from 'node:string_decoder';
import { LineSplitter } from './protocol';

export interface ParseMark {
  bytes: number;
  events: number;
}

const NEWLINE = 0x0a;

export class OutputLines {
  private decoder = new StringDecoder('utf8');
  private readonly splitter: LineSplitter;
  private mark: ParseMark;
  /** The event count when events first came from output after the mark (a line not yet whole). */
  private unmarkedFrom: number | undefined;

  constructor(
    onLine: (line: string) => void,
    /** How many events the run has recorded so far. */
    private readonly eventCount: () => number,
    from: ParseMark = { bytes: 0, events: 0 },
  ) {
    this.splitter = new LineSplitter(onLine);
    this.mark = { ...from };
  }

  /** Where the parse stands now (see the header). */
  where(): ParseMark {
    return { bytes: this.mark.bytes, events: this.unmarkedFrom ?? this.eventCount() };
  }

  /** Goes on from `mark` (a run taken over): the output is handed in again from its byte. */
  resumeAt(mark: ParseMark): void {
    this.mark = { ...mark };
    this.unmarkedFrom = undefined;
  }

  /** Parses a chunk of the output that starts at byte `at` (characters split across chunks are kept whole). */
  push(chunk: Buffer, at: number): void {
    let from = 0;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE, from)) {
      this.feed(chunk.subarray(from, newline + 1));
      from = newline + 1;
      this.markAt(at + from);
    }
    if (from < chunk.length) {
      const before = this.eventCount();
      this.feed(chunk.subarray(from));
      if (this.unmarkedFrom === before && this.eventCount() === before) this.unmarkedFrom = undefined;
    }
  }

  /** A process ended at byte `end`: its last line may have no newline, and must not be glued to the next process's first. */
  flush(end: number): void {
    this.unmarkedFrom ??= this.eventCount();
    this.splitter.push(this.decoder.end());
    this.splitter.end();
    this.decoder = new StringDecoder('utf8');
    this.markAt(end);
  }

  private feed(bytes: Buffer): void {
    this.unmarkedFrom ??= this.eventCount();
    this.splitter.push(this.decoder.write(bytes));
  }

  private markAt(bytes: number): void {
    this.mark = { bytes, events: this.eventCount() };
    this.unmarkedFrom = undefined;
  }
}
