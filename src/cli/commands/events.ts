/**
 * `switchboard events [--follow] [--since SEQ|now] [--type T]...`: the live feed of changes, as a
 * table for people or one JSON object per line (`--format json`), streamed while it follows. What
 * events carry of runs (prompts, errors, results) is shown with secrets redacted, as everywhere.
 */
import { parseArgs } from 'node:util';
import { loadConfigFile } from '../../core/config';
import type { Feed } from '../../core/feed/feed';
import { typeMatches, unknownFeedTypes, type FeedEvent } from '../../core/feed/feedEvent';
import { describeFeedEvent } from '../../core/feed/feedText';
import { redactorFor } from '../../core/redact';
import type { CliContext } from '../context';
import { usageError } from '../output';

function checkTypes(types: string[]): string[] {
  const { unknown, known } = unknownFeedTypes(types);
  if (unknown.length) throw usageError('events', `unknown --type "${unknown[0]}"; ${known}`);
  return types;
}

function parseSince(value: string | undefined, feed: Feed): number {
  if (value === undefined) return 0;
  if (value === 'now') return feed.head();
  const seq = Number(value);
  if (!Number.isInteger(seq) || seq < 0) throw usageError('events', `--since must be a sequence number (0 or more) or "now", not "${value}"`);
  return seq;
}

const time = (ts: number): string => new Date(ts).toISOString().slice(11, 23);

export async function eventsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, since: { type: 'string' }, type: { type: 'string', multiple: true, default: [] } },
  });
  if (positionals.length) throw usageError('events', `unexpected ${positionals.join(' ')}`);
  const types = checkTypes(values.type);
  const json = ctx.out.format === 'json';
  const { config, warning } = loadConfigFile(ctx.stateDir);
  if (warning) ctx.out.stderr(`switchboard: ${warning}`);
  // One for the command: a secret is the same placeholder in every event it is in.
  const redactor = redactorFor(config.redaction, process.env);
  const print = async (events: readonly FeedEvent[]): Promise<void> => {
    const shown = events.filter((e) => typeMatches(e.type, types)).map((e) => redactor.value(e));
    // A follow that runs for days does not keep every secret it has seen (the event stream's bound).
    redactor.forgetPast();
    if (!shown.length || ctx.out.isClosed()) return;
    const text = shown.map((e) => (json ? JSON.stringify(e) : `${String(e.seq).padStart(7)}  ${time(e.ts)}  ${e.type.padEnd(21)}  ${describeFeedEvent(e)}`)).join('\n');
    await ctx.out.write(`${text}\n`);
  };
  return ctx.withFeed(async (feed) => {
    const since = parseSince(values.since, feed);
    if (!values.follow) {
      const read = feed.read(since);
      await print(read.events);
      if (read.torn) ctx.out.stderr(`switchboard: ${read.torn} damaged line(s) of the journal were skipped (a writer was stopped mid-line)`);
      return 0;
    }
    const follower = feed.follow(since);
    let queue = Promise.resolve();
    follower.onDidAppend((events) => (queue = queue.then(() => print(events))));
    follower.poke();
    // Until Ctrl-C, or until the reader of stdout goes away.
    const interrupted = await Promise.race([new Promise<boolean>((resolve) => process.once('SIGINT', () => resolve(true))), ctx.out.closed.then(() => false)]);
    follower.dispose();
    await queue;
    return interrupted ? 130 : 0;
  });
}
