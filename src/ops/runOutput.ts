/**
 * A run's output as every answer gives it (MCP, the CLI's JSON, the HTTP API), secrets redacted.
 * Runners that print structured lines (Claude, Codex, Gemini, Qwen) are read as parsed events with
 * their sequence numbers as the cursor; plain-text runners (custom) as the lines of their redacted
 * output, `raw` events whose cursor is the byte offset after the line. What the supervisor stored
 * is redacted already (events, the redacted output, the record); it is redacted once more here with
 * this process's config and environment, numbering on from the run's own placeholders. The bytes
 * as printed are only in `output.log` (`switchboard logs --raw`, Show Agent Raw Output).
 */
import { redactorFor, type Redactor } from '../core/redact';
import type { RunRegistry } from '../core/registry/registry';
import { renderEvent } from '../core/render';
import { findRunner } from '../core/runners/runnerTable';
import { isFinished, type AgentEvent, type RunRecord } from '../core/runs/types';

const PAGE_BYTES = 256 * 1024;
const TAIL_BYTES = 64 * 1024;

export type OutputEvent = AgentEvent | { seq: number; type: 'raw'; stream: 'stdout'; text: string };

export interface OutputPage {
  events: OutputEvent[];
  nextCursor: number;
  complete: boolean;
}

const structured = (run: RunRecord): boolean => findRunner(run.runner)?.structured ?? false;

/** The redactor of an answer about a run: config's patterns and secrets, this process's environment, numbering on from the run's. */
export const runRedactor = (registry: RunRegistry, run: RunRecord): Redactor => redactorFor(registry.config.redaction, process.env, run.redactions);

/**
 * Redacted copies of finished runs' records, made once: a record is replaced, never changed, when its
 * run changes, and a finished one seldom is, so `list_agents` over a thousand runs does not build a
 * thousand redactors per call. A copy is made again when the redaction config is another object
 * (a reload); the environment's secrets are this process's, which do not change while it runs.
 */
const redactedCopies = new WeakMap<RunRecord, { redaction: unknown; copy: RunRecord }>();

/** The run's record as answers give it (its prompt, command line, answer, error and wait redacted). */
export function redactedRun(registry: RunRegistry, run: RunRecord, redactor?: Redactor): RunRecord {
  // A redactor given is shared with the rest of an answer (one secret, one placeholder): its numbering must go on through this record.
  if (redactor) return redactor.value(run);
  const redaction = registry.config.redaction;
  const hit = redactedCopies.get(run);
  if (hit && hit.redaction === redaction) return hit.copy;
  const copy = runRedactor(registry, run).value(run);
  if (isFinished(run.status)) redactedCopies.set(run, { redaction, copy });
  return copy;
}

export function outputPage(registry: RunRegistry, run: RunRecord, cursor: number, limit: number, redactor = runRedactor(registry, run)): OutputPage {
  const finished = isFinished(run.status);
  if (structured(run)) {
    const found = registry.events(run.id, cursor, limit + 1);
    const events = found.slice(0, limit);
    return { events: redactor.value(events), nextCursor: events.at(-1)?.seq ?? cursor, complete: finished && found.length <= limit };
  }
  const { data, nextCursor, size } = registry.readOutput(run.id, { cursor, redacted: true }, PAGE_BYTES);
  const events: OutputEvent[] = [];
  let offset = cursor;
  let start = 0;
  while (events.length < limit && start < data.length) {
    const newline = data.indexOf(10, start);
    // A partial last line waits for its end while the run lives, unless it alone fills the page.
    if (newline < 0 && !finished && !(start === 0 && data.length === PAGE_BYTES)) break;
    const end = newline < 0 ? data.length : newline + 1;
    offset = cursor + end;
    events.push({ seq: offset, type: 'raw', stream: 'stdout', text: redactor.text(data.subarray(start, newline < 0 ? end : newline).toString('utf8')) });
    start = end;
  }
  return { events, nextCursor: offset, complete: finished && offset >= size && nextCursor >= size };
}

/** The last `lines` readable lines: rendered events, or the plain text a custom runner printed. */
export function readableTail(registry: RunRegistry, run: RunRecord, lines: number, redactor = runRedactor(registry, run)): string {
  return redactor.text(tailLines(registry, run, lines));
}

function tailLines(registry: RunRegistry, run: RunRecord, lines: number): string {
  if (lines <= 0) return '';
  if (!structured(run)) return registry.tail(run.id, TAIL_BYTES, { redacted: true }).replace(/\n$/, '').split('\n').slice(-lines).join('\n');
  const events = registry.events(run.id, Math.max(0, run.eventCount - lines * 4));
  const out: string[] = [];
  for (let i = events.length - 1; i >= 0 && out.length < lines; i--) out.unshift(...renderEvent(events[i]!));
  return out.slice(-lines).join('\n');
}
