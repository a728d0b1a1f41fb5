/**
 * What a webhook can be told, and which change of the live feed each is: the feed's own event for
 * most, `goal.ready` / `goal.not_ready` for a goal that ended so. Each comes with a line a person
 * reads (Slack and Discord show it), and the key and entity of what it is about.
 */
import * as crypto from 'node:crypto';
import { FEED_TYPES, type FeedEvent } from '../feed/feedEvent';

/** The feed's own events a webhook can be sent (each means what the feed says it means). */
const FROM_FEED = ['task.completed', 'task.failed', 'agent.completed', 'agent.failed', 'agent.waiting', 'budget.warning', 'budget.exhausted'] as const;

export const WEBHOOK_EVENTS = {
  ...(Object.fromEntries(FROM_FEED.map((type) => [type, FEED_TYPES[type]])) as Record<(typeof FROM_FEED)[number], string>),
  'goal.ready': 'a goal ended ready: its gates pass and its proof holds',
  'goal.not_ready': 'a goal ended not ready',
  'discovery.created': FEED_TYPES['discovery.created'],
};

export type WebhookEvent = keyof typeof WEBHOOK_EVENTS;
export const WEBHOOK_EVENT_NAMES = Object.keys(WEBHOOK_EVENTS) as WebhookEvent[];

export type WebhookFormat = 'json' | 'slack' | 'discord';
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['json', 'slack', 'discord'];

/** One webhook of config (`webhooks` in config.json, `switchboard.webhooks` in VS Code). */
export interface WebhookConfig {
  url: string;
  /** The events it is sent (empty: all of them). */
  events: WebhookEvent[];
  /** Signs each delivery (HMAC-SHA256 of timestamp and body) when set. */
  secret?: string;
  format: WebhookFormat;
}

/** The webhook event a feed event is, if any. */
export function webhookEventOf(event: FeedEvent): WebhookEvent | undefined {
  if (event.type === 'goal.ended') {
    const status = (event.entity as { status?: string } | null)?.status;
    return status === 'ready' ? 'goal.ready' : status === 'not_ready' ? 'goal.not_ready' : undefined;
  }
  return event.type in WEBHOOK_EVENTS ? (event.type as WebhookEvent) : undefined;
}

/** A webhook's name in the state folder (its folder under `webhooks/hooks/`): the same address and format is the same webhook in every process. */
export function webhookKey(hook: Pick<WebhookConfig, 'url' | 'format'>): string {
  return crypto.createHash('sha256').update(`${hook.format}\n${hook.url}`).digest('hex').slice(0, 16);
}

export const wants = (hook: WebhookConfig, event: WebhookEvent): boolean => hook.events.length === 0 || hook.events.includes(event);

type Entity = Record<string, unknown>;
const str = (v: unknown): string => (typeof v === 'string' ? v : v === undefined || v === null ? '' : JSON.stringify(v));

/** One line that says what happened, for a person. */
export function summaryOf(event: WebhookEvent, key: string, entity: Entity): string {
  const task = (entity.task ?? {}) as Entity;
  const run = `run ${str(entity.name)} (${str(entity.runner)})`;
  const goal = `goal ${str(entity.id)}${entity.goal ? ` "${str(entity.goal)}"` : ''}`;
  switch (event) {
    case 'task.completed':
      return `Task ${str(task.id)} of ${str(entity.team)} is done: ${str(task.title)}`;
    case 'task.failed':
      return `Task ${str(task.id)} of ${str(entity.team)} failed${task.reason ? `: ${str(task.reason)}` : ''}`;
    case 'agent.completed':
      return `The ${run} is done`;
    case 'agent.failed':
      return `The ${run} failed${entity.lastError ? `: ${str(entity.lastError)}` : ''}`;
    case 'agent.waiting':
      return `The ${run} waits for a person: ${str(entity.waiting)}`;
    case 'budget.warning':
      return `The budget of goal ${str(entity.id)} is nearly spent: ${str(entity.summary)}`;
    case 'budget.exhausted':
      return `The budget of goal ${str(entity.id)} is spent: ${str(entity.summary)}`;
    case 'goal.ready':
      return `The ${goal} is ready`;
    case 'goal.not_ready':
      return `The ${goal} ended not ready${entity.failure ? `: ${str(entity.failure)}` : ''}`;
    case 'discovery.created':
      return `New discovery ${str(entity.id)} of ${str(entity.goal ?? entity.team ?? key)}: ${str(entity.title)}`;
  }
}
