/**
 * What a process reads of finished runs when it opens the state folder, kept for the next one:
 * `runs-cache.json` holds each finished run's record with the size and time of its `run.json` as
 * it was read. A finished record seldom changes, and whoever changes one through Switchboard (a
 * kill put back, a kill noted without its supervisor, a finished run settled again) says so in
 * `runs-cache.gen` (rewritten with a new token). A cache made at the token that file holds now is
 * taken as it is: a week of heavy use (10,000 runs) opens with no look at the runs' files at all,
 * and each run is looked at when it is shown or asked for, or in the background (RunTracker). A
 * cache made at another token is checked run by run (one stat each; changed files read again).
 * Any process may rewrite the cache (atomically); a missing, stale or corrupt cache only costs the
 * reads it would have saved.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { isFinished, type RunRecord } from '../runs/types';
import { readJsonFile, writeTextAtomic } from '../store/atomicFile';

export interface CachedRecord {
  /** `run.json`'s mtime (ms) and size when the record was read. */
  m: number;
  s: number;
  r: RunRecord;
}

interface CacheFile {
  version: 1;
  /** The token of `runs-cache.gen` when the process that wrote the cache opened the folder. */
  gen?: string;
  runs: Record<string, CachedRecord>;
}

export interface FileStamp {
  mtimeMs: number;
  size: number;
}

export function stampOf(file: string): FileStamp | undefined {
  try {
    const st = fs.statSync(file);
    return { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return undefined;
  }
}

/** Whether the file's stamp now is the one the record was cached with. */
export const unchanged = (cached: CachedRecord, now: FileStamp | undefined): boolean => !!now && cached.m === now.mtimeMs && cached.s === now.size;

/** The token of the generation file ('' when there is none yet). */
function readGeneration(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/**
 * Tells every process's record cache that a finished run's record changed or may change without
 * a new run (call it after the change is on disk): caches made before are checked run by run.
 */
export function finishedRecordChanged(generationFile: string): void {
  try {
    writeTextAtomic(generationFile, `${Date.now()}-${randomBytes(6).toString('hex')}`, { durable: false });
  } catch {
    // A full disk, say: the file keeps its old token, and runs are still checked when shown or asked for.
  }
}

export class RecordCache {
  private changed: boolean;

  private constructor(
    private readonly file: string,
    private readonly generation: string,
    /** By run id, as parsed (ten thousand entries: not copied into a Map). */
    private readonly runs: Record<string, CachedRecord>,
    /** Whether the cache was made at the generation the folder is at: its records need no look at their files to be taken. */
    readonly current: boolean,
  ) {
    // A cache of another generation is checked run by run and saved at this one.
    this.changed = !current;
  }

  private hit(id: string): CachedRecord | undefined {
    return Object.hasOwn(this.runs, id) ? this.runs[id] : undefined;
  }

  static open(file: string, generationFile: string): RecordCache {
    // The token is read before the records: a change made after this reads shows as another token next time.
    const generation = readGeneration(generationFile);
    // Without a prototype: a run id is only ever an own key.
    let runs: Record<string, CachedRecord> = Object.create(null) as Record<string, CachedRecord>;
    let made: string | undefined;
    try {
      const read = readJsonFile<CacheFile>(file, (v) => ((v as CacheFile | null)?.version === 1 && typeof (v as CacheFile).runs === 'object' ? undefined : 'not a version 1 cache'));
      if (read.kind === 'ok') {
        runs = Object.setPrototypeOf(read.value.runs, null) as Record<string, CachedRecord>;
        made = read.value.gen ?? undefined;
      } else if (read.kind === 'corrupt') fs.rmSync(read.setAsideAs, { force: true }); // Only a cache: nothing is lost.
    } catch {
      // Unreadable: start empty.
    }
    return new RecordCache(file, generation, runs, made === generation);
  }

  /** The cached record of `id` when its file is still as it was read. */
  get(id: string, stamp: FileStamp): RunRecord | undefined {
    const hit = this.hit(id);
    return hit && unchanged(hit, stamp) ? hit.r : undefined;
  }

  /** The cached record of `id` with its file's stamp when it was read, without a look at the file (for a current cache). */
  entry(id: string): CachedRecord | undefined {
    return this.hit(id);
  }

  /** The record of `id` as last read, whatever its file says now (to restore a finished record found corrupt). */
  latest(id: string): RunRecord | undefined {
    return this.hit(id)?.r;
  }

  /** Keeps a record read from disk (finished ones only: a live run's record changes all the time). */
  put(record: RunRecord, stamp: FileStamp | undefined): void {
    if (!stamp || !isFinished(record.status)) return;
    const hit = this.hit(record.id);
    if (hit && unchanged(hit, stamp)) return;
    this.runs[record.id] = { m: stamp.mtimeMs, s: stamp.size, r: record };
    this.changed = true;
  }

  /** Forgets runs that are no longer in the folder. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of Object.keys(this.runs)) {
      if (ids.has(id)) continue;
      delete this.runs[id];
      this.changed = true;
    }
  }

  save(): void {
    if (!this.changed) return;
    try {
      // Compact: it is read by every process that opens the folder.
      writeTextAtomic(this.file, JSON.stringify({ version: 1, gen: this.generation, runs: this.runs } satisfies CacheFile), { durable: false });
      this.changed = false;
    } catch {
      // A full disk, say: the next process reads the records again.
    }
  }
}
