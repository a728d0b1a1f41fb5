/**
 * The webhook deliverer of a process over a state folder. Any long-lived process may run one (the
 * extension host, an MCP server, `switchboard webhooks deliver`), each with the webhooks of its own
 * config (a window's settings, config.json). Each webhook is delivered by exactly one process at a
 * time: the holder of that webhook's lease (`webhooks/hooks/<hook>/deliverer.json`), renewed every
 * few seconds and taken over when its holder has died or stopped renewing; only a process that has
 * the webhook configured takes it. So processes with different webhooks each deliver their own, and
 * processes with the same one share it. The holder turns new feed events into queued deliveries
 * (from the webhook's own feed cursor, so events written while no process with it ran are delivered
 * when one starts), then sends what is due: a POST each, retried with exponential backoff and jitter
 * for up to an hour. A delivery waiting for a webhook this process does not know is left for the
 * process that does (given up only an hour after its event with no process holding that webhook).
 * Everything is asynchronous and off the path of agents and the editor.
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
import { webhookEventOf, webhookKey, wants, type WebhookConfig } from './webhookEvents';
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
  /** Until when this deliverer holds each webhook's lease, by webhook key, as far as it knows. */
  private readonly leases = new Map<string, number>();
  /** The queued deliveries of the webhooks whose leases this deliverer holds, by id. */
  private known: Map<string, QueuedDelivery> | undefined;
  private knownAt = 0;
  private sweptAt = 0;
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
      for (const key of this.leases.keys()) this.releaseLease(key);
    }));
    this.wake();
  }

  private get hooks(): WebhookConfig[] {
    return this.config().webhooks;
  }

  /** This process's webhooks by key (two entries with the same address and format are one webhook: the first). */
  private hooksByKey(): Map<string, WebhookConfig> {
    const byKey = new Map<string, WebhookConfig>();
    for (const hook of this.hooks) {
      const key = webhookKey(hook);
      if (!byKey.has(key)) byKey.set(key, hook);
    }
    return byKey;
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
    const held = await this.heldHooks();
    this.sweep(held);
    if (held.size === 0) return;
    this.queueNewEvents(held);
    const now = Date.now();
    const due = this.queued().filter((d) => d.nextAt <= now);
    for (let i = 0; i < due.length && !this.isDisposed; i += SENDING_AT_ONCE) {
      const batch = due.slice(i, i + SENDING_AT_ONCE);
      const still = await this.heldHooks();
      await Promise.all(batch.filter((d) => still.has(webhookKey(d))).map((d) => this.send(d, still.get(webhookKey(d))!)));
    }
  }

  /** The webhooks of this process whose leases it holds (taken or renewed now as needed). */
  private async heldHooks(): Promise<Map<string, WebhookConfig>> {
    const held = new Map<string, WebhookConfig>();
    const mine = this.hooksByKey();
    for (const [key, hook] of mine) if (await this.holdLease(key)) held.set(key, hook);
    // A webhook no longer configured here: its lease is let go for another process that has it.
    for (const key of [...this.leases.keys()]) {
      if (mine.has(key)) continue;
      this.releaseLease(key);
      this.letGo(key);
    }
    return held;
  }

  /** Turns the feed events after each held webhook's cursor into queued deliveries, then moves its cursor past them. */
  private queueNewEvents(held: Map<string, WebhookConfig>): void {
    const cursors = new Map([...held.keys()].map((key) => [key, this.cursorOf(key)]));
    const from = Math.min(...cursors.values());
    const read = this.feed.read(from, { limit: EVENTS_PER_PASS });
    const redactor = redactorFor(this.config().redaction, process.env);
    // An event older than a delivery is tried for (a webhook whose process was away for days) is not sent now: the cursor only moves past it.
    const oldest = Date.now() - this.giveUpMs;
    for (const event of read.events) {
      const type = webhookEventOf(event);
      if (!type || event.ts < oldest) continue;
      const entity = redactor.value((event.entity ?? {}) as Record<string, unknown>);
      for (const [key, hook] of held) {
        if (event.seq <= cursors.get(key)! || !wants(hook, type)) continue;
        const id = deliveryId(event.seq, hook.url, type);
        const body = deliveryBody(hook, id, type, event.ts, { key: event.key, entity }, event.seq);
        const delivery: QueuedDelivery = { version: 1, id, url: hook.url, format: hook.format, event: type, seq: event.seq, body, createdAt: event.ts, attempts: 0, nextAt: 0 };
        if (this.queue.put(delivery)) this.known?.set(id, delivery);
      }
    }
    for (const [key, cursor] of cursors) if (read.position > cursor) this.writeCursor(key, read.position);
    if (read.events.length >= EVENTS_PER_PASS) this.again = true;
  }

  /**
   * Where a webhook's deliveries have been queued up to. A webhook new to the state folder hears of
   * what happens from when it was configured (or from now on), never of what the cursor of older
   * versions had already passed.
   */
  private cursorOf(key: string): number {
    const own = this.readCursor(this.state.webhook(key).cursor);
    if (own !== undefined) return own;
    const start = Math.max(this.readCursor(this.state.webhooks.legacyCursor) ?? 0, this.configuredAt === undefined ? this.feed.head() : this.lastSeqBefore(this.configuredAt));
    this.writeCursor(key, start);
    return start;
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

  private async send(delivery: QueuedDelivery, hook: WebhookConfig): Promise<void> {
    const base = { id: delivery.id, event: delivery.event, url: displayUrl(delivery.url), attempt: delivery.attempts + 1 };
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

  /** The queued deliveries of the held webhooks as this deliverer knows them (read from disk on taking a lease, and now and then). */
  private queued(): QueuedDelivery[] {
    if (!this.known || Date.now() - this.knownAt > QUEUE_REREAD_MS) {
      this.known = new Map(this.queue.all().filter((d) => this.leases.has(webhookKey(d))).map((d) => [d.id, d]));
      this.knownAt = Date.now();
    }
    return [...this.known.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  private forget(id: string): void {
    this.queue.remove(id);
    this.known?.delete(id);
  }

  /**
   * Now and then: gives up the deliveries of webhooks no process has configured any more (none
   * holds their lease) once their event is older than the give-up time, so that they do not wait forever.
   */
  private sweep(held: Map<string, WebhookConfig>): void {
    if (Date.now() - this.sweptAt < QUEUE_REREAD_MS) return;
    this.sweptAt = Date.now();
    for (const delivery of this.queue.all()) {
      const key = webhookKey(delivery);
      if (held.has(key) || Date.now() - delivery.createdAt < this.giveUpMs) continue;
      const { leaseLock } = this.state.webhook(key);
      try {
        ensureFolder(this.state.webhook(key).dir);
        tryFileLock(leaseLock, () => {
          const lease = this.readLease(key);
          if (lease && lease.until > Date.now() && isSameProcessAlive(lease.holder)) return;
          this.queue.remove(delivery.id);
          this.queue.log({ ts: Date.now(), id: delivery.id, event: delivery.event, url: displayUrl(delivery.url), attempt: delivery.attempts, outcome: 'gave_up', error: 'no running Switchboard has this webhook configured' });
        });
      } catch (error) {
        this.log.warn(`[webhooks] could not look at the deliveries of ${displayUrl(delivery.url)}: ${(error as Error).message}`);
      }
    }
  }

  /** Takes or renews a webhook's lease (on disk only once a third of it has passed); false while another live process holds it. */
  private async holdLease(key: string): Promise<boolean> {
    if (this.isDisposed) return false;
    if ((this.leases.get(key) ?? 0) - Date.now() > (this.leaseMs * 2) / 3) return true;
    const { lease, leaseLock, dir } = this.state.webhook(key);
    try {
      ensureFolder(dir);
      const held = await withFileLock(leaseLock, () => {
        // Closed while it waited for the lock: it takes nothing.
        if (this.isDisposed) return false;
        const current = this.readLease(key);
        const now = Date.now();
        const mine = current?.holder.deliverer === this.me.deliverer;
        if (current && !mine && current.until > now && isSameProcessAlive(current.holder)) return false;
        writeJsonAtomic(lease, { version: 1, holder: this.me, until: now + this.leaseMs } satisfies Lease, { durable: false });
        // Newly taken: what waits for this webhook is read from disk.
        if (!this.leases.has(key)) this.known = undefined;
        this.leases.set(key, now + this.leaseMs);
        return true;
      }, { waitMs: 2000 });
      if (!held) this.letGo(key);
      return held;
    } catch (error) {
      this.log.warn(`[webhooks] could not take the lease of ${key}: ${(error as Error).message}`);
      this.letGo(key);
      return false;
    }
  }

  /** Another holds the webhook's lease: what this one knew of its deliveries is stale from now on. */
  private letGo(key: string): void {
    if (!this.leases.delete(key)) return;
    if (this.known) for (const [id, d] of this.known) if (webhookKey(d) === key) this.known.delete(id);
  }

  private releaseLease(key: string): void {
    const { lease, leaseLock } = this.state.webhook(key);
    try {
      // Closing does not wait: with the lock held elsewhere this moment, the lease runs out by itself.
      tryFileLock(leaseLock, () => {
        const held = this.readLease(key);
        if (held?.holder.deliverer === this.me.deliverer) fs.rmSync(lease, { force: true });
      });
    } catch {
      // It runs out by itself.
    }
  }

  private readLease(key: string): Lease | undefined {
    const read = readJsonFile<Lease>(this.state.webhook(key).lease, (v) => ((v as Lease | null)?.version === 1 ? undefined : 'not a lease'));
    return read.kind === 'ok' ? read.value : undefined;
  }

  private readCursor(file: string): number | undefined {
    const read = readJsonFile<Cursor>(file, (v) => (typeof (v as Cursor | null)?.seq === 'number' ? undefined : 'not a cursor'));
    return read.kind === 'ok' ? read.value.seq : undefined;
  }

  private writeCursor(key: string, seq: number): void {
    const { dir, cursor } = this.state.webhook(key);
    ensureFolder(dir);
    writeJsonAtomic(cursor, { version: 1, seq } satisfies Cursor);
  }
}
