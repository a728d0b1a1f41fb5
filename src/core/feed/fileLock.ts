/**
 * A lock between the processes of one state folder, held for moments: a file made exclusively
 * (`wx`) that names its holder. A holder that died, or has held it for longer than `staleMs` (a
 * frozen process), loses it. Nothing here blocks a thread: `tryFileLock` takes it only if it is
 * free now, and `withFileLock` waits for it with timers (callers of one process in the order they
 * asked). Callers that wait in a long line use the fair store/fairLock.ts.
 */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import { holderGone, takeOver } from '../store/fairLock';
import { InTurn } from '../store/inTurn';

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

/** Takes the lock if it is free (or its holder is gone); false when another process holds it. Never waits. */
function acquireNow(file: string, staleMs: number): boolean {
  for (;;) {
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
      return false;
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
    // A holder kept off the CPU past staleMs (a loaded machine) was taken for frozen and its lock taken
    // over: the new holder's lock is left alone.
    if (readHolder(file) === String(process.pid)) fs.rmSync(file, { force: true });
  }
}

/** Callers of this process waiting for a lock file, per file: each waits for the one before it. */
const inProcess = new InTurn();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function acquire(file: string, staleMs: number, waitMs: number): Promise<boolean> {
  const deadline = Date.now() + waitMs;
  // Held for microseconds as a rule: looked at again soon, then a little less often.
  for (let tries = 0; !acquireNow(file, staleMs); tries++) {
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(1 + tries, 10));
  }
  return true;
}

/** Runs `work` holding the lock file, once this process's callers that asked first are done; releases it whatever happens. */
export function withFileLock<T>(file: string, work: () => T, options: FileLockOptions = {}): Promise<T> {
  const waitMs = options.waitMs ?? 15_000;
  const staleMs = options.staleMs ?? 5_000;
  return inProcess.run(file, async () => {
    if (!(await acquire(file, staleMs, waitMs))) {
      throw new SwitchboardError('state_unwritable', `${file} stayed locked for ${Math.round(waitMs / 1000)} s.`, `Another Switchboard process holds it; try again. Do not remove it by hand: a holder that dies or hangs loses it after ${Math.round(staleMs / 1000)} s by itself.`);
    }
    return holding(file, work);
  });
}

/** Resolves once no caller of this process waits for or holds a lock file (awaited before the process exits). */
export function fileLocksSettled(): Promise<void> {
  return inProcess.idle();
}

/** Runs `work` if the lock is free now (or its holder is gone) and no caller of this process waits for it; undefined otherwise. Never waits. */
export function tryFileLock<T>(file: string, work: () => T, staleMs = 5_000): T | undefined {
  if (inProcess.busy(file)) return undefined;
  return acquireNow(file, staleMs) ? holding(file, work) : undefined;
}
