/**
 * A fair lock between the processes of one state folder, held for moments and waited for without
 * blocking a thread. The lock is a folder: each waiter puts a ticket in it named by its arrival time
 * (first come, first served), and the first in line takes `held`, made whole in one step (a hard
 * link of a file naming its holder). A holder that died, or held it past `staleMs` (a frozen
 * process), is taken over by renaming `held` to a name of the taker's own: of several takers, only
 * the one whose rename moved the stale holder's file goes on. Waiters wake when the folder changes
 * (and every 50 ms at worst); tickets of waiters that died are swept, those of frozen ones skipped.
 * Within one process, callers are served in the order they asked, one ticket at a time.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';

export interface FairLockOptions {
  /** What the lock guards, for messages ("the pools ledger"). */
  what: string;
  /** Held (or a ticket left unrefreshed) longer than this, it is taken for abandoned. */
  staleMs?: number;
  /** How long to wait in line before giving up. */
  waitMs?: number;
}

export const HELD = 'held';
const POLL_MS = 50;
/** Waiters touch their ticket this often, so that a frozen one is told from a slow one. */
const TOUCH_MS = 1000;

/** Callers of this process, per lock folder: each waits for the one before it. */
const inProcess = new Map<string, Promise<unknown>>();

const nonce = (): string => crypto.randomBytes(6).toString('hex');

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `<time>-<pid>-<nonce>`: sorts in arrival order. */
function ticketName(): string {
  return `${String(Date.now()).padStart(15, '0')}-${process.pid}-${nonce()}`;
}

const ticketPid = (name: string): number => Number(name.split('-')[1]);
const isTicket = (name: string): boolean => /^\d{15}-\d+-[0-9a-f]+$/.test(name);

/** Whether no live, unfrozen waiter came before `mine` (tickets of dead waiters are removed on the way). */
function firstInLine(dir: string, mine: string, staleMs: number): boolean {
  const now = Date.now();
  for (const name of fs.readdirSync(dir).filter(isTicket).sort()) {
    if (name >= mine) return true;
    const file = path.join(dir, name);
    if (!pidAlive(ticketPid(name))) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs <= staleMs) return false;
  }
  return true;
}

/** What the holder file says (`<pid> <nonce>`), or undefined when there is none. */
function readHolder(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Whether the holder written as `seen` is gone: its process died, or it has held the lock past `staleMs`. */
export function holderGone(file: string, seen: string, staleMs: number): boolean {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return false; // released meanwhile
  if (Date.now() - stat.mtimeMs > staleMs) return true;
  const pid = Number(seen.split(' ')[0]);
  // A file still being written (no pid yet) is given a moment.
  if (!Number.isInteger(pid) || pid <= 0) return Date.now() - stat.mtimeMs > 100;
  return !pidAlive(pid);
}

/**
 * Takes over the abandoned lock file `file` whose holder wrote `seen`: renames it aside to a name of
 * this taker's own, and goes on only if what it moved is that holder's. If another taker was quicker
 * and a new holder already holds the lock, what was moved is put back (never over a lock made since).
 * Returns whether the stale holder's file is gone.
 */
export function takeOver(file: string, seen: string): boolean {
  // Named as a temp file of the state folder: a taker that dies here leaves nothing unknown behind.
  const aside = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${nonce()}.tmp`);
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true; // another taker moved it
    throw error;
  }
  const moved = readHolder(aside);
  if (moved !== seen) {
    // A live holder's lock: it goes back where it was, unless a lock was made there meanwhile.
    try {
      fs.linkSync(aside, file);
    } catch {
      // EEXIST: a lock was made since; this one's holder loses it, which it would have after staleMs anyway.
    }
  }
  fs.rmSync(aside, { force: true });
  return moved === seen;
}

/** Makes `held` in one step, naming this holder; false when it exists. */
function take(dir: string, holder: string): boolean {
  const temp = path.join(dir, `.${HELD}.${process.pid}.${nonce()}.tmp`);
  fs.writeFileSync(temp, holder, { mode: 0o600 });
  try {
    fs.linkSync(temp, path.join(dir, HELD));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/** Wakes a waiter when the folder changes, or after `ms`. */
function folderWaker(dir: string): { next(ms: number): Promise<void>; close(): void } {
  let changed = false;
  let poke: (() => void) | undefined;
  let watcher: fs.FSWatcher | undefined;
  try {
    watcher = fs.watch(dir, () => {
      changed = true;
      poke?.();
    });
    watcher.on('error', () => undefined);
  } catch {
    // No watch (out of inotify instances, say): polling alone still works.
  }
  return {
    next(ms) {
      if (changed) {
        changed = false;
        return Promise.resolve();
      }
      return new Promise((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          poke = undefined;
          changed = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        poke = done;
      });
    },
    close: () => watcher?.close(),
  };
}

async function acquire(dir: string, options: FairLockOptions): Promise<() => void> {
  const staleMs = options.staleMs ?? 10_000;
  const waitMs = options.waitMs ?? 30_000;
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ticket = ticketName();
  const ticketFile = path.join(dir, ticket);
  const heldFile = path.join(dir, HELD);
  const holder = `${process.pid} ${ticket}`;
  fs.writeFileSync(ticketFile, '', { mode: 0o600, flag: 'wx' });
  const waker = folderWaker(dir);
  const deadline = Date.now() + waitMs;
  let touched = Date.now();
  try {
    for (;;) {
      if (firstInLine(dir, ticket, staleMs)) {
        if (take(dir, holder)) break;
        const seen = readHolder(heldFile);
        if (seen !== undefined && holderGone(heldFile, seen, staleMs)) {
          takeOver(heldFile, seen);
          continue;
        }
      }
      if (Date.now() > deadline) {
        const seen = readHolder(heldFile);
        throw new SwitchboardError(
          'state_unwritable',
          `Waited ${Math.round(waitMs / 1000)} s in line for ${options.what} (${dir})${seen ? `, held by process ${seen.split(' ')[0]}` : ''}.`,
          `Other Switchboard processes are using it; try again. Do not remove the lock by hand: a holder that dies or hangs loses it after ${Math.round(staleMs / 1000)} s by itself.`,
        );
      }
      if (Date.now() - touched > TOUCH_MS) {
        const now = new Date();
        fs.utimesSync(ticketFile, now, now);
        touched = Date.now();
      }
      await waker.next(POLL_MS);
    }
  } catch (error) {
    fs.rmSync(ticketFile, { force: true });
    throw error;
  } finally {
    waker.close();
  }
  return () => {
    // A holder taken over as frozen leaves the new holder's lock alone.
    if (readHolder(heldFile) === holder) fs.rmSync(heldFile, { force: true });
    fs.rmSync(ticketFile, { force: true });
  };
}

/** Runs `work` holding the lock folder `dir`, after the callers (of any process) that came first; releases it whatever happens. */
export function withFairLock<T>(dir: string, work: () => T | Promise<T>, options: FairLockOptions): Promise<T> {
  const before = inProcess.get(dir) ?? Promise.resolve();
  const turn = before.then(
    () => undefined,
    () => undefined,
  ).then(async () => {
    const release = await acquire(dir, options);
    try {
      return await work();
    } finally {
      release();
    }
  });
  const settled = turn.then(
    () => undefined,
    () => undefined,
  );
  inProcess.set(dir, settled);
  void settled.then(() => {
    if (inProcess.get(dir) === settled) inProcess.delete(dir);
  });
  return turn;
}
