/**
 * Streams a run's output to stdout: readable events or the raw bytes, as text or as JSON lines,
 * and with `follow` everything after, as it comes, until the run ends. Writes wait for a slow
 * reader; a reader that goes away (`… | head`) ends it.
 */
import type { Disposable } from '../core/events';
import { renderEvent } from '../core/render';
import type { RunRegistry } from '../core/registry/registry';
import { isFinished, type RunRecord } from '../core/runs/types';
import { getRunner } from '../core/runners/runnerTable';
import type { Redactor } from '../core/redact';
import { runRedactor } from '../ops/runOutput';
import type { Out } from './output';

export interface FollowOptions {
  raw: boolean;
  follow: boolean;
  /** One JSON object a line: each event, or `{"cursor","next","data"}` chunks of the raw output. */
  json: boolean;
  out: Out;
}

const RAW_CHUNK = 1024 * 1024;
const EVENT_BATCH = 1000;
/** A slow look besides the registry's events, in case one is missed. */
const SAFETY_POLL_MS = 1000;

/** Writes what there is to write now; resolves once it is written. */
type Pump = () => Promise<void>;

/** `redactor`: a plain-text runner's output as answers show it (its redacted copy), else the bytes as printed. */
function rawPump(registry: RunRegistry, id: string, { json, out }: FollowOptions, redactor: Redactor | undefined): Pump {
  let cursor = 0;
  return async () => {
    while (!out.isClosed()) {
      const chunk = registry.readOutput(id, { cursor, redacted: !!redactor }, RAW_CHUNK);
      if (chunk.data.length === 0) return;
      // readOutput never cuts a UTF-8 character, so each chunk decodes on its own.
      const data = redactor ? redactor.text(chunk.data.toString('utf8')) : chunk.data;
      await out.write(json ? `${JSON.stringify({ cursor, next: chunk.nextCursor, data: data.toString('utf8') })}\n` : data);
      cursor = chunk.nextCursor;
    }
  };
}

function eventPump(registry: RunRegistry, id: string, { json, out }: FollowOptions, redactor: Redactor): Pump {
  let lastSeq = 0;
  return async () => {
    while (!out.isClosed()) {
      const events = redactor.value(registry.events(id, lastSeq, EVENT_BATCH));
      if (events.length === 0) return;
      lastSeq = events.at(-1)!.seq;
      const lines = json ? events.map((e) => JSON.stringify(e)) : events.flatMap((e) => renderEvent(e));
      if (lines.length) await out.write(`${lines.join('\n')}\n`);
    }
  };
}

/** Something to wait for that may have happened already: `poke` before `next` is not lost. */
class Wakeup {
  private poked = false;
  private waiter: (() => void) | undefined;
  poke = (): void => {
    this.poked = true;
    this.waiter?.();
  };
  next(): Promise<void> {
    return new Promise<void>((resolve) => {
      if (this.poked) resolve();
      this.waiter = resolve;
    }).then(() => {
      this.poked = false;
      this.waiter = undefined;
    });
  }
}

/** Prints what the run has written so far and, with `follow`, everything after until it ends (or stdout closes). */
export async function printOutput(registry: RunRegistry, run: RunRecord, options: FollowOptions): Promise<RunRecord> {
  const raw = options.raw || !getRunner(run.runner).structured;
  const redactor = runRedactor(registry, run);
  const pump = raw ? rawPump(registry, run.id, options, options.raw ? undefined : redactor) : eventPump(registry, run.id, options, redactor);
  const wake = new Wakeup();
  const mine = (id: string): boolean => id === run.id;
  const subscriptions: Disposable[] = options.follow
    ? [
        raw ? registry.onDidOutput((o) => mine(o.runId) && wake.poke()) : registry.onDidAppendEvent((e) => mine(e.runId) && wake.poke()),
        registry.onDidChange(({ run: changed }) => mine(changed.id) && isFinished(changed.status) && wake.poke()),
      ]
    : [];
  void options.out.closed.then(wake.poke);
  const poll = options.follow ? setInterval(wake.poke, SAFETY_POLL_MS) : undefined;
  try {
    for (;;) {
      // Looked at before the last read: once the run has ended, that read gets everything.
      const ended = !options.follow || isFinished(registry.resolve(run.id).status);
      await pump();
      if (ended || options.out.isClosed()) return registry.resolve(run.id);
      await wake.next();
    }
  } finally {
    clearInterval(poll);
    subscriptions.forEach((s) => s.dispose());
  }
}
