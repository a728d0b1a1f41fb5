/**
 * Webhook deliveries on disk, in the state folder: one file per delivery waiting to be sent or
 * tried again (`webhooks/queue/<id>.json`, written atomically, so a restart loses none), and the log
 * of every attempt (`webhooks/log.jsonl`, its older half dropped past 1 MB).
 */
import * as fs from 'node:fs';
import { redactText } from '../redact';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { readJsonLines } from '../store/jsonLines';
import { readJsonFile, writeJsonAtomic, writeTextAtomic } from '../store/atomicFile';
import type { WebhookEvent, WebhookFormat } from './webhookEvents';
import type { PING_EVENT } from './webhookPayload';

export interface QueuedDelivery {
  version: 1;
  /** The idempotency key: the same for every attempt. */
  id: string;
  url: string;
  format: WebhookFormat;
  event: WebhookEvent | typeof PING_EVENT;
  /** The feed event it tells of. */
  seq?: number;
  body: string;
  createdAt: number;
  attempts: number;
  /** When it is next tried. */
  nextAt: number;
  lastError?: string;
}

export type DeliveryOutcome = 'delivered' | 'retrying' | 'gave_up' | 'dropped';

export interface DeliveryLogEntry {
  ts: number;
  id: string;
  event: string;
  /** The address without its query, secrets in its path redacted. */
  url: string;
  attempt: number;
  outcome: DeliveryOutcome;
  status?: number;
  error?: string;
  ms?: number;
  /** When it is tried next (retrying). */
  nextAt?: number;
}

const MAX_LOG_BYTES = 1024 * 1024;

/** An address as the log shows it: no user, password or query, and tokens in its path redacted. */
export function displayUrl(url: string): string {
  try {
    const u = new URL(url);
    return redactText(`${u.protocol}//${u.host}${u.pathname}`);
  } catch {
    return redactText(url);
  }
}

const isDelivery = (v: unknown): string | undefined => ((v as QueuedDelivery | null)?.version === 1 && typeof (v as QueuedDelivery).id === 'string' ? undefined : 'not a webhook delivery');

export class WebhookQueue {
  constructor(private readonly state: StateMap) {}

  /** Queues a delivery unless it is there already (an event is queued once, whoever queues it). */
  put(delivery: QueuedDelivery): boolean {
    const file = this.state.webhookDelivery(delivery.id);
    if (fs.existsSync(file)) return false;
    ensureFolder(this.state.webhooks.queue);
    writeJsonAtomic(file, delivery);
    return true;
  }

  update(delivery: QueuedDelivery): void {
    writeJsonAtomic(this.state.webhookDelivery(delivery.id), delivery);
  }

  remove(id: string): void {
    fs.rmSync(this.state.webhookDelivery(id), { force: true });
  }

  /** Every queued delivery, oldest first. */
  all(): QueuedDelivery[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.state.webhooks.queue).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch {
      return [];
    }
    const out: QueuedDelivery[] = [];
    for (const name of names) {
      const read = readJsonFile<QueuedDelivery>(`${this.state.webhooks.queue}/${name}`, isDelivery);
      if (read.kind === 'ok') out.push(read.value);
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  }

  log(entry: DeliveryLogEntry): void {
    const file = this.state.webhooks.log;
    ensureFolder(this.state.webhooks.dir);
    fs.appendFileSync(file, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
    if (fs.statSync(file).size > MAX_LOG_BYTES) {
      const text = fs.readFileSync(file, 'utf8');
      writeTextAtomic(file, text.slice(text.indexOf('\n', text.length / 2) + 1));
    }
  }

  /** Every attempt logged, oldest first. */
  readLog(): DeliveryLogEntry[] {
    return readJsonLines<DeliveryLogEntry>(this.state.webhooks.log).items;
  }
}

/** The wait before attempt `attempt + 1`: doubling from `baseMs` up to ten minutes, each between half and all of it (jitter). */
export function retryDelay(attempt: number, baseMs: number, random = Math.random()): number {
  const full = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 10 * 60_000);
  return Math.round(full * (0.5 + random / 2));
}
