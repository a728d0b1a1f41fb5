/**
 * The webhook deliverer of a state folder. Any long-lived process may run one (the extension host,
 * an MCP server, `switchboard webhooks deliver`); exactly one of them delivers at a time: the holder
 * of a lease (`webhooks/deliverer.json`) it renews every few seconds, taken over when its holder
 * has died or stopped renewing. The holder turns new feed events into queued deliveries (from the
 * feed cursor in `webhooks/cursor.json`, so events written while no deliverer ran are delivered
 * when one starts), then sends what is due: a POST each, retried with exponential backoff and
 * jitter for up to an hour. Everything is asynchronous and off the path of agents and the editor.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import type { SwitchboardConfig } from '../config';
import type { Feed } from '../feed/feed';
import { tryFileLock, withFileLock } from '../feed/fileLock';
import { Lifecycle, toDisposable } from '../lifecycle';
import { silentLogger, type Logger } from '../logger';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { redactorFor } from '../redact';
import type { ProcessIdentity } from '../runs/types';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { webhookEventOf, wants, type WebhookConfig } from './webhookEvents';
import { deliveryBody, deliveryHeaders } from './webhookPayload';
import { postJson } from './webhookPost';
import { displayUrl, retryDelay, WebhookQueue, type QueuedDelivery } from './webhookQueue';

export interface DelivererOptions {
  /** The first retry waits about this long; each next one twice as long (default 5 s). */
  retryBaseMs?: number;
  /** A delivery not made within this long after its event is given up (default one hour). */
  giveUpMs?: number;
  /** The lease lasts this long unless renewed (default 15 s). */
  leaseMs?: number;
  /** A POST without an answer within this long fails (default 10 s). */
  timeoutMs?: number;
  /**
   * When webhooks were configured (config.json's time): the first deliverer of a state folder sends
   * the events from then on. Without it, from the moment it starts.
   */
  configuredAt?: number;
  logger?: Logger;
}

interface Lease {
  version: 1;
  /** The process, and which deliverer of it (a process may open a state folder twice). */
  holder: ProcessIdentity & { deliverer: string };
  until: number;
}

interface Cursor {
  version: 1;
  seq: number;
}

const SENDING_AT_ONCE = 4;
/** The holder reads the queue from disk this often at most (it alone changes it; the rest of the time it knows it). */
const QUEUE_REREAD_MS = 30_000;
const EVENTS_PER_PASS = 1000;

/** The same event to the same address has the same id, whichever process queues it. */
export function deliveryId(seq: number, url: string, event: string): string {
  return `${seq}-${crypto.createHash('sha256').update(`${url}\n${event}`).digest('hex').slice(0, 12)}`;
}

