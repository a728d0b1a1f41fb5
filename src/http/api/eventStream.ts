/**
 * `GET /api/v1/events`: the live feed as Server-Sent Events. Each event's `id:` is its feed sequence
 * number, so a client that reconnects with `Last-Event-ID` (or `?since=`) gets everything after it:
 * what is kept in the journal is read first, then what the process's one shared follower hears,
 * without a gap or a repeat. Filters: `?type=` (a type, a family, `goal.*`; repeatable), `?team=`,
 * `?goal=`, `?run=`. A comment line every 15 s keeps proxies and clients from timing out; a client
 * that reads too slowly is let go (it resumes from its last id).
 */
import { redactorFor, type Redactor } from '../../core/redact';
import type * as http from 'node:http';
import type { Disposable } from '../../core/events';
import { typeMatches, unknownFeedTypes, type FeedEvent } from '../../core/feed/feedEvent';
import type { Switchboard } from '../../core/switchboard';
import { SwitchboardError } from '../../core/errors';
import { sendError, statusOfCode } from './apiErrors';

export interface EventStreamOptions {
  heartbeatMs?: number;
  /** A client with more than this many bytes not yet taken is let go. */
  maxBufferedBytes?: number;
  /** The stream's redactor forgets the secrets it has seen past this many (default 1,000): its memory stays bounded. */
  maxRememberedSecrets?: number;
}

interface Filter {
  types: string[];
  team?: string;
  goal?: string;
  run?: string;
}

interface Linked {
  links?: { team?: string; goal?: string };
  run?: { links?: { team?: string; goal?: string } };
  team?: string;
  goal?: string;
}

/** Whether an event is about the team, goal and run the filter names (each that it names). */
function concerns(event: FeedEvent, f: Filter): boolean {
  if (!typeMatches(event.type, f.types)) return false;
  const e = (event.entity ?? {}) as Linked;
  const links = e.links ?? e.run?.links ?? {};
  if (f.run && event.key !== `run:${f.run}`) return false;
  if (f.team && !(event.key === `team:${f.team}` || event.key.startsWith(`task:${f.team}/`) || event.key.startsWith(`discovery:${f.team}/`) || links.team === f.team || e.team === f.team)) return false;
  if (f.goal && !(event.key === `goal:${f.goal}` || event.key.startsWith(`discovery:${f.goal}/`) || links.goal === f.goal || e.goal === f.goal)) return false;
  return true;
}

/** An event as the stream sends it; what it carries of runs (prompts, errors, results) with secrets redacted. */
export const frame = (event: FeedEvent, redactor: Redactor): string => `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(redactor.value(event))}\n\n`;

export class EventStream implements Disposable {
  private readonly open = new Set<() => void>();

  /** Each event's frame, made once for all the subscribers it goes to. */
  private readonly frames = new WeakMap<FeedEvent, string>();

  /**
   * One for the stream, shared by its subscribers so that each event is framed once: a secret is the
   * same placeholder in every event it is in, until the redactor has seen too many and forgets
   * them (then the next sight of one gets a new number, never another secret's).
   */
  private readonly redactor: Redactor;

  constructor(private readonly sb: Switchboard, private readonly options: EventStreamOptions = {}) {
    this.redactor = redactorFor(sb.config.redaction, process.env);
  }

  private frameOf(event: FeedEvent): string {
    let text = this.frames.get(event);
    if (text === undefined) {
      this.frames.set(event, (text = frame(event, this.redactor)));
      this.redactor.forgetPast(this.options.maxRememberedSecrets);
    }
    return text;
  }

  /** Where to start: after Last-Event-ID, else after `?since=` (a seq, or `now`), else from now. */
  private since(req: http.IncomingMessage, query: URLSearchParams): number {
    const header = req.headers['last-event-id'];
    const given = (Array.isArray(header) ? header[0] : header) ?? query.get('since') ?? 'now';
    if (given === 'now') return this.sb.feed.head();
    const seq = Number(given);
    if (!Number.isInteger(seq) || seq < 0) throw new SwitchboardError('invalid_argument', `The stream cannot start after "${given}".`, 'Last-Event-ID or ?since= must be a sequence number (0: everything kept) or "now".');
    // Past the head: an id from a feed that was since removed; what is written from now on is new to the client.
    return Math.min(seq, this.sb.feed.head());
  }

  private filter(query: URLSearchParams): Filter {
    const types = query.getAll('type').flatMap((t) => t.split(',')).filter(Boolean);
    const { unknown, known } = unknownFeedTypes(types);
    if (unknown.length) throw new SwitchboardError('invalid_argument', `Unknown event type "${unknown[0]}".`, `Known ${known}.`);
    const run = query.get('run') ?? undefined;
    return { types, team: query.get('team') ?? undefined, goal: query.get('goal') ?? undefined, run: run && this.sb.runs.resolve(run).id };
  }

  serve(req: http.IncomingMessage, res: http.ServerResponse, query: URLSearchParams): void {
    let filter: Filter;
    let since: number;
    try {
      filter = this.filter(query);
      since = this.since(req, query);
    } catch (error) {
      const e = error instanceof SwitchboardError ? error : new SwitchboardError('internal', String(error));
      return sendError(res, statusOfCode(e.code), e.code, e.message, e.hint);
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.write(`retry: 2000\n: switchboard feed after ${since}\n\n`);
    const maxBuffered = this.options.maxBufferedBytes ?? 8 * 1024 * 1024;
    let last = since;
    let pending: FeedEvent[] | undefined = [];
    // Frames are written together once per turn of the event loop, not one write each.
    let out: string[] = [];
    const flush = (): void => {
      const text = out.join('');
      out = [];
      if (!this.open.has(close)) return;
      res.write(text);
      if (res.writableLength > maxBuffered) close();
    };
    const deliver = (event: FeedEvent): void => {
      if (event.seq <= last) return;
      last = event.seq;
      if (!concerns(event, filter)) return;
      if (out.push(this.frameOf(event)) === 1) setImmediate(flush);
    };
    // Live events are held while the backlog is read, so that none falls between the two.
    const live = this.sb.feed.onDidAppend((event) => (pending ? pending.push(event) : deliver(event)));
    const heartbeat = setInterval(() => res.write(': heartbeat\n\n'), this.options.heartbeatMs ?? 15_000);
    const close = (): void => {
      if (!this.open.delete(close)) return;
      live.dispose();
      clearInterval(heartbeat);
      res.end();
    };
    this.open.add(close);
    res.once('close', close);
    for (const event of this.sb.feed.read(since).events) deliver(event);
    const held = pending;
    pending = undefined;
    for (const event of held) deliver(event);
  }

  dispose(): void {
    for (const close of [...this.open]) close();
  }
}
