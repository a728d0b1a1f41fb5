/**
 * `switchboard webhooks log [--failed]`: the deliveries made and failing; `webhooks test <url>`: one
 * test delivery, sent now; `webhooks deliver [--once]`: the deliverer in the foreground, for a
 * machine where no editor or MCP server runs (the one deliverer of the state folder while it holds
 * the lease; with --once, one pass: queue what the feed has, send what is due, and exit).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { parseArgs } from 'node:util';
import { webhookWithDefaults } from '../../core/config';
import { WEBHOOK_FORMATS, type WebhookFormat } from '../../core/webhooks/webhookEvents';
import { WebhookDeliverer } from '../../core/webhooks/webhookDeliverer';
import { deliveryBody, deliveryHeaders, PING_EVENT } from '../../core/webhooks/webhookPayload';
import { postJson } from '../../core/webhooks/webhookPost';
import { displayUrl, WebhookQueue, type DeliveryLogEntry } from '../../core/webhooks/webhookQueue';
import type { Logger } from '../../core/logger';
import type { Switchboard } from '../../core/switchboard';
import type { CliContext } from '../context';
import { printJson, table, usageError } from '../output';
import { unknownSubcommand, VERSION } from '../usage';

/** A headless process's deliverer: webhooks of config.json are told what happened since the file was last written. */
export function headlessDeliverer(sb: Switchboard, logger: Logger): WebhookDeliverer {
  let configuredAt: number | undefined;
  try {
    configuredAt = fs.statSync(sb.state.config).mtimeMs;
  } catch {
    // No config.json: no webhooks either (until one is written; then from when this process started).
  }
  return new WebhookDeliverer(sb.state, sb.feed, () => sb.config, VERSION, { logger, configuredAt });
}

export async function webhooksCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'log') return logCommand(ctx, rest);
  if (action === 'test') return testCommand(ctx, rest);
  if (action === 'deliver') return deliverCommand(ctx, rest);
  throw unknownSubcommand('webhooks', action);
}

/** One delivery as the log shows it: its last attempt, and how many there were. */
interface DeliveryRow extends DeliveryLogEntry {
  attempts: number;
}

function deliveries(entries: DeliveryLogEntry[]): DeliveryRow[] {
  const byId = new Map<string, DeliveryRow>();
  for (const entry of entries) {
    byId.delete(entry.id);
    byId.set(entry.id, { ...entry, attempts: entry.attempt });
  }
  return [...byId.values()];
}

async function logCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { failed: { type: 'boolean', default: false }, limit: { type: 'string' } } });
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw usageError('webhooks log', `--limit must be a whole number of at least 1, not "${values.limit}"`);
  return ctx.withSwitchboard(async (sb) => {
    const queue = new WebhookQueue(sb.state);
    const waiting = queue.all().filter((d) => d.attempts === 0);
    const rows: DeliveryRow[] = [
      ...deliveries(queue.readLog()),
      ...waiting.map((d) => ({ ts: d.createdAt, id: d.id, event: d.event, url: displayUrl(d.url), attempt: 0, attempts: 0, outcome: 'retrying' as const, error: 'not tried yet', nextAt: d.nextAt })),
    ]
      .filter((r) => !values.failed || r.outcome !== 'delivered')
      .sort((a, b) => a.ts - b.ts)
      .slice(-limit);
    if (ctx.out.format === 'json') return printJson(ctx.out, { version: 1, deliveries: rows }), 0;
    if (rows.length === 0) {
      ctx.out.stdout(values.failed ? 'No failed deliveries.' : sb.config.webhooks.length ? 'No deliveries yet.' : 'No deliveries: no webhooks are configured (`webhooks` in config.json).');
      return 0;
    }
    const when = (ts: number): string => new Date(ts).toISOString().replace('T', ' ').slice(0, 19);
    const detail = (r: DeliveryRow): string =>
      [r.status && r.outcome === 'delivered' ? `HTTP ${r.status}` : r.error, r.outcome === 'retrying' && r.nextAt ? `next try ${when(r.nextAt)}` : ''].filter(Boolean).join('; ');
    ctx.out.stdout(table(['WHEN', 'EVENT', 'URL', 'TRIES', 'OUTCOME', 'DETAIL', 'ID'], rows.map((r) => [when(r.ts), r.event, r.url, String(r.attempts), r.outcome.replace('_', ' '), detail(r), r.id])));
    return 0;
  });
}

