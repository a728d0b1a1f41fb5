/** A run's parsed events on disk: `events.jsonl`, one AgentEvent a line, seq numbers from 1. */
import { JsonLinesWriter, readJsonLines } from '../store/jsonLines';
import type { RunPaths } from '../paths';
import type { AgentEvent, AgentEventBody } from './types';

export class EventLogWriter {
  private readonly writer: JsonLinesWriter;

  constructor(paths: RunPaths, private seq: number, onError: (error: Error) => void) {
    this.writer = new JsonLinesWriter(paths.events, 50, onError);
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
    if (event.seq > afterSeq) out.push(event);
    if (out.length >= limit) break;
  }
  return out;
}
