/**
 * What a webhook delivery sends: the JSON body (the event and what it is about, or a message Slack or
 * Discord renders), and the headers — the event, the delivery id (an idempotency key: the same for
 * every attempt), the time, and an HMAC-SHA256 signature of `<timestamp>.<body>` with the secret.
 */
import * as crypto from 'node:crypto';
import { summaryOf, type WebhookConfig, type WebhookEvent } from './webhookEvents';

/** A test delivery (`switchboard webhooks test`) is this event. */
export const PING_EVENT = 'ping';

export interface WebhookSubject {
  /** The feed's key of what it is about: `run:<id>`, `task:<team>/<id>`, `goal:<id>`, `discovery:<owner>/<id>`. */
  key: string;
  entity: Record<string, unknown>;
}

/** The JSON body of a delivery, in the webhook's format. */
export function deliveryBody(hook: Pick<WebhookConfig, 'format'>, id: string, event: WebhookEvent | typeof PING_EVENT, at: number, subject: WebhookSubject, seq?: number): string {
  const text = event === PING_EVENT ? 'Switchboard test delivery: this webhook works.' : summaryOf(event, subject.key, subject.entity);
  if (hook.format === 'slack') return JSON.stringify({ text: `Switchboard · ${text}`, blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `*Switchboard* · \`${event}\`\n${escapeSlack(text)}` } }] });
  if (hook.format === 'discord') return JSON.stringify({ content: `**Switchboard** · \`${event}\`\n${text}`.slice(0, 2000), allowed_mentions: { parse: [] } });
  return JSON.stringify({ id, event, timestamp: new Date(at).toISOString(), ...(seq !== undefined ? { seq } : {}), summary: text, subject: { key: subject.key, ...subject.entity } });
}

const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** `sha256=<hex>`: the HMAC-SHA256 of `<timestamp>.<body>` with the secret. */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Whether a signature header is right (in constant time): what a receiver checks. */
export function verifySignature(secret: string, timestamp: string, body: string, header: string | undefined): boolean {
  const expected = Buffer.from(signature(secret, timestamp, body));
  const given = Buffer.from(header ?? '');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

export function deliveryHeaders(id: string, event: string, at: number, body: string, secret: string | undefined, version: string): Record<string, string> {
  const timestamp = String(Math.floor(at / 1000));
  return {
    'content-type': 'application/json',
    'user-agent': `Switchboard/${version}`,
    'x-switchboard-event': event,
    'x-switchboard-delivery': id,
    'idempotency-key': id,
    'x-switchboard-timestamp': timestamp,
    ...(secret ? { 'x-switchboard-signature': signature(secret, timestamp, body) } : {}),
  };
}
