/**
 * A fair lock between the processes of one state folder, held for moments and waited for without
 * blocking a thread. The lock is a folder: each waiter puts a ticket in it named by its arrival time
 * (first come, first served), and the first in line takes `held`, made whole in one step (a hard
 * link of a file naming its holder). A holder that died, or held it past `staleMs` (a frozen
 * process), is taken over by one taker only: the one that makes that holder's reaper mark, which
 * removes `held` only while it is still the abandoned holder's (see takeOver). Each waiter watches
 * the ticket of the one right before it, so a release wakes the next process only (each also looks
 * again every 250 ms); tickets of waiters that died are swept, those of frozen ones skipped.
 * Within one process, callers are served in the order they asked, one ticket at a time.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { InTurn } from './inTurn';

export interface FairLockOptions {
  /** What the lock guards, for messages ("the pools ledger"). */
  what: string;
  /** Held (or a ticket left unrefreshed) longer than this, it is taken for abandoned. */
  staleMs?: number;
  /** How long to wait in line before giving up. */
  waitMs?: number;
  /** Told when this caller took the lock over from an abandoned holder, saying whose and why (a wait that person should hear of). */
  tookOver?: (message: string) => void;
}

export const HELD = 'held';
const POLL_MS = 50;
/** Waiters touch their ticket this often, so that a frozen one is told from a slow one. */
const TOUCH_MS = 1000;
/** A live reaper's mark (see takeOver) older than this is taken for a frozen reaper's. */
const REAPER_STALE_MS = 60_000;

/** Callers of this process, per lock folder: each waits for the one before it. */
const inProcess = new InTurn();

const nonce = (): string => crypto.randomBytes(6).toString('hex');

