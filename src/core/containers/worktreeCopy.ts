/**
 * Copy mode: a run on an engine that does not share this machine's files gets its worktree (and the
 * repository's git folder a worktree needs) uploaded into a volume of its own, and the worktree
 * downloaded back when it ends. Packing walks the folders without following symbolic links and
 * names every entry by its absolute path (unpacked at the container's `/`); the manifest keeps what
 * each uploaded file was (size, mtime). Applying writes what was written or changed and deletes
 * what the container deleted (of the files uploaded), only inside the worktree, never through a
 * symbolic link or a hard link (a new file renamed into place), never the worktree's own `.git`, and
 * never over a file changed here since the upload (refused: the volume keeps the agent's version).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { tarEntry, TAR_END, TarReader, type TarEntry, type TarKind } from './tar';
import { SwitchboardError } from '../errors';

/**
 * What was uploaded, by path relative to the worktree's top: each file's or link's size and mtime
 * then. Only these may be deleted by the copy back, and only while they are as they were.
 */
export type Manifest = Record<string, Stamp>;
type Stamp = [size: number, mtimeMs: number];

const stampOf = (stat: fs.Stats): Stamp => [stat.size, stat.mtimeMs];
const sameStamp = (stat: fs.Stats, stamp: Stamp | undefined): boolean => !!stamp && stat.size === stamp[0] && stat.mtimeMs === stamp[1];

interface Walked {
  abs: string;
  kind: TarKind;
  stat: fs.Stats;
}

const GIT = '.git';

/** Folders, files and links under `root`, links not followed; sockets and the like, and what cannot be read, left out. */
function walk(root: string, out: Walked[]): void {
  let stat: fs.Stats;
  let names: string[] = [];
  try {
    stat = fs.lstatSync(root);
    if (stat.isDirectory()) names = fs.readdirSync(root).sort();
  } catch {
    return;
  }
  const kind: TarKind | undefined = stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : stat.isSymbolicLink() ? 'symlink' : undefined;
  if (!kind) return;
  out.push({ abs: root, kind, stat });
  for (const name of names) walk(path.join(root, name), out);
}

/** The tar entry of a walked item under `name`, or undefined when it cannot be read (gone since the walk, unreadable, over 2 GiB). */
function packed(item: Walked, name: string): Buffer | undefined {
  let data: Buffer | undefined;
  let linkname: string | undefined;
  try {
    if (item.kind === 'file') data = fs.readFileSync(item.abs);
    if (item.kind === 'symlink') linkname = fs.readlinkSync(item.abs);
  } catch {
    return undefined;
  }
  return tarEntry({ name, kind: item.kind, mode: item.stat.mode, uid: item.stat.uid, gid: item.stat.gid, mtimeMs: item.stat.mtimeMs, ...(linkname !== undefined ? { linkname } : {}), ...(data ? { data } : {}) });
}

/** `rel` of the worktree's own git folder (or file): never copied back, never deleted. */
const isGitOf = (rel: string): boolean => rel === GIT || rel.startsWith(`${GIT}/`);

/**
 * The archive of the folders (`roots`, the worktree's top first): a stream that reads each file as
 * it goes, and the manifest of the worktree's files and links (`withTop` false: the git folders
 * alone), filled as they are packed: what could not be read (gone, unreadable, over 2 GiB) is in
 * neither, so the copy back never takes it for deleted.
 */
export function packFolders(roots: readonly string[], withTop = true): { stream: Readable; manifest: Manifest } {
  const walked: Walked[] = [];
  const [top, ...others] = roots;
  if (withTop && top) walk(top, walked);
  for (const root of others) walk(root, walked);
  const manifest: Manifest = {};
  const relOf = (abs: string): string | undefined => {
    if (!withTop || !top || !isInside(abs, top)) return undefined;
    const rel = path.relative(top, abs).split(path.sep).join('/');
    return rel && !isGitOf(rel) ? rel : undefined;
  };
  function* blocks(): Generator<Buffer> {
    for (const item of walked) {
      const entry = packed(item, item.abs.replace(/^\/+/, ''));
      if (!entry) continue;
      yield entry;
      const rel = item.kind !== 'dir' ? relOf(item.abs) : undefined;
      if (rel) manifest[rel] = stampOf(item.stat);
    }
    yield TAR_END;
  }
  return { stream: Readable.from(blocks()), manifest };
}

/** The archive of the folder `dir` unpacked at `target` (an absolute path) instead of its own path: what cannot be read is left out. */
export function packFolderAs(dir: string, target: string): Readable {
  const walked: Walked[] = [];
  walk(dir, walked);
  const nameOf = (abs: string): string => path.posix.join(target, path.relative(dir, abs).split(path.sep).join('/')).replace(/^\/+/, '');
  function* blocks(): Generator<Buffer> {
    for (const item of walked) {
      const entry = packed(item, nameOf(item.abs));
      if (entry) yield entry;
    }
    yield TAR_END;
  }
  return Readable.from(blocks());
}

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
};

export interface Applied {
  written: string[];
  deleted: string[];
  /** Entries not applied, with why (a path through a symbolic link, a file changed here meanwhile, a write that failed). */
  refused: string[];
}

/**
 * Applies the container's worktree (the archive of GET /containers/{id}/archive?path=<top>, its
 * entries under the top's own name) to the local worktree `top`. `manifest`: what was uploaded;
 * those of it the archive lacks are deleted here.
 */
export class WorktreeApplier {
  readonly applied: Applied = { written: [], deleted: [], refused: [] };
  private readonly seen = new Set<string>();
  /** The files this copy back wrote or found as they should be (dev:ino): a deletion never takes one of them. */
  private readonly written = new Set<string>();
  private readonly reader: TarReader;