async function testCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { secret: { type: 'string' }, payload: { type: 'string' } } });
  const url = positionals[0];
  if (!url || positionals.length > 1) throw usageError('webhooks test', 'which address? give one URL');
  if (!/^https?:\/\//.test(url) || !URL.canParse(url)) throw usageError('webhooks test', `${url} is not an http:// or https:// address`);
  if (values.payload !== undefined && !WEBHOOK_FORMATS.includes(values.payload as WebhookFormat)) throw usageError('webhooks test', `--payload must be one of ${WEBHOOK_FORMATS.join(', ')} (the webhook's format)`);
  return ctx.withSwitchboard(async (sb) => {
    // A configured webhook is tested as it is configured (its secret, its format), unless told otherwise.
    const configured = sb.config.webhooks.find((h) => h.url === url);
    const hook = webhookWithDefaults({ url, format: (values.payload as WebhookFormat | undefined) ?? configured?.format, secret: values.secret ?? configured?.secret });
    const id = `test-${Date.now()}-${crypto.randomBytes(3).toString('hex')}`;
    const at = Date.now();
    const body = deliveryBody(hook, id, PING_EVENT, at, { key: 'switchboard', entity: { version: VERSION } });
    const outcome = await postJson(url, body, deliveryHeaders(id, PING_EVENT, at, body, hook.secret, VERSION), 10_000);
    new WebhookQueue(sb.state).log({ ts: Date.now(), id, event: PING_EVENT, url: displayUrl(url), attempt: 1, outcome: outcome.ok ? 'delivered' : 'gave_up', ms: outcome.ms, ...(outcome.status ? { status: outcome.status } : {}), ...(outcome.error ? { error: outcome.error } : {}) });
    if (ctx.out.format === 'json') printJson(ctx.out, { version: 1, id, url: displayUrl(url), ok: outcome.ok, status: outcome.status, error: outcome.error, ms: outcome.ms, signed: !!hook.secret, format: hook.format });
    else if (outcome.ok) ctx.out.stdout(`delivered to ${displayUrl(url)}: HTTP ${outcome.status} in ${outcome.ms} ms (${hook.format}${hook.secret ? ', signed' : ', unsigned'}; id ${id})`);
    else ctx.out.stderr(`not delivered to ${displayUrl(url)}: ${outcome.error}`);
    return outcome.ok ? 0 : 1;
  });
}

async function deliverCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { once: { type: 'boolean', default: false } } });
  return ctx.withSwitchboard(async (sb) => {
    if (sb.config.webhooks.length === 0) {
      ctx.out.stderr('switchboard: no webhooks are configured (`webhooks` in config.json); nothing to deliver.');
      return 0;
    }
    const deliverer = headlessDeliverer(sb, ctx.logger);
    try {
      if (values.once) {
        await deliverer.wake();
        await deliverer.idle();
        const left = new WebhookQueue(sb.state).all().length;
        if (ctx.out.format === 'json') printJson(ctx.out, { version: 1, queued: left });
        else ctx.out.stdout(left ? `${left} deliver${left === 1 ? 'y waits' : 'ies wait'} to be tried again (switchboard webhooks log --failed)` : 'nothing left to deliver');
        return 0;
      }
      ctx.out.stderr(`Delivering webhooks of ${sb.stateDir} (while no other process does); Ctrl+C stops.`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      return 0;
    } finally {
      deliverer.dispose();
    }
  });
}
