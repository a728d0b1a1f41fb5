/**
 * Reading the journal from a cursor, across its sealed parts and the journal being written, and
 * then each time more is there. Every event comes once and in order (one already seen
 * is not given again); a torn line is skipped and counted. The file being written is kept
 * open, so a part sealed under the reader is read to its end before the next one.
 */
import * as fs from 'node:fs';
import { Lifecycle, toDisposable } from '../lifecycle';
import type { StateMap } from '../state/stateMap';
import type { FeedEvent } from './feedEvent';
import { parseLines, readFrom, readSegmentFile, sealedSegments } from './segments';

export class JournalReader extends Lifecycle {
  private fd: number | undefined;
  private ino = -1;
  private offset = 0;
  private last: number;
  private tornLines = 0;

  /** Reads the events after `afterSeq` (0: from the oldest kept). */
  constructor(private readonly state: StateMap, afterSeq = 0) {
    super();
    this.last = afterSeq;
    this.register(toDisposable(() => this.close()));
  }

  /** The seq of the last event read (the cursor to resume from). */
  get position(): number {
    return this.last;
  }
  get torn(): number {
    return this.tornLines;
  }

  /** Everything written since the last read (or since the cursor, the first time). */
  read(): FeedEvent[] {
    const out: FeedEvent[] = [];
    if (this.fd === undefined) {
      this.catchUp(Infinity, out);
      if (!this.openJournal()) return out;
    }
    for (;;) {
      const fromJournal = this.drain();
      if (fromJournal.length && fromJournal[0]!.seq > this.last + 1) this.catchUp(fromJournal[0]!.seq, out);
      this.deliver(fromJournal, out);
      const stat = fs.statSync(this.state.feedJournal, { throwIfNoEntry: false });
      if (stat?.ino === this.ino) return out;
      // The file read so far was sealed: what was sealed after it, then the new journal.
      this.close();
      this.catchUp(Infinity, out);
      if (!this.openJournal()) return out;
    }
  }

  /** Complete lines of the open journal from the offset on. */
  private drain(): FeedEvent[] {
    const buffer = readFrom(this.fd!, this.offset);
    const parsed = parseLines(buffer);
    this.offset += parsed.consumed;
    this.tornLines += parsed.torn;
    return parsed.events;
  }

  /** Events of the sealed parts after what was read, below `before`. */
  private catchUp(before: number, out: FeedEvent[]): void {
    const sealed = sealedSegments(this.state);
    for (let i = 0; i < sealed.length; i++) {
      const next = sealed[i + 1]?.first ?? Infinity;
      if (next <= this.last + 1 || sealed[i]!.first >= before) continue;
      const read = readSegmentFile(sealed[i]!.file);
      this.tornLines += read.torn;
      this.deliver(read.events.filter((e) => e.seq < before), out);
    }
  }

  private deliver(events: readonly FeedEvent[], out: FeedEvent[]): void {
    for (const event of events) {
      if (event.seq <= this.last) continue;
      this.last = event.seq;
      out.push(event);
    }
  }

  private openJournal(): boolean {
    try {
      this.fd = fs.openSync(this.state.feedJournal, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw error;
    }
    const stat = fs.fstatSync(this.fd);
    if (stat.isDirectory()) {
      // A folder made where the journal belongs: there is nothing to read until a writer sets it aside.
      this.close();
      return false;
    }
    this.ino = stat.ino;
    this.offset = 0;
    return true;
  }

  private close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
    this.ino = -1;
  }
}
