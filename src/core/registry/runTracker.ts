/**
 * Keeps the registry's records current: loads the state directory, attaches to each live run's
 * supervisor (its pushes keep the record fresh; its socket closing means it is gone), watches the
 * folder for runs other processes start, and settles runs whose processes died unrecorded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Disposable } from '../events';
import type { SwitchboardError } from '../errors';
import { Lifecycle, toDisposable } from '../lifecycle';
import type { Logger } from '../logger';
import type { StateMap } from '../state/stateMap';
import { isSameProcessAlive } from '../proc/processTable';
import { readRecord, writeRecord } from '../runs/recordFile';
import { dropPlan } from '../supervisor/plan';
import { isFinished, type AgentEvent, type RunRecord, type RunStatus } from '../runs/types';
import { ControlClient } from './controlClient';
import { KillMarkers } from './killMarkers';
import { rescueRecord, restoreFinished } from './recordRescue';
import { finishedRecordChanged, RecordCache, stampOf, unchanged, type CachedBrief } from './recordCache';
import type { RunBrief } from '../runs/runBrief';

/**
 * A run recorded as queued for longer than this without a supervisor never started; so did a run
 * folder that has had no record for this long (its launcher died between claiming and recording it).
 */
export const QUEUED_STALE_MS = 60_000;
/** How often an agent that lost its supervisor is checked for life (there is no pipe to tell us). */
const UNSUPERVISED_CHECK_MS = 1000;
/**
 * Finished runs taken from a current record cache without a look at their files are looked at in
 * the background (a short-lived process never gets there: it looks at what it shows), this many
 * at a time, from this long after the folder opened.
 */
const CHECK_BATCH = 250;
const CHECK_DELAY_MS = 2000;
const CHECK_EVERY_MS = 20;

/** A record holding only what a brief has (the rest empty): a run known by its brief alone (its record lost, or gone). */
function briefOnly({ worktree: _worktree, ...brief }: RunBrief): RunRecord {
  return { version: 1, commandLine: [], cwd: '', prompt: '', usage: { inputTokens: 0, outputTokens: 0 }, outputBytes: 0, eventCount: 0, ...brief, links: { ...brief.links } };
}

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

/** Events kept in memory per run, so readers never wait for the supervisor's next flush to disk. */
const RECENT_EVENTS = 500;
/** How long a reload waits for a supervisor to be attached before going on with the record on disk. */
const ATTACH_WAIT_MS = 1500;
/** How long a supervisor may take to answer a subscription. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

export interface TrackerOptions {
  /** See QUEUED_STALE_MS (tests shorten it). */
  queuedStaleMs?: number;
  /** See CHECK_DELAY_MS (tests shorten it). */
  checkDelayMs?: number;
}

interface Follower {
  watcher: fs.FSWatcher;
  giveUp: NodeJS.Timeout;
}

interface Entry {
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
  /** A finished run taken from a current record index and not yet compared with its file (the index's entry: the file's stamp then). */
  unchecked?: CachedBrief;
}

export class RunTracker extends Lifecycle {
  private readonly entries = new Map<string, Entry>();
  private readonly expected = new Set<string>();
  /**
   * Runs another process is still creating: their folders are watched until the run has started,
   * or until it is clear it never will (QUEUED_STALE_MS).
   */
  private readonly pending = new Map<string, Follower>();
  /** Runs killed from this process without their supervisor, and why (see KillMarker). */
  private readonly kills: KillMarkers;
  private readonly queuedStaleMs: number;
  private readonly checkDelayMs: number;
  private changes = 0;
  /** The record cache the folder was opened with (see loadAll and check). */
  private cache: RecordCache | undefined;
  /** How many entries still have `unchecked` set, and the timer that looks at them in the background. */
  private uncheckedCount = 0;
  /** How many entries have no whole record yet (taken from the record index). */
  private lazyCount = 0;
  private checkTimer: NodeJS.Timeout | undefined;

