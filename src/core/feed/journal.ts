/**
 * Appending to the feed's journal from any process of a state folder. Each change is one line
 * written under the append lock, numbered one more than the line before it (whoever wrote that),
 * so sequence numbers only grow and never repeat. A line torn by a writer that died is closed off
 * before the next one. When the journal passes `segmentBytes` it is sealed under its first seq and a
 * new one begins; older parts are then compacted (see compaction.ts).
 */
import * as fs from 'node:fs';
import type { Logger } from '../logger';
import { addCounters } from '../metrics/counters';
import { feedCounts } from '../metrics/feedCounts';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { compactJournal, type CompactionLimits } from './compaction';
import type { FeedChange, FeedEvent } from './feedEvent';
import { withFileLock } from './fileLock';
import { firstEventOf, lastEventOf, sealedSegments } from './segments';

export interface JournalOptions extends Partial<CompactionLimits> {
  /** The journal is sealed and a new one begun past this size (default 4 MiB). */
  segmentBytes?: number;
  logger?: Logger;
}

/** What this process knows of the journal file, valid while its inode and size are unchanged. */
interface Known {
  fd: number;
  ino: number;
  size: number;
  first: number | undefined;
  last: number;
  endsClean: boolean;
}

export class Journal {
  private known: Known | undefined;
  private readonly segmentBytes: number;
  private compacting = false;
  private failures = 0;

  constructor(readonly state: StateMap, private readonly options: JournalOptions = {}) {
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
  }

  /** How many appends failed (full disk, say); each is logged. */
  get failed(): number {
    return this.failures;
  }

  /** Appends one change; returns the event as written, or undefined when it could not be (logged, never thrown). */
  append<E>(change: FeedChange<E>): FeedEvent<E> | undefined {
    try {
      ensureFolder(this.state.feed);
      let sealed = false;
      const event = withFileLock(this.state.feedAppendLock, () => {
        const known = this.current();
        const event: FeedEvent<E> = { v: 1, seq: known.last + 1, ts: Date.now(), type: change.type, key: change.key, entity: change.entity, pid: process.pid };
        const line = Buffer.from(`${known.endsClean ? '' : '\n'}${JSON.stringify(event)}\n`);
        fs.writeSync(known.fd, line);
        known.size += line.length;
        known.last = event.seq;
        known.first ??= event.seq;
        known.endsClean = true;
        if (known.size >= this.segmentBytes) sealed = this.seal(known);
        return event;
      });
      if (sealed) this.compactSoon();
      this.count(change);
      return event;
    } catch (error) {
      this.failures++;
      this.options.logger?.error(`[feed] could not append ${change.type} ${change.key}: ${(error as Error).message}`);
      this.forget();
      return undefined;
    }
  }

  /** Adds what the change counts for to the lasting counters (a failure is logged: the change itself was written). */
  private count(change: FeedChange<unknown>): void {
    const deltas = feedCounts(change);
    if (!deltas) return;
    try {
      addCounters(this.state, deltas);
    } catch (error) {
      this.options.logger?.warn(`[metrics] could not count ${change.type}: ${(error as Error).message}`);
    }
  }

  /** The journal file as it is now (another process may have written to it, or sealed it). */
  private current(): Known {
    const file = this.state.feedJournal;
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    const known = this.known;
    if (known && stat && stat.ino === known.ino && stat.size === known.size) return known;
    if (known && stat && stat.ino === known.ino) {
      // Others appended: their last line is the one to follow.
      known.size = stat.size;
      known.last = Math.max(known.last, lastEventOf(known.fd)?.seq ?? known.last);
      known.endsClean = this.endsClean(known.fd, stat.size);
      return known;
    }
    this.forget();
    const fd = fs.openSync(file, 'a+', 0o600);
    const size = fs.fstatSync(fd).size;
    const last = lastEventOf(fd)?.seq ?? this.lastSealedSeq();
    this.known = { fd, ino: fs.fstatSync(fd).ino, size, first: firstEventOf(fd)?.seq, last, endsClean: this.endsClean(fd, size) };
    return this.known;
  }

  private endsClean(fd: number, size: number): boolean {
    if (size === 0) return true;
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, size - 1);
    return byte[0] === 0x0a;
  }

  /** A new journal begins after the newest sealed part (or at 1). */
  private lastSealedSeq(): number {
    const newest = sealedSegments(this.state).at(-1);
    if (!newest) return 0;
    const fd = fs.openSync(newest.file, 'r');
    try {
      return lastEventOf(fd)?.seq ?? newest.first - 1;
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Under the lock: the journal becomes `journal-<first>.jsonl`; the next append begins a new one. */
  private seal(known: Known): boolean {
    if (known.first === undefined) return false;
    fs.renameSync(this.state.feedJournal, this.state.feedSegment(known.first));
    // The next writer (this one too) finds no journal and starts one after the sealed part's last seq.
    this.forget();
    return true;
  }

  private compactSoon(): void {
    if (this.compacting) return;
    this.compacting = true;
    setImmediate(() => {
      try {
        compactJournal(this.state, this.options);
      } catch (error) {
        this.options.logger?.warn(`[feed] compaction failed (it is tried again at the next seal): ${(error as Error).message}`);
      } finally {
        this.compacting = false;
      }
    }).unref();
  }

  private forget(): void {
    if (this.known) fs.closeSync(this.known.fd);
    this.known = undefined;
  }

  dispose(): void {
    this.forget();
  }
}
