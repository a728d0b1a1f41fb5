/**
 * Following the feed live from a cursor: the feed folder is watched (a change written by any
 * process is read within milliseconds; nothing polls on a timer), new events are read from the
 * cursor and handed to the listeners in order. The follower's cursor is kept in
 * `feed/readers/<id>.json`, so that compaction never drops what it has not read yet.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { Emitter, type Event } from '../events';
import { Lifecycle, toDisposable } from '../lifecycle';
import { silentLogger, type Logger } from '../logger';
import { startTokenOf } from '../proc/processTable';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { writeJsonAtomic } from '../store/atomicFile';
import type { ReaderCursor } from './compaction';
import type { FeedEvent } from './feedEvent';
import { JournalReader } from './journalReader';
import { lastEventOf, sealedSegments } from './segments';

/** A follower's cursor on disk is brought up to date at most this often. */
const CURSOR_WRITE_MS = 2000;

/** The seq of the newest event written so far (0 when the journal is empty). */
export function feedHead(state: StateMap): number {
  for (const file of [state.feedJournal, ...sealedSegments(state).reverse().map((s) => s.file)]) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch {
      continue;
    }
    try {
      const last = lastEventOf(fd);
      if (last) return last.seq;
    } finally {
      fs.closeSync(fd);
    }
  }
  return 0;
}

export interface FollowerOptions {
  /** Start after this seq (default: the head, i.e. only what is written from now on). */
  since?: number;
  logger?: Logger;
}

export class FeedFollower extends Lifecycle {
  private readonly appended: Emitter<FeedEvent[]>;
  /** New events, in order, a batch at a time. */
  readonly onDidAppend: Event<FeedEvent[]>;
  private readonly reader: JournalReader;
  private readonly cursorFile: string;
  private readonly log: Logger;
  private scheduled = false;
  private delivering = false;
  private again = false;
  private cursorTimer: NodeJS.Timeout | undefined;

  constructor(private readonly state: StateMap, options: FollowerOptions = {}) {
    super();
    this.log = options.logger ?? silentLogger;
    this.appended = this.register(new Emitter<FeedEvent[]>(this.log));
    this.onDidAppend = this.appended.event;
    ensureFolder(state.feedReaders);
    this.reader = new JournalReader(state, options.since ?? feedHead(state));
    this.cursorFile = state.feedReader(`${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    this.writeCursor();
    this.register(toDisposable(() => {
      if (this.cursorTimer) clearTimeout(this.cursorTimer);
      fs.rmSync(this.cursorFile, { force: true });
      this.reader.dispose();
    }));
    this.watch();
  }

  /** The seq of the last event handed to the listeners. */
  get position(): number {
    return this.reader.position;
  }

  /** Lines that were not events (torn by a writer that died), skipped. */
  get torn(): number {
    return this.reader.torn;
  }

  /**
   * Reads what is new now (the watcher calls it; a caller may too, e.g. right after writing). A
   * listener that appends while it is told of a change is told of its own change after the others
   * have heard of the first: every listener hears every change in order.
   */
  poke(): void {
    if (this.isDisposed) return;
    if (this.delivering) {
      this.again = true;
      return;
    }
    this.delivering = true;
    try {
      do {
        this.again = false;
        const events = this.readNew();
        if (events.length === 0) break;
        this.cursorTimer ??= setTimeout(() => this.writeCursor(), CURSOR_WRITE_MS);
        this.cursorTimer.unref?.();
        this.appended.fire(events);
      } while (this.again && !this.isDisposed);
    } finally {
      this.delivering = false;
    }
  }

  private readNew(): FeedEvent[] {
    try {
      return this.reader.read();
    } catch (error) {
      this.log.warn(`[feed] could not read the journal: ${(error as Error).message}`);
      return [];
    }
  }

  private watch(): void {
    const schedule = (): void => {
      if (this.scheduled) return;
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.poke();
      });
    };
    try {
      // Only the journal's own files tell of new events (not the locks and cursors beside them).
      const watcher = fs.watch(this.state.feed, (_type, name) => (!name || name.toString().startsWith('journal')) && schedule());
      watcher.on('error', (error) => this.log.warn(`[feed] watching ${this.state.feed} failed: ${error.message}`));
      this.register(toDisposable(() => watcher.close()));
    } catch (error) {
      // No file watching here (out of inotify watches, say): the only case where it looks on a timer.
      this.log.warn(`[feed] cannot watch ${this.state.feed} (${(error as Error).message}); looking twice a second instead`);
      const timer = setInterval(schedule, 500);
      this.register(toDisposable(() => clearInterval(timer)));
    }
    // What was written between the cursor and the watch starting.
    schedule();
  }

  private writeCursor(): void {
    this.cursorTimer = undefined;
    if (this.isDisposed) return;
    const cursor: ReaderCursor = { version: 1, reader: { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' }, seq: this.reader.position, at: Date.now() };
    try {
      writeJsonAtomic(this.cursorFile, cursor, { durable: false });
    } catch (error) {
      this.log.warn(`[feed] could not record this follower's cursor: ${(error as Error).message}`);
    }
  }
}
