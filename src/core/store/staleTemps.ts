/**
 * Temp files left by writers that died mid-write. An atomic write (atomicFile.ts) and a lock's take
 * (fairLock.ts) write `.<name>.<pid>.<hex>.tmp` and rename or link it into place; a writer killed
 * between the two (kill -9, a crash, a full disk's abort) leaves it, and nothing else ever would
 * remove it. One is stale once its writer is gone: its pid is dead (0 is a reaper's mark, held for
 * a moment) and it is older than DEAD_WRITER_MS, or, whatever its pid says (pids are reused), older
 * than ANY_WRITER_MS. A live writer's is never taken: no write keeps its temp file that long.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TRANSIENT } from '../state/stateMap';
import { pidAlive } from './fairLock';

/** A writer whose pid is gone: a minute (a live one in another pid namespace looks gone; no write takes that long). */
const DEAD_WRITER_MS = 60_000;
/** Whoever's pid it names: a day (the pid may have been reused since). */
const ANY_WRITER_MS = 24 * 3600_000;

/** The pid a temp file's name carries, or undefined when it is not one. */
function writerOf(name: string): number | undefined {
  for (const pattern of TRANSIENT) {
    const pid = pattern.exec(name)?.[1];
    if (pid !== undefined) return Number(pid);
  }
  return undefined;
}

/** Removes the stale temp files directly in `dir` (not below); returns their names. A folder that is not there has none. */
export function sweepStaleTemps(dir: string, now = Date.now()): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((name) => {
    const pid = writerOf(name);
    if (pid === undefined) return false;
    const file = path.join(dir, name);
    const age = now - (fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? now);
    const gone = pid === 0 || (pid !== process.pid && !pidAlive(pid));
    if (age <= (gone ? DEAD_WRITER_MS : ANY_WRITER_MS)) return false;
    try {
      fs.rmSync(file, { force: true });
      return true;
    } catch {
      // A folder it cannot be removed from (read-only): left for a sweep that can.
      return false;
    }
  });
}