/** Whether a process of this pid lives (one of another user counts). */
export function pidAlive(pid: number): boolean {
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

/**
 * The live, unfrozen waiter right before `mine` in line (the last to go before it; undefined when
 * `mine` is first), and how many tickets are ahead. Looks from `mine` backwards, so it mostly
 * checks one ticket; tickets of dead waiters met on the way are removed.
 */
function predecessor(dir: string, mine: string, staleMs: number): { ahead: string | undefined; count: number } {
  const before = fs.readdirSync(dir).filter((name) => isTicket(name) && name < mine).sort();
  const now = Date.now();
  for (let i = before.length - 1; i >= 0; i--) {
    const name = before[i]!;
    const file = path.join(dir, name);
    if (!pidAlive(ticketPid(name))) {
      fs.rmSync(file, { force: true });
      continue;
    }
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs <= staleMs) return { ahead: name, count: before.length };
  }
  return { ahead: undefined, count: before.length };
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
 * Takes over the abandoned lock file `file` whose holder wrote `seen`. Of several takers, one only
 * goes on: the one that makes the reaper mark of that holder (made whole in one step, naming its
 * maker, named by a hash of what the holder wrote). It removes the file only if it is still that
 * holder's — nobody but the holder and its one reaper removes a holder's file, so a lock taken since
 * is never removed. Says what happened: `reaped` (this taker removed it), `gone` (another taker is
 * at it, or was), or `live` (the file is a new holder's).
 */
export function takeOver(file: string, seen: string, staleMs = 10_000): 'reaped' | 'gone' | 'live' {
  const hash = crypto.createHash('sha256').update(seen).digest('hex').slice(0, 16);
  // Named as a temp file of the state folder (a taker that dies here leaves nothing unknown behind).
  const mark = path.join(path.dirname(file), `.${path.basename(file)}.0.${hash}.tmp`);
  if (!linkWhole(mark, String(process.pid))) {
    // Another reaper is at it. Its work takes microseconds, but a loaded machine can keep it off the
    // CPU for seconds between making its mark and removing the holder's file: were its mark taken
    // away meanwhile, a second reaper would go on, and one of the two would remove the lock a taker
    // holds by then. So its mark stays while it lives; only one that died at it, or is frozen
    // (REAPER_STALE_MS), loses it.
    const maker = readHolder(mark);
    if (maker !== undefined && holderGone(mark, maker, Math.max(staleMs, REAPER_STALE_MS))) fs.rmSync(mark, { force: true });
    return 'gone';
  }
  try {
    const now = readHolder(file);
    if (now === undefined) return 'gone';
    if (now !== seen) return 'live';
    fs.rmSync(file, { force: true });
    return 'reaped';
  } finally {
    fs.rmSync(mark, { force: true });
  }
}

/** Makes `held` in the lock folder in one step, naming this holder; false when it exists. */
export function take(dir: string, holder: string): boolean {
  return linkWhole(path.join(dir, HELD), holder);
}

/** Makes `file` holding `text` in one step (a hard link of a whole file: never seen empty or half written); false when it exists. */
function linkWhole(file: string, text: string): boolean {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${nonce()}.tmp`);
  fs.writeFileSync(temp, text, { mode: 0o600 });
  try {
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * Resolves when `file` changes or goes (the waiter ahead left the line), or after `ms`. Each waiter
 * watches only the one before it, so a release wakes one process, not the whole line.
 */
function changeOf(file: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    let watcher: fs.FSWatcher | undefined;
    const done = (): void => {
      clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const timer = setTimeout(done, ms);
    try {
      watcher = fs.watch(file, done);
      watcher.on('error', done);
    } catch {
      // Gone already (look again at once), or no watch to be had (out of inotify instances): the timer does.
      if (!fs.existsSync(file)) done();
    }
  });
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
  // Given up only when the line has not moved for waitMs: a long line that moves is waited out.
  let deadline = Date.now() + waitMs;
  let lastCount = Infinity;
  let touched = Date.now();
  try {
    for (;;) {
      const { ahead, count } = predecessor(dir, ticket, staleMs);
      if (count < lastCount) {
        lastCount = count;
        deadline = Date.now() + waitMs;
      }
      if (!ahead) {
        if (take(dir, holder)) break;
        const seen = readHolder(heldFile);
        if (seen !== undefined && holderGone(heldFile, seen, staleMs)) {
          if (takeOver(heldFile, seen, staleMs) === 'reaped') options.tookOver?.(abandoned(options.what, seen, staleMs));
          continue;
        }
      }
      if (Date.now() > deadline) {
        const seen = readHolder(heldFile);
        throw new SwitchboardError(
          'state_unwritable',
          `Waited ${Math.round(waitMs / 1000)} s in line for ${options.what} (${dir}) without the line moving${seen ? `; it is held by process ${seen.split(' ')[0]}` : ''}.`,
          `Other Switchboard processes are using it; try again. Do not remove the lock by hand: a holder that dies or hangs loses it after ${Math.round(staleMs / 1000)} s by itself.`,
        );
      }
      if (Date.now() - touched > TOUCH_MS) {
        const now = new Date();
        fs.utimesSync(ticketFile, now, now);
        touched = Date.now();
      }
      // First in line behind a holder whose ticket was swept: the holder file is what changes.
      await changeOf(ahead ? path.join(dir, ahead) : heldFile, ahead ? POLL_MS * 5 : POLL_MS);
    }
  } catch (error) {
    fs.rmSync(ticketFile, { force: true });
    throw error;
  }
  return () => {
    // A holder taken over as frozen leaves the new holder's lock alone.
    if (readHolder(heldFile) === holder) fs.rmSync(heldFile, { force: true });
    fs.rmSync(ticketFile, { force: true });
  };
}

/** What became of an abandoned holder (`<pid> <ticket>`) whose lock was taken over. */
function abandoned(what: string, seen: string, staleMs: number): string {
  const pid = Number(seen.split(' ')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return `The lock of ${what} was left half taken by a process that died; it was taken over.`;
  return pidAlive(pid)
    ? `Process ${pid} held the lock of ${what} for over ${Math.round(staleMs / 1000)} s without letting it go (frozen, or stopped); it was taken over.`
    : `Process ${pid} died holding the lock of ${what}; it was taken over.`;
}

/** Runs `work` holding the lock folder `dir`, after the callers (of any process) that came first; releases it whatever happens. */
export function withFairLock<T>(dir: string, work: () => T | Promise<T>, options: FairLockOptions): Promise<T> {
  return inProcess.run(dir, async () => {
    const release = await acquire(dir, options);
    try {
      return await work();
    } finally {
      release();
    }
  });
}
