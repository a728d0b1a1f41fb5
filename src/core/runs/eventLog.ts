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

/** Events with seq > `afterSeq`, at most `limit` of them. */
export function readEvents(paths: RunPaths, afterSeq = 0, limit = Number.MAX_SAFE_INTEGER): AgentEvent[] {
  const out: AgentEvent[] = [];
  for (const event of readJsonLines<AgentEvent>(paths.events, 0, Number.MAX_SAFE_INTEGER).items) {
    if (typeof event.seq === 'number' && event.seq > afterSeq) out.push(event);
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * Cuts the events file back to its first `keep` events (those a dead supervisor's last record
 * counted; what it wrote after them, a torn line included, goes) and returns them: a supervisor that
 * takes the run over parses the output again from where that record was, so they come again, with
 * the same seq numbers.
 */
export function keepEvents(paths: RunPaths, keep: number): AgentEvent[] {
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
