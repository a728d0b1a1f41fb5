/** A run's parsed events on disk: `events.jsonl`, one AgentEvent a line, seq numbers from 1. */
import { JsonLinesWriter, readJsonLines } from '../store/jsonLines';
import { RunPaths } from '../state/stateMap';
import { fileSize } from './outputLog';
import type { AgentEvent, AgentEventBody } from './types';

/** The first line of every events file: what it is, in which version. */
export const EVENTS_HEADER = { version: 1, kind: 'switchboard-events' } as const;

export class EventLogWriter {
  private readonly writer: JsonLinesWriter;

  constructor(paths: RunPaths, private seq: number, onError: (error: Error) => void) {
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
