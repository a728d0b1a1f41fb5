/**
 * The live feed of one state folder, as the core object holds it: appending changes, reading them
 * from a cursor, and following them (one shared follower per process, from the moment it is first
 * asked for, for the views; or a follower of one's own from any cursor).
 */
import { Emitter, type Event } from '../events';
import { Lifecycle } from '../lifecycle';
import { silentLogger, type Logger } from '../logger';
import type { StateMap } from '../state/stateMap';
import { typeMatches, type FeedChange, type FeedEvent } from './feedEvent';
import { FeedFollower, feedHead } from './feedFollower';
import { Journal, type JournalOptions } from './journal';
import { JournalReader } from './journalReader';

export interface FeedRead {
  events: FeedEvent[];
  /** The cursor to read on from. */
  position: number;
  /** Lines that were not events (torn by a writer that died), skipped. */
  torn: number;
}

export class Feed extends Lifecycle {
  readonly journal: Journal;
  private shared: FeedFollower | undefined;
  private readonly appended: Emitter<FeedEvent>;
  private readonly log: Logger;

  constructor(readonly state: StateMap, options: JournalOptions = {}) {
    super();
    this.log = options.logger ?? silentLogger;
    this.journal = this.register(new Journal(state, options));
    this.appended = this.register(new Emitter<FeedEvent>(this.log));
  }

  /** Records one change (never throws: a change that cannot be written is logged). */
  append<E>(change: FeedChange<E>): FeedEvent<E> | undefined {
    const event = this.journal.append(change);
    // Followers here hear of it now rather than when the watcher wakes them.
    if (event) this.shared?.poke();
    return event;
  }

  /** Every change written by any process from now on, one event at a time, in order. */
  get onDidAppend(): Event<FeedEvent> {
    if (!this.shared && !this.isDisposed) {
      this.shared = this.register(new FeedFollower(this.state, { logger: this.log }));
      this.shared.onDidAppend((events) => events.forEach((e) => this.appended.fire(e)));
    }
    return this.appended.event;
  }

  /** The seq of the newest change. */
  head(): number {
    return feedHead(this.state);
  }

  /** The changes after `since` (of the given types), at most `limit`. */
  read(since = 0, options: { types?: string[]; limit?: number } = {}): FeedRead {
    const reader = new JournalReader(this.state, since);
    try {
      const all = reader.read();
      const limit = options.limit ?? Infinity;
      const events: FeedEvent[] = [];
      let position = since;
      for (const event of all) {
        if (events.length >= limit) break;
        position = event.seq;
        if (typeMatches(event.type, options.types ?? [])) events.push(event);
      }
      return { events, position: events.length >= limit ? position : reader.position, torn: reader.torn };
    } finally {
      reader.dispose();
    }
  }

  /** A follower of one's own from `since` (the caller disposes it). */
  follow(since?: number): FeedFollower {
    return new FeedFollower(this.state, { since, logger: this.log });
  }
}
