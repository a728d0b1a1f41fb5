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
 * or in the background (IndexedRuns). An index made at another token is checked run by run (one stat
 * each). A whole record is taken from `runs-cache.json` only at the stamp its brief was taken at.
 * Any process may rewrite either file (atomically); a missing, stale or corrupt one only costs the
 * reads it would have saved.
 */
import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { RunBrief } from '../runs/runBrief';
import { runFolderIds } from '../runs/recordFile';
import { isFinished, RUN_STATUSES, type RunRecord, type RunStatus } from '../runs/types';
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

/** An index row, compact (it is read by every process; arrays parse twice as fast as objects): stamp, name, runner, status, times, team, goal, worktree folder. */
type IndexRow = [m: number, s: number, name: string, runner: string, status: string, createdAt: number, endedAt: number | null, team: string | null, goal: string | null, worktree: string | null];

interface IndexFile {
  version: 1;
  /** The token of `runs-cache.gen` when the process that wrote the index opened the folder. */
  gen?: string;
  runs: Record<string, IndexRow>;
  /**
   * The runs folder's listing, by its mtime then: the runs of `runs` and `others` (runs without a
   * row: live or unreadable then). A folder whose mtime is still this has the same runs (adding or
   * removing one changes it), and is not listed again.
   */
  dir?: { m: number; others: string[] };
}

/** A listing is kept only of a folder whose mtime is older than this when listed: a change within the clock's tick after it would not show. */
const SETTLED_DIR_MS = 2000;

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

/**
 * The index, read as Latin-1 (it is written all ASCII: decoding it costs a tenth of UTF-8's), or
 * undefined (a corrupt one is removed: it is only a cache, nothing is lost).
 */
function readIndex(file: string): IndexFile | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file).toString('latin1');
  } catch {
    return undefined; // None yet, or unreadable: as if there were none.
  }
  try {
    const doc = JSON.parse(text) as IndexFile | null;
    if (doc?.version === 1 && doc.runs && typeof doc.runs === 'object') return doc;
  } catch {
    // Corrupt: removed below.
  }
  fs.rmSync(file, { force: true });
  return undefined;
}

/** JSON with every character past ASCII escaped (`\u00e9`): the same document, readable as Latin-1. */
const asciiJson = (doc: unknown): string => JSON.stringify(doc).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const FINISHED: ReadonlySet<unknown> = new Set(RUN_STATUSES.filter(isFinished));
const optional = (v: unknown, type: 'string' | 'number'): boolean => v === null || typeof v === type;

/**
 * The row's brief, or undefined for a row that is not one (a hand-edited or foreign file: the run is
 * read from its file instead). Ten thousand a process: indexed, not destructured.
 */
function briefOf(id: string, row: unknown): CachedBrief | undefined {
  if (!Array.isArray(row) || row.length !== 10) return undefined;
  const r = row as unknown[];
  const m = r[0], s = r[1], name = r[2], runner = r[3], status = r[4], createdAt = r[5], endedAt = r[6], team = r[7], goal = r[8], worktree = r[9];
  if (typeof m !== 'number' || typeof s !== 'number' || typeof name !== 'string' || typeof runner !== 'string' || !FINISHED.has(status) || typeof createdAt !== 'number') return undefined;
  if (!optional(endedAt, 'number') || !optional(team, 'string') || !optional(goal, 'string') || !optional(worktree, 'string')) return undefined;
  const links: RunBrief['links'] = {};
  if (team !== null) links.team = team as string;
  if (goal !== null) links.goal = goal as string;
  const b: CachedBrief = { id, name, runner, status: status as RunStatus, createdAt, links, m, s };
  if (endedAt !== null) b.endedAt = endedAt as number;
  if (worktree !== null) b.worktree = { folder: worktree as string };
  return b;
}

/** The index row of a record read, stamped. */
const rowOf = (r: RunRecord, stamp: FileStamp): IndexRow => [stamp.mtimeMs, stamp.size, r.name, r.runner, r.status, r.createdAt, r.endedAt ?? null, r.links.team ?? null, r.links.goal ?? null, r.worktree?.folder ?? null];

/** Without a prototype: a run id is only ever an own key. */
const bare = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

export class RecordCache {
  private indexChanged: boolean;
  /** Whole records read or changed here since the folder opened (written to `runs-cache.json` on save). */
  private readonly puts = new Map<string, CachedRecord>();
  /** `runs-cache.json` as read, once something needed it. */
  private wholeRecords: Record<string, CachedRecord> | undefined;

  /** The runs folder as this process listed it (its path, its mtime before, and the runs), for the index's `dir`. */
  private listed: { dir: string; m: number; ids: readonly string[] } | undefined;

  private constructor(
    private readonly indexFile: string,
    private readonly recordsFile: string,
    private readonly generation: string,
    /** By run id, as parsed (ten thousand entries: not copied into a Map). */
    private readonly rows: Record<string, IndexRow>,
    /** Whether the index was made at the generation the folder is at: its briefs need no look at their files to be taken. */
    readonly current: boolean,
    private readonly dir: IndexFile['dir'],
  ) {
    // An index of another generation is checked run by run and saved at this one.
    this.indexChanged = !current;
  }

  /** Opens the index (the whole records are read only when asked for). */
  static open(indexFile: string, recordsFile: string, generationFile: string): RecordCache {
    // The token is read before the index: a change made after this reads shows as another token next time.
    const generation = readGeneration(generationFile);
    const index = readIndex(indexFile);
    const rows = index ? (Object.setPrototypeOf(index.runs, null) as Record<string, IndexRow>) : bare<IndexRow>();
    return new RecordCache(indexFile, recordsFile, generation, rows, !!index && (index.gen ?? undefined) === generation, index?.dir);
  }

  /**
   * The runs of the folder `runsDir`: as the index lists them when the folder's mtime is still the
   * one it was listed at, else read (and kept in the index once the folder has settled).
   */
  runIds(runsDir: string): string[] {
    const m = stampOf(runsDir)?.mtimeMs;
    const dir = this.dir;
    if (m !== undefined && dir?.m === m && Array.isArray(dir.others) && dir.others.every((id) => typeof id === 'string')) {
      const ids = [...Object.keys(this.rows), ...dir.others.filter((id) => !Object.hasOwn(this.rows, id))];
      this.listed = { dir: runsDir, m, ids };
      return ids;
    }
    const ids = runFolderIds(runsDir);
    if (m !== undefined && Date.now() - m > SETTLED_DIR_MS) {
      this.listed = { dir: runsDir, m, ids };
      // A listing the index can keep: it is written again with it.
      this.indexChanged = true;
    }
    return ids;
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
    this.rows[record.id] = rowOf(record, stamp);
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

  /** The listing to keep in the index: the one this process read, or took from the index, while the folder still has it. */
  private listing(): IndexFile['dir'] {
    if (!this.listed || stampOf(this.listed.dir)?.mtimeMs !== this.listed.m) return undefined;
    return { m: this.listed.m, others: this.listed.ids.filter((id) => !Object.hasOwn(this.rows, id)) };
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
        writeTextAtomic(this.indexFile, asciiJson({ version: 1, gen: this.generation, runs: this.rows, dir: this.listing() } satisfies IndexFile), { durable: false });
        this.indexChanged = false;
      }
    } catch {
      // A full disk, say: the next process reads the records again.
    }
  }
}
