/**
 * What a process reads of finished runs when it opens the state folder, kept for the next one:
 * `runs-cache.json` holds each finished run's record with the size and time of its `run.json` as
 * it was read. A finished record seldom changes; when it does (a kill put back, a rename), its file
 * no longer matches and it is read again. A week of heavy use (10,000 runs) then opens with one
 * stat per run instead of one read and parse. Any process may rewrite the cache (atomically); a
 * missing, stale or corrupt cache only costs the reads it would have saved.
 */
import * as fs from 'node:fs';
import { isFinished, type RunRecord } from '../runs/types';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';

interface CachedRecord {
  /** `run.json`'s mtime (ms) and size when the record was read. */
  m: number;
  s: number;
  r: RunRecord;
}

interface CacheFile {
  version: 1;
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

export class RecordCache {
  private readonly runs: Map<string, CachedRecord>;
  private changed = false;

  private constructor(private readonly file: string, runs: Record<string, CachedRecord>) {
    this.runs = new Map(Object.entries(runs));
  }

  static open(file: string): RecordCache {
    let runs: Record<string, CachedRecord> = {};
    try {
      const read = readJsonFile<CacheFile>(file, (v) => ((v as CacheFile | null)?.version === 1 && typeof (v as CacheFile).runs === 'object' ? undefined : 'not a version 1 cache'));
      if (read.kind === 'ok') runs = read.value.runs;
      else if (read.kind === 'corrupt') fs.rmSync(read.setAsideAs, { force: true }); // Only a cache: nothing is lost.
    } catch {
      // Unreadable: start empty.
    }
    return new RecordCache(file, runs);
  }

  /** The cached record of `id` when its file is still as it was read. */
  get(id: string, stamp: FileStamp): RunRecord | undefined {
    const hit = this.runs.get(id);
    return hit && hit.m === stamp.mtimeMs && hit.s === stamp.size ? hit.r : undefined;
  }

  /** The record of `id` as last read, whatever its file says now (to restore a finished record found corrupt). */
  latest(id: string): RunRecord | undefined {
    return this.runs.get(id)?.r;
  }

  /** Keeps a record read from disk (finished ones only: a live run's record changes all the time). */
  put(record: RunRecord, stamp: FileStamp | undefined): void {
    if (!stamp || !isFinished(record.status)) return;
    const hit = this.runs.get(record.id);
    if (hit && hit.m === stamp.mtimeMs && hit.s === stamp.size) return;
    this.runs.set(record.id, { m: stamp.mtimeMs, s: stamp.size, r: record });
    this.changed = true;
  }

  /** Forgets runs that are no longer in the folder. */
  keepOnly(ids: ReadonlySet<string>): void {
    for (const id of this.runs.keys()) {
      if (ids.has(id)) continue;
      this.runs.delete(id);
      this.changed = true;
    }
  }

  save(): void {
    if (!this.changed) return;
    try {
      writeJsonAtomic(this.file, { version: 1, runs: Object.fromEntries(this.runs) } satisfies CacheFile, { durable: false });
      this.changed = false;
    } catch {
      // A full disk, say: the next process reads the records again.
    }
  }
}
