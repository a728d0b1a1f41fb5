/**
 * Appending to the feed's journal from any process of a state folder. Each change is one line
 * written under the append lock, numbered one more than the line before it (whoever wrote that),
 * so sequence numbers only grow and never repeat. Appending never waits: a change that finds the
 * lock held waits in line in this process and is written when it frees. A line torn by a writer that died is closed off
 * before the next one. When the journal passes `segmentBytes` it is sealed under its first seq and a
 * new one begins; older parts are then compacted (see compaction.ts).
 */
import * as fs from 'node:fs';
import { Lifecycle, toDisposable } from '../lifecycle';
import type { Logger } from '../logger';
import { addCounters } from '../metrics/counters';
import { feedCounts } from '../metrics/feedCounts';
import { ensureFolder } from '../state/stateDir';
import { setAside } from '../store/atomicFile';
import type { StateMap } from '../state/stateMap';
import { compactJournal, type CompactionLimits } from './compaction';
import type { FeedChange, FeedEvent } from './feedEvent';
import { fileLocksSettled, tryFileLock, withFileLock } from './fileLock';
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

/** Journals of this process with changes still waiting for the append lock. */
const unwritten = new Set<Journal>();

/**
 * Resolves once every change any journal of this process was given is written, and every other
 * write waiting for a lock file (counters) is done: awaited before the process exits.
 */
export async function writesSettled(): Promise<void> {
  do {
    await Promise.all([...unwritten].map((journal) => journal.written()));
    await fileLocksSettled();
  } while (unwritten.size > 0);
}

export class Journal extends Lifecycle {
  private known: Known | undefined;
  private readonly segmentBytes: number;
  private compacting = false;
  private failures = 0;
  /** Changes waiting for the append lock (another process held it), in the order they came. */
  private readonly pending: FeedChange<unknown>[] = [];
  private draining: Promise<void> | undefined;

  constructor(readonly state: StateMap, private readonly options: JournalOptions = {}) {
    super();
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.register(toDisposable(() => this.forget()));
  }

  /** How many appends failed (full disk, say); each is logged. */
  get failed(): number {
    return this.failures;
  }

  /**
   * Appends one change; returns the event as written. Never waits: when another process holds the
   * append lock this moment (or changes of this process already wait for it), the change waits in
   * line here, in order, and is written as soon as the lock frees: undefined is returned then (and
   * when it could not be written: logged, never thrown). `written()` says when the line is empty.
   */
  append<E>(change: FeedChange<E>): FeedEvent<E> | undefined {
    try {
      ensureFolder(this.state.feed);
      const now = this.pending.length === 0 ? tryFileLock(this.state.feedAppendLock, () => this.write([change])) : undefined;
      if (now) {
        this.wrote([change], now.sealed);
        return now.events[0] as FeedEvent<E>;
      }
    } catch (error) {
      this.lost([change], error);
      return undefined;
    }
    this.pending.push(change);
    this.draining ??= this.drain();
    return undefined;
  }

  /** Resolves once every change appended so far is written (or given up on, logged). */
  written(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  /** Writes the changes waiting in line, all under one hold of the lock each time it is had. */
  private async drain(): Promise<void> {
    unwritten.add(this);
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0);
      try {
        const { sealed } = await withFileLock(this.state.feedAppendLock, () => this.write(batch));
        this.wrote(batch, sealed);
      } catch (error) {
        this.lost(batch, error);
      }
    }
    this.draining = undefined;
    unwritten.delete(this);
  }

  /** Under the lock: the changes as lines numbered after the journal's last, written in one go. */
  private write(changes: FeedChange<unknown>[]): { events: FeedEvent[]; sealed: boolean } {
    const known = this.current();
    const events: FeedEvent[] = [];
    let text = known.endsClean ? '' : '\n';
    for (const change of changes) {
      const event: FeedEvent = { v: 1, seq: known.last + 1 + events.length, ts: Date.now(), type: change.type, key: change.key, entity: change.entity, pid: process.pid };
      events.push(event);
      text += `${JSON.stringify(event)}\n`;
    }
    const line = Buffer.from(text);
    fs.writeSync(known.fd, line);
    known.size += line.length;
    known.last += events.length;
    known.first ??= events[0]!.seq;
    known.endsClean = true;
    return { events, sealed: known.size >= this.segmentBytes && this.seal(known) };
  }

  private wrote(changes: FeedChange<unknown>[], sealed: boolean): void {
    if (sealed) this.compactSoon();
    for (const change of changes) this.count(change);
  }

  private lost(changes: FeedChange<unknown>[], error: unknown): void {
    this.failures += changes.length;
    for (const change of changes) this.options.logger?.error(`[feed] could not append ${change.type} ${change.key}: ${(error as Error).message}`);
    this.forget();
  }

  /** Adds what the change counts for to the lasting counters (a failure is logged: the change itself was written). */
  private count(change: FeedChange<unknown>): void {
    const deltas = feedCounts(change);
    if (!deltas) return;
    addCounters(this.state, deltas).catch((error: unknown) => this.options.logger?.warn(`[metrics] could not count ${change.type}: ${(error as Error).message}`));
  }

  /** The journal file as it is now (another process may have written to it, or sealed it). */
  private current(): Known {
    const file = this.state.feedJournal;
    let stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat?.isDirectory()) {
      // Made by hand or by a tool gone wrong: kept beside, and the feed goes on in a new journal.
      const aside = setAside(file);
      if (aside) this.options.logger?.warn(`[feed] ${file} was a folder; it was set aside as ${aside} and the feed goes on in a new journal file.`);
      stat = undefined;
    }
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
}