  constructor(private readonly paths: StateMap, private readonly log: Logger, private readonly sink: TrackerSink, options: TrackerOptions = {}) {
    super();
    this.queuedStaleMs = options.queuedStaleMs ?? QUEUED_STALE_MS;
    this.checkDelayMs = options.checkDelayMs ?? CHECK_DELAY_MS;
    this.register(toDisposable(() => {
      clearTimeout(this.checkTimer);
      // What was read again since the folder opened is kept for the next process.
      this.cache?.save();
      this.closeAll();
    }));
    this.kills = new KillMarkers(paths, log, (message) => sink.warn(message));
  }

  /** Counts every change to the records (a cache of anything derived from them is stale when it moved). */
  get generation(): number {
    return this.changes;
  }

  /** How many run folders are being watched for a run another process is starting. */
  get following(): number {
    return this.pending.size;
  }

  /** Every run's whole record (those the record index had are read: from `runs-cache.json`, once for all of them). */
  records(): RunRecord[] {
    this.readWhole();
    return [...this.entries.values()].map((e) => e.record!);
  }

  /** Reads the whole record of every run the record index had and nobody asked for yet: from `runs-cache.json`, once for all of them. */
  readWhole(): void {
    if (this.lazyCount === 0) return;
    // A record found gone meanwhile leaves its entry.
    for (const [id, entry] of [...this.entries]) if (!entry.record) this.whole(id, entry, true);
  }

  /** Every run's brief (RunBrief): what a listing needs, its whole record read only for what it shows. */
  briefs(): RunBrief[] {
    return [...this.entries.values()].map((e) => e.brief);
  }

  get(id: string): RunRecord | undefined {
    const entry = this.entries.get(id);
    return entry && this.whole(id, entry);
  }

  /**
   * The whole record of a run the record index had: from `runs-cache.json` at the brief's stamp when
   * many are read at once (`many`), else (or when that file lacks it) from its own file; a file
   * found changed since is taken as a change (as check() would), a corrupt one as reload() does.
   */
  private whole(id: string, entry: Entry, many = false): RunRecord | undefined {
    if (entry.record) return entry.record;
    const cached = many ? this.recordCache().record(id, entry.stamp!) : undefined;
    if (cached) return this.fill(entry, cached);
    if (entry.unchecked && this.checkOne(id)) return this.entries.get(id)?.record;
    const paths = this.paths.run(id);
    const read = readRecord(paths);
    if (read.kind === 'ok' && isFinished(read.value.status)) {
      this.cache?.put(read.value, stampOf(paths.record));
      return this.fill(entry, read.value);
    }
    // Gone, corrupt, or (written by hand) no longer finished: read again the usual way (a finished record is set before reload's first wait).
    if (read.kind === 'missing') this.drop(id);
    else this.reload(id, read).catch((error: unknown) => this.sink.warn(`could not read the record of ${id} again: ${(error as Error).message}`));
    return this.entries.get(id)?.record;
  }

  /** Gives an entry taken from the record index its whole record, as it was when the index took its brief. */
  private fill(entry: Entry, cached: RunRecord): RunRecord {
    const record = this.kills.keepKilled(cached, false);
    // Killed from here meanwhile: a change.
    if (record !== cached) this.changes++;
    entry.record = record;
    entry.brief = record;
    entry.stamp = undefined;
    this.lazyCount--;
    this.dropCacheWhenDone();
    return record;
  }

  /** The record cache the folder was opened with, or opened again to read whole records. */
  private recordCache(): RecordCache {
    this.cache ??= RecordCache.open(this.paths.runsIndex, this.paths.runsCache, this.paths.runsCacheGeneration);
    return this.cache;
  }

  /** The record cache is kept (in memory) only while runs taken from it are left to compare with their files or to read whole. */
  private dropCacheWhenDone(): void {
    if (this.uncheckedCount > 0 || this.lazyCount > 0 || this.checkTimer || !this.cache) return;
    this.cache.save();
    this.cache = undefined;
  }

