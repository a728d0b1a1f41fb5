/**
 * Run names held across the processes that share a state folder. A name is what people type
 * (`switchboard kill codex-3`), so two live runs must never share one, nor two runs a given
 * `<runner>-<n>`, even when several processes start runs at the same moment: each of them sees only
 * the runs that were on disk before it, and would pick the same next name.
 *
 * A name is claimed by making names/<name>, a file holding the run's id, with an exclusive create:
 * of the processes that try at once, one makes it. A file that is already there is looked at under
 * the names lock: its run may give the name up (it ended, or it is gone), and then the file is
 * written again with the new run's id. Only the lock's holder ever rewrites or removes a claim, and
 * the exclusive create only makes one that is not there, so no two runs can both believe they hold
 * a name. A claim whose file is still empty is being made; one left empty for a while (its process
 * died between creating and writing it) counts as given up.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { folderInPlace } from '../store/atomicFile';
import { withFairLock } from '../store/fairLock';

/** An empty claim older than this was left by a process that died making it. */
const HALF_MADE_MS = 10_000;
const LOCK = { what: 'the run names', staleMs: 10_000, waitMs: 30_000 };

/** A claim's holder: the run's id, or `''` while the claim is being made. */
export type HolderCheck = (holder: string) => boolean;

/** The file name of a name's claim: the name itself when it is a plain one, else a hash of it. */
function claimFileName(name: string): string {
  return /^[A-Za-z0-9_-][\w.-]{0,99}$/.test(name) ? name : `~${crypto.createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

export class NameClaims {
  private readonly paths: StateMap;

  constructor(stateDir: string) {
    this.paths = new StateMap(stateDir);
  }

  /**
   * Claims `name` for the run `id`: true once it is this run's; false when the run holding it keeps
   * it (`keeps(holder)`, asked under the lock; an empty holder is a claim being made right now).
   */
  async claim(name: string, id: string, keeps: HolderCheck): Promise<boolean> {
    const file = this.file(name);
    if (create(file, id)) return true;
    // A claim whose run keeps it is answered without waiting in line: in a burst of starts most names
    // tried are held, and a holder only ever gives its name up, so what is read here stays true enough
    // to say no (the caller tries the next name). Only taking a claim over needs the lock.
    const seen = readHolder(file);
    if (seen !== undefined && seen !== id && isKept(file, seen, keeps)) return false;
    return withFairLock(this.paths.namesLock, () => {
      for (;;) {
        const holder = readHolder(file);
        if (holder === undefined) {
          // Given up since: made again as anyone else would (another process may make it first).
          if (create(file, id)) return true;
          continue;
        }
        if (holder === id) return true;
        if (isKept(file, holder, keeps)) return false;
        fs.writeFileSync(file, id, { mode: 0o600 });
        return true;
      }
    }, LOCK);
  }

  /** The id of the run holding `name` as its claim says (undefined when none; `''` while being made). */
  holder(name: string): string | undefined {
    return readHolder(this.file(name));
  }

  /** Gives up the names of these runs (each only while it is still that run's). */
  release(claims: readonly { name: string; id: string }[]): Promise<void> {
    if (claims.length === 0) return Promise.resolve();
    return withFairLock(this.paths.namesLock, () => {
      for (const { name, id } of claims) {
        const file = this.file(name);
        if (readHolder(file) === id) fs.rmSync(file, { force: true });
      }
    }, LOCK);
  }

  private file(name: string): string {
    return this.paths.nameClaim(claimFileName(name));
  }
}

/** Makes the claim `file` for `id` when there is none: false when there is one. */
function create(file: string, id: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'ENOENT') throw error;
    ensureFolder(path.dirname(file));
    return create(file, id);
  }
  try {
    fs.writeSync(fd, id);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

function readHolder(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw folderInPlace(file);
    throw error;
  }
}

/** Whether the claim `file`, held by `holder`, stays its: a live holder keeps it, and so does one still making it. */
function isKept(file: string, holder: string, keeps: HolderCheck): boolean {
  return holder === '' ? !halfMadeLongAgo(file) : keeps(holder);
}

function halfMadeLongAgo(file: string): boolean {
  try {
    return Date.now() - fs.statSync(file).mtimeMs > HALF_MADE_MS;
  } catch {
    return true;
  }
}