  constructor(
    private readonly top: string,
    private readonly manifest: Manifest,
  ) {
    this.reader = new TarReader((entry) => this.apply(entry));
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /** The archive ended: what it lacks of the uploaded files is deleted. */
  end(): Applied {
    this.reader.end();
    // An archive cut between two entries (a connection dropped) must not read as files deleted.
    if (!this.reader.complete) throw new SwitchboardError('docker_error', 'The worktree\'s archive ended before its end marker (the download was cut short): what came was written, nothing was deleted.');
    for (const [rel, stamp] of Object.entries(this.manifest)) {
      if (this.seen.has(rel) || isGitOf(rel)) continue;
      const target = this.parentSafe(rel);
      if (!target) continue;
      const stat = lstat(target);
      if (!stat || stat.isDirectory()) continue;
      // Written here during the run (or the same file under another name's case): not the agent's to delete.
      if (!sameStamp(stat, stamp) || this.written.has(`${stat.dev}:${stat.ino}`)) {
        this.applied.refused.push(`${rel} (deleted in the container, changed here since: kept)`);
        continue;
      }
      try {
        fs.unlinkSync(target);
        this.applied.deleted.push(rel);
      } catch (error) {
        this.applied.refused.push(`${rel} (could not be deleted: ${(error as Error).message})`);
      }
    }
    return this.applied;
  }

  /** The local path of `rel` when none of its parent folders is a symbolic link (else undefined, noted). Missing parents are made. */
  private parentSafe(rel: string, make = false): string | undefined {
    const parts = rel.split('/');
    let at = this.top;
    for (const part of parts.slice(0, -1)) {
      at = path.join(at, part);
      const stat = lstat(at);
      if (stat?.isDirectory()) continue;
      if (!stat && make) {
        fs.mkdirSync(at);
        continue;
      }
      if (stat || make) this.applied.refused.push(`${rel} (${path.relative(this.top, at)} is not a folder here)`);
      return undefined;
    }
    return path.join(this.top, ...parts);
  }

  private apply(entry: TarEntry): void {
    // The archive's entries are under the top's own name.
    const rel = entry.name.split('/').slice(1).join('/');
    if (!rel || isGitOf(rel)) return;
    this.seen.add(rel);
    try {
      this.applyEntry(rel, entry);
    } catch (error) {
      this.applied.refused.push(`${rel} (${(error as Error).message})`);
    }
  }

  private applyEntry(rel: string, entry: TarEntry): void {
    const target = this.parentSafe(rel, true);
    if (!target) return;
    const stat = lstat(target);
    if (entry.kind === 'dir') {
      if (stat && !stat.isDirectory()) return void this.applied.refused.push(`${rel} (a folder in the container, not here: kept)`);
      if (!stat) fs.mkdirSync(target);
      return;
    }
    let data = entry.data ?? Buffer.alloc(0);
    if (entry.kind === 'hardlink') {
      const source = this.parentSafe(entry.linkname!.split('/').slice(1).join('/'));
      const sourceStat = source && lstat(source);
      if (!source || !sourceStat || !sourceStat.isFile()) return void this.applied.refused.push(`${rel} (a hard link to ${entry.linkname})`);
      data = fs.readFileSync(source);
    }
    if (stat && this.unchanged(stat, target, entry, data)) {
      this.written.add(`${stat.dev}:${stat.ino}`);
      return;
    }
    // Changed here since the upload (or made here, when the upload had none): the person's, not overwritten.
    if (stat && !sameStamp(stat, this.manifest[rel])) return void this.applied.refused.push(`${rel} (changed in the container and here since: kept as it is here)`);
    if (stat?.isDirectory()) return void this.applied.refused.push(`${rel} (a folder here, not in the container: kept)`);
    // A new file renamed into place: never written through a symbolic or hard link, never half written.
    const temp = path.join(path.dirname(target), `.sb-copy-${process.pid}-${path.basename(target)}`);
    try {
      if (entry.kind === 'symlink') fs.symlinkSync(entry.linkname!, temp);
      else fs.writeFileSync(temp, data, { mode: entry.mode & 0o777 });
      if (entry.kind !== 'symlink') fs.chmodSync(temp, entry.mode & 0o777);
      fs.renameSync(temp, target);
    } catch (error) {
      fs.rmSync(temp, { force: true });
      throw error;
    }
    const now = lstat(target);
    if (now) this.written.add(`${now.dev}:${now.ino}`);
    this.applied.written.push(rel);
  }

  /** Whether the local entry is already what the container has (a mode alone set again). */
  private unchanged(stat: fs.Stats, target: string, entry: TarEntry, data: Buffer): boolean {
    if (entry.kind === 'symlink') return stat.isSymbolicLink() && fs.readlinkSync(target) === entry.linkname;
    if (!stat.isFile() || stat.size !== data.length || !fs.readFileSync(target).equals(data)) return false;
    const mode = entry.mode & 0o777;
    if ((stat.mode & 0o777) !== mode && sameStamp(stat, this.manifest[path.relative(this.top, target).split(path.sep).join('/')])) fs.chmodSync(target, mode);
    return true;
  }
}

function lstat(file: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(file);
  } catch {
    return undefined;
  }
}

/** A few words on what a copy back did. */
export function describeApplied(applied: Applied): string {
  const refused = applied.refused.length ? `; refused ${applied.refused.length}: ${applied.refused.slice(0, 3).join(', ')}` : '';
  return `${applied.written.length} written or changed, ${applied.deleted.length} deleted${refused}`;
}
