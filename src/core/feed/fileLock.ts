/**
 * A lock between the processes of one state folder, held for moments: a file made exclusively
 * (`wx`) that names its holder. A holder that died, or has held it for longer than `staleMs` (a
 * frozen process), loses it. Taken synchronously, for callers that cannot wait (a feed append): it
 * guards a few system calls, so a wait is rare and short. Callers that can wait use the fair,
 * asynchronous store/fairLock.ts.
 */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import { holderGone, takeOver } from '../store/fairLock';

function readHolder(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
}

export interface FileLockOptions {
  /** Held longer than this, a lock is taken for abandoned. */
  staleMs?: number;
  /** How long to try before giving up. */
  waitMs?: number;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Takes the lock, waiting up to `waitMs`; false when it stayed held that long. */
function acquire(file: string, staleMs: number, waitMs: number): boolean {
  const deadline = Date.now() + waitMs;
  for (let spins = 0; ; spins++) {
    let fd: number;
    try {
      fd = fs.openSync(file, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const seen = readHolder(file);
      // Of several processes finding it abandoned at once, one takes it over (see takeOver).
      if (seen !== undefined && holderGone(file, seen, staleMs)) {
        takeOver(file, seen, staleMs);
        continue;
      }
      if (Date.now() >= deadline) return false;
      // Held for microseconds as a rule: spin a little, then sleep a little.
      if (spins > 20) Atomics.wait(pause, 0, 0, Math.min(1 + spins / 50, 5));
      continue;
    }
    try {
      fs.writeSync(fd, String(process.pid));
    } finally {
      fs.closeSync(fd);
    }
    return true;
  }
}

function holding<T>(file: string, work: () => T): T {
  try {
    return work();
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** Runs `work` holding the lock file; releases it whatever happens. */
export function withFileLock<T>(file: string, work: () => T, options: FileLockOptions = {}): T {
  const waitMs = options.waitMs ?? 15_000;
  if (!acquire(file, options.staleMs ?? 5_000, waitMs)) {
    throw new SwitchboardError('state_unwritable', `${file} stayed locked for ${Math.round(waitMs / 1000)} s.`, `Another Switchboard process holds it; try again. Do not remove it by hand: a holder that dies or hangs loses it after ${Math.round((options.staleMs ?? 5_000) / 1000)} s by itself.`);
  }
  return holding(file, work);
}

/** Runs `work` if the lock is free now (or its holder is gone); undefined when another process holds it. */
export function tryFileLock<T>(file: string, work: () => T, staleMs = 5_000): T | undefined {
  return acquire(file, staleMs, 0) ? holding(file, work) : undefined;
}
