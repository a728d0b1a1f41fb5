/**
 * A run's record and events as its supervisor keeps them (the only writer of `run.json` while the
 * run lives): a change is on disk before anyone hears of it when it matters, else written at most
 * every 200 ms, and told to the control socket's subscribers and to the feed; an event is recorded
 * with secrets redacted and pushed; that the output grew is told at most every 100 ms. A write the
 * folder refuses (read-only for a while, a full disk) is tried again every second until it is on
 * disk (unless its folder is gone, or has refused it for ten minutes): other processes go by the file,
 * so a run must not end only in this process's memory.
 */
import * as fs from 'node:fs';
import type { Redactor } from '../redact';
import type { EventLogWriter } from '../runs/eventLog';
import { writeRecord } from '../runs/recordFile';
import type { AgentEventBody, RunRecord } from '../runs/types';
import type { RunPaths } from '../state/stateMap';
import { isNoSpace } from '../store/diskSpace';
import { hostLog } from './hostLog';
import type { OutputLines } from './outputLines';
import type { ControlNotification } from './protocol';
import type { RunFeed } from './runFeed';

const RECORD_WRITE_MS = 200;
const RECORD_RETRY_MS = 1000;
/** A folder that refuses the record this long is taken as lost for good: the supervisor (and its host) may then leave, as one whose folder is gone. */
const RECORD_GIVE_UP_MS = 10 * 60_000;
const OUTPUT_NOTIFY_MS = 100;
const MAX_EVENT_OUTPUT = 32 * 1024;

/** What the record is kept with: the run's files, its redactor, and where its changes are told. */
export interface RecordKeeperParts {
  paths: RunPaths;
  events: EventLogWriter;
  redactor: Redactor;
  feed: RunFeed;
  /** The run's output log as followed so far. */
  output: { readonly bytes: number };
  /** The output read as lines for the runner's parser (undefined for a plain-text runner). */
  lines: OutputLines | undefined;
  /** Pushes a notification to the control socket's subscribers. */
  notify(note: ControlNotification): void;
  /** run.json could not be written for want of disk space. */
  noSpace(): void;
}

export class RecordKeeper {
  private recordTimer: NodeJS.Timeout | undefined;
  private outputTimer: NodeJS.Timeout | undefined;
  /** Set while the last write failed; told when a write gets through (see onDisk). */
  private failing: { settled: Promise<void>; resolve: () => void; since: number } | undefined;

  constructor(public record: RunRecord, private readonly parts: RecordKeeperParts) {}

  /** Records an event, secrets redacted; returns it as recorded. */
  emit(body: AgentEventBody): AgentEventBody {
    // Events stay small; the whole of a long tool output is in the log.
    if (body.type === 'tool_result' && body.output.length > MAX_EVENT_OUTPUT) {
      body = { ...body, output: `${body.output.slice(0, MAX_EVENT_OUTPUT)}… (${body.output.length - MAX_EVENT_OUTPUT} more characters in the output log)` };
    }
    const clean = this.parts.redactor.value(body);
    const event = this.parts.events.append(clean);
    this.record.eventCount = this.parts.events.count;
    this.parts.notify({ note: 'event', event });
    return clean;
  }

  noteError(message: string): void {
    if (this.record.lastError === message) return;
    this.update({ lastError: message });
  }

  /** Important changes are on disk before anyone hears of them; the rest is written at most every 200 ms. */
  update(patch: Partial<RunRecord>, immediate = false): void {
    const before = this.record;
    this.record = { ...this.record, ...patch, ...this.progress(), ...redactionsOf(this.parts.redactor) };
    if (immediate) this.writeNow();
    else this.recordTimer ??= setTimeout(() => this.writeNow(), RECORD_WRITE_MS);
    this.parts.notify({ note: 'record', record: this.record });
    this.parts.feed.changed(before, this.record);
  }

  /** How far the output and its parse have come (the parse mark as in outputLines.ts). */
  private progress(): Pick<RunRecord, 'outputBytes' | 'eventCount' | 'parsed'> {
    const lines = this.parts.lines;
    return { outputBytes: this.parts.output.bytes, eventCount: this.parts.events.count, ...(lines ? { parsed: lines.where() } : {}) };
  }

  /** Everything emitted so far goes to disk now. */
  flushEvents(): void {
    this.parts.events.flush();
  }

  writeNow(): void {
    if (this.recordTimer) clearTimeout(this.recordTimer);
    this.recordTimer = undefined;
    this.parts.events.flush();
    try {
      writeRecord(this.parts.paths, { ...this.record, ...this.progress() });
    } catch (error) {
      // Its folder is gone (the run, or the whole state folder, was removed): there is nowhere to write it, now or later.
      if (!fs.existsSync(this.parts.paths.dir)) return this.written();
      if (isNoSpace(error)) this.parts.noSpace();
      // Said once for each time it starts failing, not at every try.
      else if (!this.failing) hostLog(`switchboard supervisor: cannot write run.json (tried again every second): ${(error as Error).message}`);
      if (!this.failing) {
        let resolve!: () => void;
        const settled = new Promise<void>((r) => (resolve = r));
        this.failing = { settled, resolve, since: Date.now() };
      } else if (Date.now() - this.failing.since > RECORD_GIVE_UP_MS) {
        hostLog(`switchboard supervisor: gave up writing run.json of ${this.record.id} after ${RECORD_GIVE_UP_MS / 60_000} minutes: ${(error as Error).message}`);
        return this.written();
      }
      this.recordTimer = setTimeout(() => this.writeNow(), RECORD_RETRY_MS);
      return;
    }
    this.written();
  }

  private written(): void {
    this.failing?.resolve();
    this.failing = undefined;
  }

  /** Resolves once the record as it stands is on disk: at once, unless a write failed and is being tried again. */
  onDisk(): Promise<void> {
    return this.failing?.settled ?? Promise.resolve();
  }

  /** The output grew: its size is told (and kept in the record) within 100 ms. */
  outputGrew(): void {
    this.outputTimer ??= setTimeout(() => {
      this.outputTimer = undefined;
      this.record.outputBytes = this.parts.output.bytes;
      this.parts.notify({ note: 'output', bytes: this.parts.output.bytes });
    }, OUTPUT_NOTIFY_MS);
  }

  /** The run has ended: no output note is told late. */
  stopOutputNotes(): void {
    if (this.outputTimer) clearTimeout(this.outputTimer);
  }
}

/** The placeholders given so far, by kind, for the record (left out while there are none). */
function redactionsOf(redactor: Redactor): Pick<RunRecord, 'redactions'> {
  const counts = redactor.counts;
  return Object.keys(counts).length ? { redactions: counts } : {};
}
