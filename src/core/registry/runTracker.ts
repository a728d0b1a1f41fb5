/**
 * Keeps the registry's records current: loads the state directory, attaches to each live run's
 * supervisor (its pushes keep the record fresh; its socket closing means it is gone), watches the
 * folder for runs other processes start, and settles runs whose processes died unrecorded.
 * It holds the runs' entries; its collaborators do the work: IndexedRuns (the runs taken from the
 * record index), RunSupervision (live runs) and StartingRuns (runs another process is starting).
 */
import * as fs from 'node:fs';
import type { Disposable } from '../events';
import { Lifecycle, toDisposable } from '../lifecycle';
import type { Logger } from '../logger';
import type { StateMap } from '../state/stateMap';
import { readRecord, writeRecord } from '../runs/recordFile';
import { isFinished, type AgentEvent, type RunRecord, type RunStatus } from '../runs/types';
import type { ControlClient } from './controlClient';
import { IndexedRuns } from './indexedRuns';
import { KillMarkers } from './killMarkers';
import { rescueRecord, restoreFinished } from './recordRescue';
import { finishedRecordChanged } from './recordCache';
import { RunSupervision } from './runSupervision';
import { QUEUED_STALE_MS, StartingRuns } from './startingRuns';
import type { Entry, TrackerSink } from './trackerEntry';
import type { RunBrief } from '../runs/runBrief';

export { QUEUED_STALE_MS } from './startingRuns';
export type { RunChange, TrackerSink } from './trackerEntry';

/** A record holding only what a brief has (the rest empty): a run known by its brief alone (its record lost, or gone). */
function briefOnly({ worktree: _worktree, ...brief }: RunBrief): RunRecord {
  return { version: 1, commandLine: [], cwd: '', prompt: '', usage: { inputTokens: 0, outputTokens: 0 }, outputBytes: 0, eventCount: 0, ...brief, links: { ...brief.links } };
}

export interface TrackerOptions {
  /** See QUEUED_STALE_MS (tests shorten it). */
  queuedStaleMs?: number;
  /** See CHECK_DELAY_MS in indexedRuns.ts (tests shorten it). */
  checkDelayMs?: number;
}

export class RunTracker extends Lifecycle {
  private readonly entries = new Map<string, Entry>();
  private readonly expected = new Set<string>();
  /** Runs another process is starting (see StartingRuns). */
  private readonly starting: StartingRuns;
  /** The finished runs taken from the record index (see IndexedRuns). */
  private readonly indexed: IndexedRuns;
  /** Live runs' supervisors, and runs left without one (see RunSupervision). */
  private readonly supervision: RunSupervision;
  /** Runs killed from this process without their supervisor, and why (see KillMarker). */
  private readonly kills: KillMarkers;
  private changes = 0;

  constructor(private readonly paths: StateMap, private readonly log: Logger, private readonly sink: TrackerSink, options: TrackerOptions = {}) {
    super();
    const queuedStaleMs = options.queuedStaleMs ?? QUEUED_STALE_MS;
    this.register(toDisposable(() => {
      this.indexed.close();
      this.closeAll();
    }));
    this.kills = new KillMarkers(paths, log, (message) => sink.warn(message));
    // What the collaborators need of the tracker, and no more (each takes the part its interface names).
    const host = {
      disposed: () => this.isDisposed,
      changed: () => void this.changes++,
      has: (id: string) => this.entries.has(id),
      set: (record: RunRecord) => this.set(record),
      reload: (id: string, read?: ReturnType<typeof readRecord>) => this.reload(id, read),
      // Not awaited: a failure (a full disk while a corrupt record is written again) is said, never an unhandled rejection.
      reloadLater: (id: string, read?: ReturnType<typeof readRecord>) =>
        void this.reload(id, read).catch((error: unknown) => sink.warn(`could not read the record of ${id} again: ${(error as Error).message}`)),
      drop: (id: string) => this.drop(id),
      warn: (message: string) => sink.warn(message),
      whole: (id: string, entry: Entry) => this.indexed.whole(id, entry),
      follow: (id: string, deadline: number) => this.starting.follow(id, deadline),
    };
    this.indexed = new IndexedRuns(paths, this.entries, this.kills, host, options.checkDelayMs);
    this.starting = new StartingRuns(paths, log, sink, host, queuedStaleMs);
    this.supervision = new RunSupervision(paths, log, sink, this.entries, host, queuedStaleMs);
  }

  /** Counts every change to the records (a cache of anything derived from them is stale when it moved). */
  get generation(): number {
    return this.changes;
  }

  /** How many run folders are being watched for a run another process is starting. */
  get following(): number {
    return this.starting.size;
  }

  /** Every run's whole record (those the record index had are read: from `runs-cache.json`, once for all of them). */
  records(): RunRecord[] {
    this.readWhole();
    return [...this.entries.values()].map((e) => e.record!);
  }

  /** Reads the whole record of every run the record index had and nobody asked for yet: from `runs-cache.json`, once for all of them. */
  readWhole(): void {
    this.indexed.readWhole();
  }

  /** Every run's brief (RunBrief): what a listing needs, its whole record read only for what it shows. */
  briefs(): RunBrief[] {
    return [...this.entries.values()].map((e) => e.brief);
  }