export class WebhookDeliverer extends Lifecycle {
  private readonly queue: WebhookQueue;
  private readonly log: Logger;
  private readonly me: Lease['holder'];
  private readonly retryBaseMs: number;
  private readonly giveUpMs: number;
  private readonly leaseMs: number;
  private readonly timeoutMs: number;
  private readonly configuredAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Until when this deliverer holds the lease, as far as it knows (0: it does not). */
  private leaseUntil = 0;
  /** The queue, by id, while this deliverer holds the lease. */
  private known: Map<string, QueuedDelivery> | undefined;
  private knownAt = 0;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly state: StateMap,
    private readonly feed: Feed,
    private readonly config: () => SwitchboardConfig,
    private readonly version: string,
    options: DelivererOptions = {},
  ) {
    super();
    this.queue = new WebhookQueue(state);
    this.log = options.logger ?? silentLogger;
    this.me = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '', deliverer: crypto.randomBytes(6).toString('hex') };
    this.retryBaseMs = options.retryBaseMs ?? 5000;
    this.giveUpMs = options.giveUpMs ?? 60 * 60_000;
    this.leaseMs = options.leaseMs ?? 15_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.configuredAt = options.configuredAt;
    this.register(feed.onDidAppend(() => this.wake()));
    this.register(toDisposable(() => {
      if (this.timer) clearTimeout(this.timer);
      this.releaseLease();
    }));
    this.wake();
  }

  private get hooks(): WebhookConfig[] {
    return this.config().webhooks;
  }

  /** Looks now (new events, deliveries due); resolves once this pass is over. */
  wake(): Promise<void> {
    if (this.isDisposed) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.running = this.pass()
      .catch((error: Error) => this.log.warn(`[webhooks] ${error.message}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          void this.wake();
        } else this.scheduleNext();
      });
    return this.running;
  }

  /** Resolves once no pass runs and none is asked for (what was due when it was called has been tried). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private scheduleNext(): void {
    if (this.isDisposed || this.hooks.length === 0) return;
    const due = this.known ? [...this.known.values()].reduce((min, d) => Math.min(min, d.nextAt), Infinity) : Infinity;
    // Renew the lease (or look whether its holder is gone) well before it runs out.
    const wait = Math.max(50, Math.min(due - Date.now(), this.leaseMs / 3));
    this.timer = setTimeout(() => void this.wake(), wait);
    this.timer.unref?.();
  }

  private async pass(): Promise<void> {
    if (this.hooks.length === 0 || !(await this.holdLease())) return;
    this.queueNewEvents();
    const now = Date.now();
    const due = this.queued().filter((d) => d.nextAt <= now);
    for (let i = 0; i < due.length && !this.isDisposed; i += SENDING_AT_ONCE) {
      if (!(await this.holdLease())) return;
      await Promise.all(due.slice(i, i + SENDING_AT_ONCE).map((d) => this.send(d)));
    }
  }

  /** Turns the feed events after the cursor into queued deliveries, then moves the cursor past them. */
  private queueNewEvents(): void {
    let cursor = this.readCursor();
    if (cursor === undefined) {
      // Webhooks are new here: they hear of what happens from when they were configured (or from now on).
      cursor = this.configuredAt === undefined ? this.feed.head() : this.lastSeqBefore(this.configuredAt);
      this.writeCursor(cursor);
    }
    const read = this.feed.read(cursor, { limit: EVENTS_PER_PASS });
    const redactor = redactorFor(this.config().redaction, process.env);
    for (const event of read.events) {
      const type = webhookEventOf(event);
      if (!type) continue;
      const entity = redactor.value((event.entity ?? {}) as Record<string, unknown>);
      for (const hook of this.hooks.filter((h) => wants(h, type))) {
        const id = deliveryId(event.seq, hook.url, type);
        const body = deliveryBody(hook, id, type, event.ts, { key: event.key, entity }, event.seq);
        const delivery: QueuedDelivery = { version: 1, id, url: hook.url, format: hook.format, event: type, seq: event.seq, body, createdAt: event.ts, attempts: 0, nextAt: 0 };
        if (this.queue.put(delivery)) this.known?.set(id, delivery);
      }
    }
    if (read.position > cursor) this.writeCursor(read.position);
    if (read.events.length >= EVENTS_PER_PASS) this.again = true;
  }

  /** The seq of the last event before `ts` (0: none). */
  private lastSeqBefore(ts: number): number {
    let seq = 0;
    for (const event of this.feed.read(0).events) {
      if (event.ts >= ts) break;
      seq = event.seq;
    }
    return seq;
  }

  private async send(delivery: QueuedDelivery): Promise<void> {
    const hook = this.hooks.find((h) => h.url === delivery.url && h.format === delivery.format);
    const base = { id: delivery.id, event: delivery.event, url: displayUrl(delivery.url), attempt: delivery.attempts + 1 };
    if (!hook) {
      this.forget(delivery.id);
      this.queue.log({ ts: Date.now(), ...base, attempt: delivery.attempts, outcome: 'dropped', error: 'the webhook is no longer configured' });
      return;
    }
    const at = Date.now();
    const outcome = await postJson(delivery.url, delivery.body, deliveryHeaders(delivery.id, delivery.event, at, delivery.body, hook.secret, this.version), this.timeoutMs);
    const result = { ts: Date.now(), ...base, ms: outcome.ms, ...(outcome.status ? { status: outcome.status } : {}), ...(outcome.error ? { error: outcome.error } : {}) };
    if (outcome.ok) {
      this.forget(delivery.id);
      this.queue.log({ ...result, outcome: 'delivered' });
    } else if (Date.now() - delivery.createdAt >= this.giveUpMs) {
      this.forget(delivery.id);
      this.queue.log({ ...result, outcome: 'gave_up' });
      this.log.warn(`[webhooks] gave up on ${delivery.event} to ${base.url} after ${base.attempt} attempts: ${outcome.error}`);
    } else {
      const nextAt = Date.now() + retryDelay(base.attempt, this.retryBaseMs);
      const next = { ...delivery, attempts: base.attempt, nextAt, lastError: outcome.error };
      this.queue.update(next);
      this.known?.set(next.id, next);
      this.queue.log({ ...result, outcome: 'retrying', nextAt });
    }
  }

  /** The queue as this holder knows it (read from disk on taking the lease, and now and then). */
  private queued(): QueuedDelivery[] {
    if (!this.known || Date.now() - this.knownAt > QUEUE_REREAD_MS) {
      this.known = new Map(this.queue.all().map((d) => [d.id, d]));
      this.knownAt = Date.now();
    }
    return [...this.known.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  private forget(id: string): void {
    this.queue.remove(id);
    this.known?.delete(id);
  }

  /** Takes or renews the lease (on disk only once a third of it has passed); false while another live process holds it. */
  private async holdLease(): Promise<boolean> {
    if (this.isDisposed) return false;
    if (this.leaseUntil - Date.now() > (this.leaseMs * 2) / 3) return true;
    const { lease, leaseLock, dir } = this.state.webhooks;
    try {
      ensureFolder(dir);
      const held = await withFileLock(leaseLock, () => {
        // Closed while it waited for the lock: it takes nothing.
        if (this.isDisposed) return false;
        const current = this.readLease();
        const now = Date.now();
        const mine = current?.holder.deliverer === this.me.deliverer;
        if (current && !mine && current.until > now && isSameProcessAlive(current.holder)) return false;
        writeJsonAtomic(lease, { version: 1, holder: this.me, until: now + this.leaseMs } satisfies Lease, { durable: false });
        this.leaseUntil = now + this.leaseMs;
        return true;
      }, { waitMs: 2000 });
      if (!held) this.letGo();
      return held;
    } catch (error) {
      this.log.warn(`[webhooks] could not take the deliverer's lease: ${(error as Error).message}`);
      this.letGo();
      return false;
    }
  }

  /** Another holds the lease: what this one knew of the queue is stale from now on. */
  private letGo(): void {
    this.leaseUntil = 0;
    this.known = undefined;
  }

  private releaseLease(): void {
    const { lease, leaseLock } = this.state.webhooks;
    try {
      // Closing does not wait: with the lock held elsewhere this moment, the lease runs out by itself.
      tryFileLock(leaseLock, () => {
        const held = this.readLease();
        if (held?.holder.deliverer === this.me.deliverer) fs.rmSync(lease, { force: true });
      });
    } catch {
      // It runs out by itself.
    }
  }

  private readLease(): Lease | undefined {
    const read = readJsonFile<Lease>(this.state.webhooks.lease, (v) => ((v as Lease | null)?.version === 1 ? undefined : 'not a lease'));
    return read.kind === 'ok' ? read.value : undefined;
  }

  private readCursor(): number | undefined {
    const read = readJsonFile<Cursor>(this.state.webhooks.cursor, (v) => (typeof (v as Cursor | null)?.seq === 'number' ? undefined : 'not a cursor'));
    return read.kind === 'ok' ? read.value.seq : undefined;
  }

  private writeCursor(seq: number): void {
    ensureFolder(this.state.webhooks.dir);
    writeJsonAtomic(this.state.webhooks.cursor, { version: 1, seq } satisfies Cursor);
  }
}
