/**
 * What the run tracker (RunTracker) holds of each run (Entry), shared by its collaborators, and what
 * it tells its owner (TrackerSink, RunChange).
 */
import type { ControlClient } from './controlClient';
import type { CachedBrief } from './recordCache';
import type { RunBrief } from '../runs/runBrief';
import type { AgentEvent, RunRecord } from '../runs/types';

export interface RunChange {
  kind: 'added' | 'updated' | 'removed';
  run: RunRecord;
}

export interface TrackerSink {
  changed(change: RunChange): void;
  event(runId: string, event: AgentEvent): void;
  output(runId: string, bytes: number): void;
  warn(message: string): void;
  /** A container run whose supervisor died: ask a supervisor host to take it over (its container runs on). */
  readopt?(record: RunRecord): Promise<unknown>;
  /** This process settled a run that had no supervisor left to (orphaned, killed), or removed one. */
  settled?(record: RunRecord, how: 'ended' | 'removed'): void;
  /** A run whose supervisor died is past its time limit, its agent still alive: stop it (the limit holds without a supervisor). */
  overTime?(record: RunRecord): Promise<unknown>;
}

export interface Entry {
  /**
   * Its whole record; none yet for a finished run taken from the record index (see RecordCache),
   * until it is asked for (whole()): its brief stands for it in listings meanwhile.
   */
  record: RunRecord | undefined;
  /** Its record, or the brief the index had of it. */
  brief: RunBrief;
  /** For a run taken from the index: its file's stamp then (its whole record is taken at that stamp only). */
  stamp?: CachedBrief;
  recent?: AgentEvent[];
  client?: ControlClient;
  /** Whether its supervisor answered over `client` (a stopped one accepts the connection, and never answers). */
  answered?: boolean;
  /** An attach under way; resolves true once it connected (whether or not the connection lasted). */
  connecting?: Promise<boolean>;
  watchdog?: NodeJS.Timeout;
  /** Its agent being stopped at its time limit by this process (see TrackerSink.overTime). */
  stopping?: boolean;
  /** A take-over of its container under way (see TrackerSink.readopt). */
  readopting?: boolean;
  /** When this process first found its launcher gone while it was still queued (see RunSupervision.settle). */
  judgedAt?: number;
  /** A finished run taken from a current record index and not yet compared with its file (the index's entry: the file's stamp then). */
  unchecked?: CachedBrief;
}