  /** Whether a run of this exact id is known. */
  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): RunRecord | undefined {
    const entry = this.entries.get(id);
    return entry && this.indexed.whole(id, entry);
  }

  recentEvents(id: string): readonly AgentEvent[] {
    return this.entries.get(id)?.recent ?? [];
  }

  /** The run's supervisor, connected and known to answer (it answered the subscription). */
  client(id: string): ControlClient | undefined {
    const entry = this.entries.get(id);
    return entry?.client?.isOpen && entry.answered ? entry.client : undefined;
  }

  /** Loads every run of the folder (see IndexedRuns.loadAll). */
  async loadAll(): Promise<void> {
    await this.indexed.loadAll();
  }

  /** Compares the records of these runs taken from the record index with their files; true when any changed (see IndexedRuns.check). */
  check(ids: Iterable<string>): boolean {
    return this.indexed.check(ids);
  }

  /** This process is creating run `id` itself: the folder watcher must leave it alone. */
  expect(id: string): void {
    this.expected.add(id);
  }

  async adopt(record: RunRecord): Promise<void> {
    this.expected.delete(record.id);
    this.set(record);
    await this.supervision.settle(record.id);
  }

  /** Reads a run's record from disk and brings it up to date: attach to its supervisor, adopt its lone agent, or settle it as orphaned. */
  async reload(id: string, read = readRecord(this.paths.run(id))): Promise<RunRecord | undefined> {
    this.expected.delete(id);
    const paths = this.paths.run(id);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'corrupt') {
      // A run that still lives is never declared orphaned: its record is written again by its supervisor, or rebuilt from its processes.
      // A finished run's record is written again from what was last read of it (here, or by any process: the cache).
      const entry = this.entries.get(id);
      const known = entry?.record ?? this.indexed.latest(id);
      // Known by its brief alone, it had finished: there is nothing alive to ask (and the answer comes at once).
      const brief = entry && !entry.record ? entry.brief : undefined;
      const rescued = known && isFinished(known.status) ? restoreFinished(paths, known, this.log) : brief ? undefined : await rescueRecord(id, paths, read.setAsideAs, this.log);
      if (rescued) {
        this.set(rescued);
        await this.supervision.settle(id);
        return this.get(id);
      }
      // Only its brief is known (from the record index), or nothing: it is listed as that, orphaned.
      this.sink.warn(`The record of run ${id} was corrupt (${read.reason}); it was set aside as ${read.setAsideAs} and the run is listed as orphaned.`);
      const stub: RunRecord = {
        ...(brief ? briefOnly(brief) : briefOnly({ id, name: `unknown-${id.slice(0, 4)}`, runner: 'custom', status: 'orphaned', createdAt: fs.statSync(paths.dir).mtimeMs, links: {} })),
        status: 'orphaned', endedAt: brief?.endedAt ?? Date.now(), lastError: `its record was corrupt and was set aside as ${read.setAsideAs}`,
      };
      writeRecord(paths, stub);
      finishedRecordChanged(this.paths.runsCacheGeneration);
      this.set(stub);
      return stub;
    }
    this.set(read.value);
    await this.supervision.settle(id);
    return this.get(id);
  }

  /** The user killed this run from here without its supervisor: the kill sticks (see KillMarkers). */
  noteKill(id: string, reason: string): void {
    this.kills.note(id, reason);
  }

  /** Writes the final state of a run that has no supervisor left to write it. */
  finishUnsupervised(id: string, status: RunStatus, reason: string): RunRecord | undefined {
    return this.supervision.finishUnsupervised(id, status, reason);
  }

  watch(): Disposable {
    let watcher: fs.FSWatcher | undefined;
    try {
      watcher = fs.watch(this.paths.runs, (_type, name) => name && this.onFolderChange(name.toString()));
    } catch (error) {
      this.log.warn(`cannot watch ${this.paths.runs}: ${(error as Error).message}`);
    }
    return toDisposable(() => watcher?.close());
  }

  private onFolderChange(id: string): void {
    if (this.isDisposed || this.expected.has(id) || id.startsWith('.')) return;
    // A run is a folder: a file put in runs/ is none.
    const exists = fs.statSync(this.paths.run(id).dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
    const known = this.entries.get(id);
    if (!exists && known) {
      this.drop(id);
      return;
    }
    if (!exists) {
      this.starting.unfollow(id);
      return;
    }
    if (exists && !known) this.starting.follow(id);
  }

  private set(incoming: RunRecord): void {
    const record = this.kills.keepKilled(incoming);
    this.changes++;
    const entry = this.entries.get(record.id);
    if (!entry) {
      this.entries.set(record.id, { record, brief: record });
      this.sink.changed({ kind: 'added', run: record });
      return;
    }
    this.indexed.replace(entry, record);
    this.sink.changed({ kind: 'updated', run: record });
  }

  remove(id: string): void {
    const record = this.get(id);
    fs.rmSync(this.paths.run(id).dir, { recursive: true, force: true });
    this.drop(id);
    if (record) this.sink.settled?.(record, 'removed');
  }

  private drop(id: string): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    this.entries.delete(id);
    this.indexed.dropped(entry);
    this.changes++;
    this.kills.forget(id);
    entry.client?.close();
    this.starting.unfollow(id);
    if (entry.watchdog) clearInterval(entry.watchdog);
    this.sink.changed({ kind: 'removed', run: entry.record ?? briefOnly(entry.brief) });
  }

  private closeAll(): void {
    for (const entry of this.entries.values()) {
      entry.client?.close();
      if (entry.watchdog) clearInterval(entry.watchdog);
    }
    this.starting.closeAll();
  }
}
