/**
 * What a process reads of finished runs when it opens the state folder, kept for the next one, in
 * two files. `runs-index.json` holds each finished run's brief (RunBrief: what listing, sorting,
 * filtering, counting and resolving need) with the size and time of its `run.json` as it was read:
 * small, it is what every process reads. `runs-cache.json` holds their whole records with the same
 * stamps: it is read only by a process that wants many records at once (a listing of everything);
 * a few records asked for are read from their own `run.json`. A finished record seldom changes, and
 * whoever changes one through Switchboard (a kill put back, a kill noted without its supervisor, a
 * finished run settled again) says so in `runs-cache.gen` (rewritten with a new token). An index
 * made at the token that file holds now is taken as it is: a week of heavy use (10,000 runs) opens
 * with no look at the runs' files at all, and each run is looked at when it is shown or asked for,
 * or in the background (RunTracker). An index made at another token is checked run by run (one stat
 * each). A whole record is taken from `runs-cache.json` only at the stamp its brief was taken at.
 * Any process may rewrite either file (atomically); a missing, stale or corrupt one only costs the
 * reads it would have saved.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { RunBrief } from '../runs/runBrief';
import { isFinished, RUN_STATUSES, type RunRecord } from '../runs/types';
import { readJsonFile, writeTextAtomic } from '../store/atomicFile';

export interface FileStamp {
  mtimeMs: number;
  size: number;
}

/** A run as the index has it: its brief then, with `run.json`'s mtime (ms) and size when it was read. */
export type CachedBrief = RunBrief & {
  m: number;
  s: number;
};

/** A whole record as `runs-cache.json` has it, stamped the same way. */
interface CachedRecord {
  m: number;
  s: number;
  r: RunRecord;
}

interface IndexFile {
  version: 1;
  /** The token of `runs-cache.gen` when the process that wrote the index opened the folder. */
  gen?: string;
  /** Parsed, each is the brief itself (no copy: every object made here outlives the folder's opening, and costs the collector). */
  runs: Record<string, CachedBrief>;
}

interface RecordsFile {
  version: 1;
  gen?: string;
  runs: Record<string, CachedRecord>;
}

