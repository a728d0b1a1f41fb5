/**
 * Keeping the journal's older parts small without losing what a follower has not read. When more
 * than `keepSealed` sealed parts exist, the oldest ones that every live follower has read past are
 * merged into one part that keeps only the latest change of each entity (a run's last state, a
 * team's last state: enough for a new follower to know where everything stands), dropping runs that
 * were removed. Followers' cursors are in `feed/readers/`; those of dead processes are removed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isSameProcessAlive } from '../proc/processTable';
import type { ProcessIdentity } from '../runs/types';
import type { StateMap } from '../state/stateMap';
import { readJsonFile, writeTextAtomic } from '../store/atomicFile';
import type { FeedEvent } from './feedEvent';
import { tryFileLock } from './fileLock';
import { readSegmentFile, sealedSegments, type Segment } from './segments';

export interface CompactionLimits {
  /** Sealed parts kept as they are (default 8); older ones are compacted. */
  keepSealed: number;
}

export interface ReaderCursor {
  version: 1;
  reader: ProcessIdentity;
  /** Every event up to this seq has been read. */
  seq: number;
  at: number;
}

/** The lowest seq a live follower has read up to (Infinity when nobody follows); dead followers' files go. */
export function slowestReader(state: StateMap): number {
  let names: string[];
  try {
    names = fs.readdirSync(state.feedReaders);
  } catch {
    return Infinity;
  }
  let slowest = Infinity;
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(state.feedReaders, name);
    let read;
    try {
      read = readJsonFile<ReaderCursor>(file, (v) => (typeof (v as ReaderCursor)?.seq === 'number' ? undefined : 'not a reader cursor'));
    } catch {
      continue;
    }
    if (read.kind !== 'ok') continue;
    if (!isSameProcessAlive(read.value.reader)) fs.rmSync(file, { force: true });
    else slowest = Math.min(slowest, read.value.seq);
  }
  return slowest;
}

/** The latest event of each entity, in seq order; removed runs are left out. */
export function latestPerEntity(events: readonly FeedEvent[]): FeedEvent[] {
  const latest = new Map<string, FeedEvent>();
  for (const event of events) {
    latest.delete(event.key);
    latest.set(event.key, event);
  }
  return [...latest.values()].filter((e) => e.type !== 'agent.removed').sort((a, b) => a.seq - b.seq);
}

export function compactJournal(state: StateMap, limits: Partial<CompactionLimits> = {}): { merged: number; kept: number } {
  const keep = limits.keepSealed ?? 8;
  const outcome = tryFileLock(state.feedCompactLock, () => {
    const sealed = sealedSegments(state);
    if (sealed.length <= keep) return { merged: 0, kept: 0 };
    const readUpTo = slowestReader(state);
    // A part may go only when the next one begins at or below what everyone has read.
    const candidates: Segment[] = [];
    for (let i = 0; i < sealed.length - keep; i++) {
      if (sealed[i + 1]!.first - 1 > readUpTo) break;
      candidates.push(sealed[i]!);
    }
    if (candidates.length < 2) return { merged: 0, kept: 0 };
    const events = candidates.flatMap((s) => readSegmentFile(s.file).events);
    const kept = latestPerEntity(events);
    const text = kept.map((e) => JSON.stringify(e)).join('\n') + (kept.length ? '\n' : '');
    // Written over the first part (atomically), then the others go: a reader sees each event at least once.
    writeTextAtomic(candidates[0]!.file, text, { durable: true });
    for (const segment of candidates.slice(1)) fs.rmSync(segment.file, { force: true });
    return { merged: events.length, kept: kept.length };
  }, 60_000);
  // Another process is compacting: nothing to do here.
  return outcome ?? { merged: 0, kept: 0 };
}