  recentEvents(id: string): readonly AgentEvent[] {
    return this.entries.get(id)?.recent ?? [];
  }

  /** The run's supervisor, connected and known to answer (it answered the subscription). */
  client(id: string): ControlClient | undefined {
    const entry = this.entries.get(id);
    return entry?.client?.isOpen && entry.answered ? entry.client : undefined;
  }

  /**
   * Loads every run of the folder: the rest read, finished ones from the record index as briefs
   * (their whole records read when asked for). From a current index (see RecordCache) they are taken
   * as they are and compared with their files when shown or asked for (check), or in the background;
   * from another, when their file has not changed. Nobody listens yet: runs taken from the index are
   * added without a change event.
   */
  async loadAll(): Promise<void> {
    const cache = RecordCache.open(this.paths.runsIndex, this.paths.runsCache, this.paths.runsCacheGeneration);
    let ids: string[] = [];
    try {
      ids = cache.runIds(this.paths.runs);
    } catch {
      return;
    }
    this.cache = cache;
    const toRead: string[] = [];
    let found = 0;
    for (const id of ids) {
      const hit = cache.entry(id);
      if (hit) found++;
      if (hit && cache.current) this.setLazy(hit, false);
      else if (hit && unchanged(hit, stampOf(this.paths.run(id).record)) && !fs.existsSync(this.paths.run(id).killMarker)) this.setLazy(hit, true);
      // Not in the index, changed since, or killed by a process that could not write its record (the kill is put back as it is read).
      else toRead.push(id);
    }
    cache.keepOnly(ids, found);
    await Promise.all(toRead.map((id) => this.reload(id)));
    for (const id of toRead) {
      const record = this.entries.get(id)?.record;
      if (record) cache.put(record, stampOf(this.paths.run(id).record));
    }
    cache.save();
    if (this.uncheckedCount > 0) this.checkTimer = setTimeout(() => this.checkInBackground(), this.checkDelayMs).unref();
    this.dropCacheWhenDone();
  }

  /** A finished run as the record index has it; `checked`: its file was found unchanged since. */
  private setLazy(hit: CachedBrief, checked: boolean): void {
    this.changes++;
    this.entries.set(hit.id, { record: undefined, brief: hit, stamp: hit, unchecked: checked ? undefined : hit });
    this.lazyCount++;
    if (!checked) this.uncheckedCount++;
  }

  /**
   * Compares these runs' records taken from the record cache with their files (a stat each), reading
   * again those that changed: a finished record rewritten, found corrupt (written again as cached),
   * or gone. Runs read from their files, or already compared, cost nothing. True when any changed.
   * (The record cache keeps what was read, and is saved when the background check ends or this closes.)
   */
  check(ids: Iterable<string>): boolean {
    let changed = false;
    for (const id of ids) if (this.checkOne(id)) changed = true;
    return changed;
  }

  private checkOne(id: string): boolean {
    const entry = this.entries.get(id);
    const cached = entry?.unchecked;
    if (!entry || !cached) return false;
    entry.unchecked = undefined;
    this.uncheckedCount--;
    const file = this.paths.run(id).record;
    const now = stampOf(file);
    if (unchanged(cached, now)) return false;
    if (!now) {
      // Its record is gone (its folder removed by another process, whose removal the watcher tells too).
      this.drop(id);
      return true;
    }
    // A finished record is read (or, found corrupt, written again as cached) and set before reload's first wait.
    this.reload(id).catch((error: unknown) => this.sink.warn(`could not read the record of ${id} again: ${(error as Error).message}`));
    const record = this.entries.get(id)?.record;
    if (record) this.cache?.put(record, stampOf(file));
    return true;
  }