export function stampOf(file: string): FileStamp | undefined {
  try {
    const st = fs.statSync(file);
    return { mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return undefined;
  }
}

/** Whether the file's stamp now is the one the run was cached with. */
export const unchanged = (cached: { m: number; s: number }, now: FileStamp | undefined): boolean => !!now && cached.m === now.mtimeMs && cached.s === now.size;

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

/** A `{ version: 1, runs: {...} }` document read, or an empty one (a corrupt file is removed: it is only a cache, nothing is lost). */
function readCacheFile<T extends { gen?: string; runs: object }>(file: string): T | undefined {
  try {
    const read = readJsonFile<T>(file, (v) => ((v as T | null)?.runs && typeof (v as T).runs === 'object' && (v as { version?: unknown }).version === 1 ? undefined : 'not a version 1 cache'));
    if (read.kind === 'ok') return read.value;
    if (read.kind === 'corrupt') fs.rmSync(read.setAsideAs, { force: true });
  } catch {
    // Unreadable: as if there were none.
  }
  return undefined;
}

const FINISHED: ReadonlySet<unknown> = new Set(RUN_STATUSES.filter(isFinished));
const maybe = (v: unknown, type: 'string' | 'number'): boolean => v === undefined || typeof v === type;

/** The index's brief of `id` (the parsed object itself), or undefined when it is not one (a hand-edited or foreign file: the run is read from its file instead). */
function briefOf(id: string, value: unknown): CachedBrief | undefined {
  const b = value as Partial<CachedBrief> | null;
  if (typeof b !== 'object' || b === null || b.id !== id || typeof b.m !== 'number' || typeof b.s !== 'number' || typeof b.name !== 'string' || typeof b.runner !== 'string') return undefined;
  if (!FINISHED.has(b.status) || typeof b.createdAt !== 'number' || !maybe(b.endedAt, 'number') || typeof b.links !== 'object' || b.links === null) return undefined;
  if (!maybe(b.links.team, 'string') || !maybe(b.links.goal, 'string') || (b.worktree !== undefined && typeof b.worktree?.folder !== 'string')) return undefined;
  return b as CachedBrief;
}

/** The brief of a record read, stamped. */
function briefOfRecord(r: RunRecord, stamp: FileStamp): CachedBrief {
  const links: RunBrief['links'] = {};
  if (r.links.team !== undefined) links.team = r.links.team;
  if (r.links.goal !== undefined) links.goal = r.links.goal;
  const b: CachedBrief = { id: r.id, name: r.name, runner: r.runner, status: r.status, createdAt: r.createdAt, links, m: stamp.mtimeMs, s: stamp.size };
  if (r.endedAt !== undefined) b.endedAt = r.endedAt;
  if (r.worktree) b.worktree = { folder: r.worktree.folder };
  return b;
}

/** Without a prototype: a run id is only ever an own key. */
const bare = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export class RecordCache {
  private indexChanged: boolean;
  /** Whole records read or changed here since the folder opened (written to `runs-cache.json` on save). */
  private readonly puts = new Map<string, CachedRecord>();
  /** `runs-cache.json` as read, once something needed it. */
  private wholeRecords: Record<string, CachedRecord> | undefined;

  private constructor(
    private readonly indexFile: string,
    private readonly recordsFile: string,
    private readonly generation: string,
    /** By run id, as parsed (ten thousand entries: not copied into a Map). */
    private readonly rows: Record<string, CachedBrief>,
    /** Whether the index was made at the generation the folder is at: its briefs need no look at their files to be taken. */
    readonly current: boolean,
  ) {
    // An index of another generation is checked run by run and saved at this one.
    this.indexChanged = !current;
  }

  /** Opens the index (the whole records are read only when asked for). */
  static open(indexFile: string, recordsFile: string, generationFile: string): RecordCache {
    // The token is read before the index: a change made after this reads shows as another token next time.
    const generation = readGeneration(generationFile);
    const index = readCacheFile<IndexFile>(indexFile);
    const rows = index ? (Object.setPrototypeOf(index.runs, null) as Record<string, CachedBrief>) : bare<CachedBrief>();
    return new RecordCache(indexFile, recordsFile, generation, rows, !!index && (index.gen ?? undefined) === generation);
  }

  /** The run's brief with its file's stamp when it was taken, without a look at the file (trust it only from a current index, or at an unchanged stamp). */
  entry(id: string): CachedBrief | undefined {
    return Object.hasOwn(this.rows, id) ? briefOf(id, this.rows[id]) : undefined;
  }

  private whole(): Record<string, CachedRecord> {
    this.wholeRecords ??= readCacheFile<RecordsFile>(this.recordsFile)?.runs ?? bare<CachedRecord>();
    return this.wholeRecords;
  }

  /** The whole record of `id` at this stamp (that of its brief), read from `runs-cache.json` the first time one is asked for. */
  record(id: string, stamp: { m: number; s: number }): RunRecord | undefined {
    const hit = this.puts.get(id) ?? (Object.hasOwn(this.whole(), id) ? this.whole()[id] : undefined);
    return hit && hit.m === stamp.m && hit.s === stamp.s && hit.r?.id === id ? hit.r : undefined;
  }

  /** The record of `id` as last read by any process, whatever its file says now (to restore a finished record found corrupt). */
  latest(id: string): RunRecord | undefined {
    const hit = this.puts.get(id) ?? (Object.hasOwn(this.whole(), id) ? this.whole()[id] : undefined);
    return hit?.r?.id === id ? hit.r : undefined;
  }

  /** Keeps a record read from disk (finished ones only: a live run's record changes all the time). */
  put(record: RunRecord, stamp: FileStamp | undefined): void {
    if (!stamp || !isFinished(record.status)) return;
    const at = this.entry(record.id);
    if (at && at.m === stamp.mtimeMs && at.s === stamp.size && !this.wholeMissing(record.id, at)) return;
    this.rows[record.id] = briefOfRecord(record, stamp);
    this.puts.set(record.id, { m: stamp.mtimeMs, s: stamp.size, r: record });
    this.indexChanged = true;
  }

  /** Whether `runs-cache.json` (as read, if it was) lacks the record of this brief: read here, it is kept there too. */
  private wholeMissing(id: string, at: CachedBrief): boolean {
    return this.wholeRecords !== undefined && !this.record(id, at);
  }

  /** Forgets runs that are no longer in the folder (`found`: how many of them the index has; as many as it holds: nothing to forget). */
  keepOnly(ids: readonly string[], found: number): void {
    const keys = Object.keys(this.rows);
    if (keys.length === found) return;
    const kept = new Set(ids);
    for (const id of keys) {
      if (kept.has(id)) continue;
      delete this.rows[id];
      this.puts.delete(id);
      this.indexChanged = true;
    }
  }

  save(): void {
    try {
      // Whole records first: an index that names a record the other file lacks only costs that run's file read.
      if (this.puts.size > 0) {
        const runs = bare<CachedRecord>();
        const whole = this.whole();
        for (const id of Object.keys(this.rows)) {
          const at = this.entry(id);
          const hit = at && (this.puts.get(id) ?? (Object.hasOwn(whole, id) ? whole[id] : undefined));
          if (at && hit && hit.m === at.m && hit.s === at.s) runs[id] = hit;
        }
        // Compact: it is read whole by a process that lists everything.
        writeTextAtomic(this.recordsFile, JSON.stringify({ version: 1, gen: this.generation, runs } satisfies RecordsFile), { durable: false });
        this.wholeRecords = runs;
        this.puts.clear();
      }
      if (this.indexChanged) {
        writeTextAtomic(this.indexFile, JSON.stringify({ version: 1, gen: this.generation, runs: this.rows } satisfies IndexFile), { durable: false });
        this.indexChanged = false;
      }
    } catch {
      // A full disk, say: the next process reads the records again.
    }
  }
}
