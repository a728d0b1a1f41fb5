/** A run's parsed events on disk: `events.jsonl`, one AgentEvent a line, seq numbers from 1. */
import * as fs from 'node:fs';
import { JsonLinesWriter, readJsonLines } from '../store/jsonLines';
import { RunPaths } from '../state/stateMap';
import { fileSize } from './outputLog';
import type { AgentEvent, AgentEventBody } from './types';

/** The first line of every events file: what it is, in which version. */
export const EVENTS_HEADER = { version: 1, kind: 'switchboard-events' } as const;

export class EventLogWriter {
  private readonly writer: JsonLinesWriter;

  constructor(private readonly paths: RunPaths, private seq: number, onError: (error: Error) => void) {
    const isNew = fileSize(paths.events) === 0;
    this.writer = new JsonLinesWriter(paths.events, 50, onError);
    if (isNew) this.writer.append(EVENTS_HEADER);
  }

  get count(): number {
    return this.seq;
  }

  append(body: AgentEventBody): AgentEvent {
    const event = { ...body, seq: ++this.seq, ts: Date.now() } as AgentEvent;
    this.writer.append(event);
    return event;
  }

  flush(): void {
    this.writer.flush();
  }

  /** Cuts the file back to its first `keep` events (see keepEvents) and goes on numbering after them. */
  keepOnly(keep: number): AgentEvent[] {
    this.writer.flush();
    const kept = keepEvents(this.paths, keep);
    this.seq = kept.at(-1)?.seq ?? 0;
    return kept;
  }

  close(): void {
    this.writer.close();
  }
}

/** How much of the events file is read at once (a longer line is read whole all the same). */
const READ_CHUNK = 4 * 1024 * 1024;

/** Where the last read of a run's events ended (seq, byte offset): a follower asking for the next batch starts there. */
const lastRead = new WeakMap<RunPaths, { seq: number; offset: number }>();

/**
 * Events with seq > `afterSeq`, at most `limit` of them: the file is read a piece at a time and no
 * further than needed, from where the last read of this process ended when that was before
 * `afterSeq`, so a follower reading a 50 MB log in batches never holds it all nor reads it twice.
 */
export function readEvents(paths: RunPaths, afterSeq = 0, limit = Number.MAX_SAFE_INTEGER): AgentEvent[] {
  const size = fileSize(paths.events);
  const mark = lastRead.get(paths);
  const from = mark && mark.seq <= afterSeq && mark.offset <= size ? mark : undefined;
  const read = readEventsFrom(paths, from?.offset ?? 0, size, afterSeq, limit);
  // A mark that does not go on at its seq + 1 is stale (the file was cut back and written again): read from the start.
  if (from && read.first !== undefined && read.first !== from.seq + 1) return readEventsFrom(paths, 0, size, afterSeq, limit).events;
  return read.events;
}

function readEventsFrom(paths: RunPaths, start: number, size: number, afterSeq: number, limit: number): { events: AgentEvent[]; first: number | undefined } {
  const events: AgentEvent[] = [];
  let first: number | undefined;
  let chunk = READ_CHUNK;
  for (let offset = start; offset < size && events.length < limit; ) {
    const read = readJsonLines<AgentEvent>(paths.events, offset, chunk);
    if (read.nextOffset === offset) {
      // A line longer than the piece (or a torn last line): read more at once, unless the rest is all there is.
      if (offset + chunk >= size) break;
      chunk *= 2;
      continue;
    }
    chunk = READ_CHUNK;
    let lastSeq: number | undefined;
    for (const event of read.items) {
      if (typeof event.seq !== 'number') continue;
      first ??= event.seq;
      lastSeq = event.seq;
      if (event.seq > afterSeq) events.push(event);
      if (events.length >= limit) break;
    }
    // Marked at the end of a piece read whole: the next batch starts after it.
    if (events.length < limit && lastSeq !== undefined) lastRead.set(paths, { seq: lastSeq, offset: read.nextOffset });
    offset = read.nextOffset;
  }
  return { events, first };
}

/**
 * Cuts the events file back to its first `keep` events (those a dead supervisor's last record
 * counted; what it wrote after them, a torn line included, goes) and returns them: a supervisor that
 * takes the run over parses the output again from where that record was, so they come again, with
 * the same seq numbers.
 */
export function keepEvents(paths: RunPaths, keep: number): AgentEvent[] {
  lastRead.delete(paths);
  const text = fs.readFileSync(paths.events);
  const kept: AgentEvent[] = [];
  let end = 0;
  for (let at = 0; at < text.length; ) {
    const newline = text.indexOf(0x0a, at);
    if (newline < 0) break;
    let item: Partial<AgentEvent> | undefined;
    try {
      item = JSON.parse(text.toString('utf8', at, newline)) as Partial<AgentEvent>;
    } catch {
      // A line torn by an earlier crash, with later lines after it: skipped, as readers skip it.
    }
    if (typeof item?.seq === 'number') {
      if (item.seq > keep) break;
      kept.push(item as AgentEvent);
    }
    end = at = newline + 1;
  }
  if (end < text.length) fs.truncateSync(paths.events, end);
  return kept;
}
