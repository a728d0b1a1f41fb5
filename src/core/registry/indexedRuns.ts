/**
 * The finished runs the tracker (RunTracker) takes from the record index (see RecordCache) as
 * briefs: loads the state folder, reads their whole records when asked for, and compares them with
 * their files when shown or asked for (check), or in the background.
 */
import * as fs from 'node:fs';
import type { StateMap } from '../state/stateMap';
import { readRecord } from '../runs/recordFile';
import { isFinished, type RunRecord } from '../runs/types';
import type { KillMarkers } from './killMarkers';
import { RecordCache, stampOf, unchanged, type CachedBrief } from './recordCache';
import type { Entry } from './trackerEntry';

/**
 * Finished runs taken from a current record cache without a look at their files are looked at in
 * the background (a short-lived process never gets there: it looks at what it shows), this many
 * at a time, from this long after the folder opened.
 */
const CHECK_BATCH = 250;
const CHECK_DELAY_MS = 2000;
const CHECK_EVERY_MS = 20;

/** What the runs taken from the index need of the tracker that holds their entries. */
export interface IndexedRunsHost {
  disposed(): boolean;
  /** Counts a change to the records (see RunTracker.generation). */
  changed(): void;
  reload(id: string, read?: ReturnType<typeof readRecord>): Promise<RunRecord | undefined>;
  /** Reloads without waiting; a failure is warned about. */
  reloadLater(id: string, read?: ReturnType<typeof readRecord>): void;
  drop(id: string): void;
  warn(message: string): void;
}

export class IndexedRuns {
  /** The record cache the folder was opened with (see loadAll and check). */
  private cache: RecordCache | undefined;
  /** How many entries still have `unchecked` set, and the timer that looks at them in the background. */
  private uncheckedCount = 0;
  /** How many entries have no whole record yet (taken from the record index). */
  private lazyCount = 0;
  private checkTimer: NodeJS.Timeout | undefined;

  /** `checkDelayMs`: see CHECK_DELAY_MS (tests shorten it). */
  constructor(
    private readonly paths: StateMap,
    private readonly entries: Map<string, Entry>,
    private readonly kills: KillMarkers,
    private readonly host: IndexedRunsHost,
    private readonly checkDelayMs = CHECK_DELAY_MS,
  ) {}

  /** Reads the whole record of every run the record index had and nobody asked for yet: from `runs-cache.json`, once for all of them. */
  readWhole(): void {
    if (this.lazyCount === 0) return;
    // A record found gone meanwhile leaves its entry.
    for (const [id, entry] of [...this.entries]) if (!entry.record) this.whole(id, entry, true);
  }

  /**
   * The whole record of a run the record index had: from `runs-cache.json` at the brief's stamp when
   * many are read at once (`many`), else (or when that file lacks it) from its own file; a file
   * found changed since is taken as a change (as check() would), a corrupt one as reload() does.
   */
  whole(id: string, entry: Entry, many = false): RunRecord | undefined {
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
    if (read.kind === 'missing') this.host.drop(id);
    else this.host.reloadLater(id, read);
    return this.entries.get(id)?.record;
  }

  /** Gives an entry taken from the record index its whole record, as it was when the index took its brief. */
  private fill(entry: Entry, cached: RunRecord): RunRecord {
    const record = this.kills.keepKilled(cached, false);
    // Killed from here meanwhile: a change.
    if (record !== cached) this.host.changed();
    entry.record = record;
    entry.brief = record;
    entry.stamp = undefined;
    this.lazyCount--;
    this.dropCacheWhenDone();
    return record;
  }

  /** The latest record the record cache has of a run (written by any process). */
  latest(id: string): RunRecord | undefined {
    return this.recordCache().latest(id);
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
    await Promise.all(toRead.map((id) => this.host.reload(id)));
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
    this.host.changed();
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
      this.host.drop(id);
      return true;
    }
    // A finished record is read (or, found corrupt, written again as cached) and set before reload's first wait.
    this.host.reloadLater(id);
    const record = this.entries.get(id)?.record;
    if (record) this.cache?.put(record, stampOf(file));
    return true;
  }

  /** Looks at the runs taken from the record cache a batch at a time, leaving the process free in between. */
  private checkInBackground(): void {
    this.checkTimer = undefined;
    if (this.host.disposed() || this.uncheckedCount <= 0) return;
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

  /** An entry gets its whole record from elsewhere (read again, or pushed by its supervisor). */
  replace(entry: Entry, record: RunRecord): void {
    if (!entry.record) this.lazyCount--;
    entry.record = record;
    entry.brief = record;
    entry.stamp = undefined;
    if (entry.unchecked) {
      // Read again meanwhile (or pushed by its supervisor): nothing left to compare.
      entry.unchecked = undefined;
      this.uncheckedCount--;
    }
  }

  /** An entry left the tracker: it is no longer to be read whole or compared. */
  dropped(entry: Entry): void {
    if (entry.unchecked) this.uncheckedCount--;
    if (!entry.record) this.lazyCount--;
  }

  /** The tracker closes: the background check stops. */
  close(): void {
    clearTimeout(this.checkTimer);
    // What was read again since the folder opened is kept for the next process.
    this.cache?.save();
  }
}
