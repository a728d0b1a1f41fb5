/**
 * The registry's readers of a run's output and events (RunReading): raw bytes from a cursor, the
 * tail, redacted or not, and the events after a sequence number (from memory when pushed, else
 * from disk).
 */
import * as fs from 'node:fs';
import type { SwitchboardConfig } from '../config';
import type { RunPaths, StateMap } from '../state/stateMap';
import { readEvents } from '../runs/eventLog';
import { fileSize, offsetAfter, readOutput, readTail } from '../runs/outputLog';
import { redactorFor, type Redactor } from '../redact';
import { isFinished, type AgentEvent, type RunRecord } from '../runs/types';
import type { RunTracker } from './runTracker';

/** What reading runs needs of the registry (RunRegistry). */
export interface RunReadingHost {
  readonly config: SwitchboardConfig;
  readonly env: NodeJS.ProcessEnv;
  resolve(query: string): RunRecord;
  runPaths(id: string): RunPaths;
}

export class RunReading {
  constructor(
    private readonly registry: RunReadingHost,
    private readonly tracker: Pick<RunTracker, 'recentEvents'>,
    private readonly paths: StateMap,
  ) {}

  /** See RunRegistry.readOutput. */
  readOutput(query: string, from: { cursor?: number; sinceTimestamp?: number; redacted?: boolean }, limit: number): { data: Buffer; nextCursor: number; size: number } {
    const run = this.registry.resolve(query);
    const paths = this.paths.run(run.id);
    const file = from.redacted ? redactedFile(paths) : paths.output;
    const cursor = from.sinceTimestamp !== undefined && file === paths.output ? offsetAfter(paths, from.sinceTimestamp) : from.cursor ?? 0;
    const read = readOutput(paths, cursor, limit, isFinished(run.status), file);
    return from.redacted && file === paths.output ? { ...read, data: Buffer.from(this.redactor().text(read.data.toString('utf8'))) } : read;
  }

  /** For output without a redacted copy (a structured runner's, a run from before copies): config's and the environment's secrets. */
  private redactor(): Redactor {
    return redactorFor(this.registry.config.redaction, this.registry.env);
  }

  tail(query: string, bytes: number, options: { redacted?: boolean }): string {
    const paths = this.registry.runPaths(query);
    const file = options.redacted ? redactedFile(paths) : paths.output;
    const text = readTail(paths, bytes, file).toString('utf8');
    return options.redacted && file === paths.output ? this.redactor().text(text) : text;
  }

  /** See RunRegistry.events. */
  events(query: string, afterSeq: number, limit: number): AgentEvent[] {
    const id = this.registry.resolve(query).id;
    const recent = this.tracker.recentEvents(id);
    if (recent.length > 0 && recent[0]!.seq <= afterSeq + 1) return recent.filter((e) => e.seq > afterSeq).slice(0, limit);
    const disk = readEvents(this.paths.run(id), afterSeq, limit);
    const last = disk.at(-1)?.seq ?? afterSeq;
    const pushed = this.tracker.recentEvents(id).filter((e) => e.seq > last);
    return [...disk, ...pushed].slice(0, limit);
  }
}

/** The redacted copy of a plain-text runner's output, or `output.log` for runs from before there was one. */
const redactedFile = (paths: RunPaths): string => (fs.existsSync(paths.outputRedacted) || fileSize(paths.output) === 0 ? paths.outputRedacted : paths.output);
