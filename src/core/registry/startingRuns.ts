/**
 * Runs another process is starting, as the tracker (RunTracker) follows them: each one's folder is
 * watched until the run has started, or until it is clear it never will (QUEUED_STALE_MS), when it
 * is settled as never started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../logger';
import type { StateMap } from '../state/stateMap';
import { isSameProcessAlive } from '../proc/processTable';
import { readRecord, writeRecord } from '../runs/recordFile';
import type { RunRecord } from '../runs/types';
import type { TrackerSink } from './trackerEntry';

/**
 * A run recorded as queued for longer than this without a supervisor never started; so did a run
 * folder that has had no record for this long (its launcher died between claiming and recording it).
 */
export const QUEUED_STALE_MS = 60_000;

interface Follower {
  watcher: fs.FSWatcher;
  giveUp: NodeJS.Timeout;
}

/** What following a starting run needs of the tracker. */
export interface StartingRunsHost {
  disposed(): boolean;
  /** Whether the tracker lists the run. */
  has(id: string): boolean;
  set(record: RunRecord): void;
  reload(id: string): Promise<RunRecord | undefined>;
  /** Reloads without waiting (from `read` when the record was just read); a failure is warned about. */
  reloadLater(id: string, read?: ReturnType<typeof readRecord>): void;
  warn(message: string): void;
}

export class StartingRuns {
  /**
   * Runs another process is still creating: their folders are watched until the run has started,
   * or until it is clear it never will (QUEUED_STALE_MS).
   */
  private readonly pending = new Map<string, Follower>();

  /** `queuedStaleMs`: see QUEUED_STALE_MS (tests shorten it). */
  constructor(
    private readonly paths: StateMap,
    private readonly log: Logger,
    private readonly sink: Pick<TrackerSink, 'warn' | 'settled'>,
    private readonly host: StartingRunsHost,
    private readonly queuedStaleMs: number,
  ) {}

  /** How many run folders are being watched. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * A run another process is starting: follow its folder until the record is there and the run has
   * started. A launcher can die before that; then at `deadline` (QUEUED_STALE_MS after the record was
   * made, or after the folder showed up without one) the folder is let go and the run settled as
   * never started.
   */
  follow(id: string, deadline = Date.now() + this.queuedStaleMs): void {
    if (this.pending.has(id) || this.host.disposed()) return;
    const paths = this.paths.run(id);
    const recordName = path.basename(paths.record);
    const check = (name?: string | Buffer | null): void => {
      // The agent's output and the other files of a starting run change often: only the record tells.
      if (name && name.toString() !== recordName) return;
      const read = readRecord(paths);
      if (read.kind === 'missing') return;
      if (read.kind === 'corrupt') {
        // Set aside as it was read: settled (rebuilt from its processes, or listed orphaned) and said, as any corrupt record is.
        this.unfollow(id);
        this.host.reloadLater(id, read);
        return;
      }
      if (read.value.status === 'queued') {
        // Listed while it waits in line (settled at the deadline if what keeps its place is gone by then).
        if (!this.host.has(id) && isSameProcessAlive(read.value.launcher)) this.host.set(read.value);
        return;
      }
      this.unfollow(id);
      this.host.reloadLater(id);
    };
    let watcher: fs.FSWatcher;
    try {
      watcher = fs.watch(paths.dir, (_type, name) => check(name));
    } catch {
      return; // The folder is already gone.
    }
    watcher.on('error', () => undefined);
    const giveUp = setTimeout(() => {
      this.unfollow(id);
      if (!this.host.disposed()) this.neverStarted(id).catch((error: unknown) => this.host.warn(`could not settle run ${id}, which never started: ${(error as Error).message}`));
    }, Math.max(0, deadline - Date.now()));
    giveUp.unref();
    this.pending.set(id, { watcher, giveUp });
    check();
  }

  unfollow(id: string): void {
    const follower = this.pending.get(id);
    if (!follower) return;
    follower.watcher.close();
    clearTimeout(follower.giveUp);
    this.pending.delete(id);
  }

  /** Lets every followed folder go (the tracker closes). */
  closeAll(): void {
    for (const id of [...this.pending.keys()]) this.unfollow(id);
  }

  /** The deadline of a followed run has passed: settle it (a folder without a record gets one, so it is listed and expires). */
  private async neverStarted(id: string): Promise<void> {
    // A record (still queued, or started after all) is settled the usual way.
    if ((await this.host.reload(id)) || this.host.disposed()) return;
    const paths = this.paths.run(id);
    let createdAt: number;
    try {
      createdAt = fs.statSync(paths.dir).mtimeMs;
    } catch {
      return; // Removed meanwhile.
    }
    const stub: RunRecord = {
      version: 1, id, name: `unknown-${id.slice(0, 4)}`, runner: 'custom', commandLine: [], cwd: '', prompt: '', status: 'orphaned',
      createdAt, endedAt: Date.now(), usage: { inputTokens: 0, outputTokens: 0 }, links: {},
      lastError: 'the run never started: whatever was starting it went away before recording it', outputBytes: 0, eventCount: 0,
    };
    this.log.warn(`run folder ${id} never got a record; it is listed as orphaned`);
    try {
      writeRecord(paths, stub);
    } catch (error) {
      this.sink.warn(`could not write the record of ${id}: ${(error as Error).message}`);
    }
    this.host.set(stub);
    this.sink.settled?.(stub, 'ended');
  }
}