  /** Looks at the runs taken from the record cache a batch at a time, leaving the process free in between. */
  private checkInBackground(): void {
    this.checkTimer = undefined;
    if (this.isDisposed || this.uncheckedCount <= 0) return;
    const batch: string[] = [];
    for (const [id, entry] of this.entries) {
      if (!entry.unchecked) continue;
      batch.push(id);
      if (batch.length === CHECK_BATCH) break;
    }
    this.check(batch);
    if (this.uncheckedCount > 0) this.checkTimer = setTimeout(() => this.checkInBackground(), CHECK_EVERY_MS).unref();
    else this.cache?.save();
    this.dropCacheWhenDone();
  }

  /** This process is creating run `id` itself: the folder watcher must leave it alone. */
  expect(id: string): void {
    this.expected.add(id);
  }

  async adopt(record: RunRecord): Promise<void> {
    this.expected.delete(record.id);
    this.set(record);
    await this.settle(record.id);
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
      const known = entry?.record ?? this.recordCache().latest(id);
      // Known by its brief alone, it had finished: there is nothing alive to ask (and the answer comes at once).
      const brief = entry && !entry.record ? entry.brief : undefined;
      const rescued = known && isFinished(known.status) ? restoreFinished(paths, known, this.log) : brief ? undefined : await rescueRecord(id, paths, read.setAsideAs, this.log);
      if (rescued) {
        this.set(rescued);
        await this.settle(id);
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
    await this.settle(id);
    return this.get(id);
  }

  private async settle(id: string): Promise<void> {
    const entry = this.entries.get(id);
    const record = entry?.record;
    if (!entry || !record || isFinished(record.status) || entry.client?.isOpen) return;
    if (record.supervisor && isSameProcessAlive(record.supervisor) && record.controlSocket) {
      // An attach under way may be the very connection that just closed (dropped before it
      // subscribed): once it is through, look again, so that the run is never left unfollowed.
      if (entry.connecting) {
        // A failed connect has already planned its own retry, a little later.
        if (await entry.connecting) return this.settle(id);
        return;
      }
      entry.connecting = this.attach(entry, record.controlSocket).finally(() => (entry.connecting = undefined));
      // A supervisor that does not answer (stopped, hung) is not waited on: the record on disk
      // stands meanwhile, and the attach goes on by itself.
      await Promise.race([entry.connecting, new Promise((resolve) => setTimeout(resolve, ATTACH_WAIT_MS).unref())]);
      return;
    }
    if (record.container && record.status === 'running' && this.sink.readopt) {
      if (!entry.readopting) await this.readopt(entry, record);
      return;
    }
    if (record.agent && isSameProcessAlive(record.agent)) {
      this.watchUnsupervised(entry);
      return;
    }
    // Waiting in a pool's line: followed for as long as the process that will start it lives.
    if (record.status === 'queued' && !record.supervisor && isSameProcessAlive(record.launcher)) {
      this.follow(id, Date.now() + this.queuedStaleMs);
      return;
    }
    // Its launcher is gone. Whoever removes its plan has it: removed here, nothing can start it any more, and
    // it is settled now. A plan already taken means a host is starting it: given until the deadline to say so.
    const claimed = record.status === 'queued' && !record.supervisor && dropPlan(this.paths.run(id).plan);
    if (!claimed && record.status === 'queued' && !record.supervisor && Date.now() - record.createdAt < this.queuedStaleMs) {
      this.follow(id, record.createdAt + this.queuedStaleMs);
      return;
    }
    this.finishUnsupervised(id, 'orphaned', record.status === 'queued' ? `the run never started: the process that kept its place in line${record.launcher ? ` (pid ${record.launcher.pid})` : ''} went away` : 'its processes ended while nobody was watching; the exit was not recorded');
  }

  private async attach(entry: Entry, socketPath: string): Promise<boolean> {
    const id = entry.brief.id;
    let client: ControlClient;
    try {
      client = await ControlClient.connect(socketPath);
    } catch (error) {
      this.log.warn(`could not reach the supervisor of ${id}: ${(error as Error).message}`);
      if (!this.isDisposed) setTimeout(() => void this.reload(id), 200).unref();
      return false;
    }
    if (this.isDisposed) {
      client.close();
      return true;
    }
    entry.client = client;
    entry.answered = false;
    // Events pushed over an earlier connection end where it dropped; kept, they would leave a hole
    // that events() could serve across. From here the pushed ones are contiguous again.
    entry.recent = [];
    client.onNotification((note) => {
      if (note.note === 'record') this.set(note.record);
      else if (note.note === 'event') {
        const recent = (entry.recent ??= []);
        recent.push(note.event);
        if (recent.length > RECENT_EVENTS) recent.splice(0, recent.length - RECENT_EVENTS);
        this.sink.event(id, note.event);
      }
      else this.sink.output(id, note.bytes);
    });
    client.onClose(() => {
      entry.client = undefined;
      if (!this.isDisposed) void this.reload(id);
    });
    try {
      this.set(await client.request<RunRecord>({ op: 'subscribe' }, SUBSCRIBE_TIMEOUT_MS));
      entry.answered = true;
      this.log.trace(`attached to ${id}`);
    } catch (error) {
      // The connection closed before the subscription was answered (the supervisor ended, or
      // dropped it); its close handler looks again once this attach is through. Or the supervisor
      // does not answer: the connection stays, and what it pushes once it does is taken.
      if ((error as SwitchboardError).code === 'unresponsive') this.log.warn(`the supervisor of ${id} does not answer; its record on disk stands meanwhile`);
    }
    return true;
  }

  /** Its container runs on without a supervisor: a host takes it over (or another process's already does), then it is attached to. */
  private async readopt(entry: Entry, record: RunRecord): Promise<void> {
    const id = record.id;
    entry.readopting = true;
    try {
      await this.sink.readopt!(record);
    } catch (error) {
      const message = (error as Error).message;
      if (!/being taken over|has a live supervisor|not a running container run/.test(message)) {
        this.finishUnsupervised(id, 'orphaned', `its supervisor died and its container could not be followed again: ${message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      entry.readopting = false;
    }
    if (!this.isDisposed) await this.reload(id);
  }

  private watchUnsupervised(entry: Entry): void {
    if (entry.watchdog) return;
    this.log.warn(`run ${entry.brief.id} has lost its supervisor; its agent (pid ${entry.record?.agent?.pid}) is still alive`);
    entry.watchdog = setInterval(() => {
      const record = entry.record;
      if (isSameProcessAlive(record?.agent)) {
        const limit = record?.limits?.timeoutMs;
        if (limit && record.startedAt && Date.now() >= record.startedAt + limit && !entry.stopping && this.sink.overTime) {
          entry.stopping = true;
          void this.sink
            .overTime(record)
            .catch((error: Error) => this.sink.warn(`could not stop run ${record.id} at its time limit: ${error.message}`))
            .finally(() => (entry.stopping = false));
        }
        return;
      }
      this.finishUnsupervised(entry.brief.id, 'orphaned', 'the agent ended after its supervisor was gone; the exit code is unknown');
    }, UNSUPERVISED_CHECK_MS);
    entry.watchdog.unref();
  }

  /**
   * A run another process is starting: follow its folder until the record is there and the run has
   * started. A launcher can die before that; then at `deadline` (QUEUED_STALE_MS after the record was
   * made, or after the folder showed up without one) the folder is let go and the run settled as
   * never started.
   */
  private follow(id: string, deadline = Date.now() + this.queuedStaleMs): void {
    if (this.pending.has(id) || this.isDisposed) return;
    const paths = this.paths.run(id);
    const recordName = path.basename(paths.record);
    const check = (name?: string | Buffer | null): void => {
      // The agent's output and the other files of a starting run change often: only the record tells.
      if (name && name.toString() !== recordName) return;
      const read = readRecord(paths);
      if (read.kind !== 'ok') return;
      if (read.value.status === 'queued') {
        // Listed while it waits in line (settled at the deadline if what keeps its place is gone by then).
        if (!this.entries.has(id) && isSameProcessAlive(read.value.launcher)) this.set(read.value);
        return;
      }
      this.unfollow(id);
      void this.reload(id);
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
      if (!this.isDisposed) void this.neverStarted(id);
    }, Math.max(0, deadline - Date.now()));
    giveUp.unref();
    this.pending.set(id, { watcher, giveUp });
    check();
  }

  private unfollow(id: string): void {
    const follower = this.pending.get(id);
    if (!follower) return;
    follower.watcher.close();
    clearTimeout(follower.giveUp);
    this.pending.delete(id);
  }

  /** The deadline of a followed run has passed: settle it (a folder without a record gets one, so it is listed and expires). */
  private async neverStarted(id: string): Promise<void> {
    // A record (still queued, or started after all) is settled the usual way.
    if ((await this.reload(id)) || this.isDisposed) return;
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
    this.set(stub);
    this.sink.settled?.(stub, 'ended');
  }

  /** The user killed this run from here without its supervisor: the kill sticks (see KillMarkers). */
  noteKill(id: string, reason: string): void {
    this.kills.note(id, reason);
  }

  /** Writes the final state of a run that has no supervisor left to write it. */
  finishUnsupervised(id: string, status: RunStatus, reason: string): RunRecord | undefined {
    const entry = this.entries.get(id);
    const current = entry && this.whole(id, entry);
    if (!entry || !current) return undefined;
    if (entry.watchdog) clearInterval(entry.watchdog);
    entry.watchdog = undefined;
    const wasFinished = isFinished(current.status);
    if (!wasFinished) {
      // Another process following the same run (a window, an MCP server, `wait`) may have settled it
      // first (stopped it at its limit, found its agent gone): its record stands, told once, by it.
      const onDisk = readRecord(this.paths.run(id));
      if (onDisk.kind === 'ok' && isFinished(onDisk.value.status)) {
        this.set(onDisk.value);
        return onDisk.value;
      }
    }
    const record: RunRecord = { ...current, status, endedAt: current.endedAt ?? Date.now(), lastError: current.lastError ?? reason };
    if (status === 'killed') record.lastError = reason;
    try {
      writeRecord(this.paths.run(id), record);
      if (wasFinished) finishedRecordChanged(this.paths.runsCacheGeneration);
      // A run that ends in line never starts: its plan (the prompt unredacted) goes.
      if (current.status === 'queued') fs.rmSync(this.paths.run(id).plan, { force: true });
    } catch (error) {
      this.sink.warn(`could not write the record of ${id}: ${(error as Error).message}`);
    }
    this.set(record);
    if (!wasFinished) this.sink.settled?.(record, 'ended');
    return record;
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
    const exists = fs.existsSync(this.paths.run(id).dir);
    const known = this.entries.get(id);
    if (!exists && known) {
      this.drop(id);
      return;
    }
    if (!exists) {
      this.unfollow(id);
      return;
    }
    if (exists && !known) this.follow(id);
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
    if (!entry.record) this.lazyCount--;
    entry.record = record;
    entry.brief = record;
    entry.stamp = undefined;
    if (entry.unchecked) {
      // Read again meanwhile (or pushed by its supervisor): nothing left to compare.
      entry.unchecked = undefined;
      this.uncheckedCount--;
    }
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
    if (entry.unchecked) this.uncheckedCount--;
    if (!entry.record) this.lazyCount--;
    this.changes++;
    this.kills.forget(id);
    entry.client?.close();
    this.unfollow(id);
    if (entry.watchdog) clearInterval(entry.watchdog);
    this.sink.changed({ kind: 'removed', run: entry.record ?? briefOnly(entry.brief) });
  }

  private closeAll(): void {
    for (const entry of this.entries.values()) {
      entry.client?.close();
      if (entry.watchdog) clearInterval(entry.watchdog);
    }
    for (const id of [...this.pending.keys()]) this.unfollow(id);
  }
}
