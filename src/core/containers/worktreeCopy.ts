/**
 * Copy mode: a run on an engine that does not share this machine's files gets its worktree (and the
 * repository's git folder a worktree needs) uploaded into a volume of its own, and the worktree
 * downloaded back when it ends. Packing walks the folders without following symbolic links and
 * names every entry by its absolute path (unpacked at the container's `/`); applying writes what
 * was written or changed and deletes what the container deleted (of the files uploaded), only
 * inside the worktree, never through a symbolic link, never the worktree's own `.git`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { tarEntry, TAR_END, TarReader, type TarEntry, type TarKind } from './tar';
import { SwitchboardError } from '../errors';

/** The paths (relative to the worktree's top) of what was uploaded: what may be deleted by the copy back. */
export type Manifest = string[];

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

/** `rel` of the worktree's own git folder (or file): never copied back, never deleted. */
const isGitOf = (rel: string): boolean => rel === GIT || rel.startsWith(`${GIT}/`);

/**
 * The archive of the folders (`roots`, the worktree's top first): a stream that reads each file as
 * it goes, and the manifest of the worktree's files and links (`withTop` false: the git folders alone).
 */
export function packFolders(roots: readonly string[], withTop = true): { stream: Readable; manifest: Manifest } {
  const walked: Walked[] = [];
  const [top, ...others] = roots;
  if (withTop && top) walk(top, walked);
  for (const root of others) walk(root, walked);
  const manifest = withTop && top ? walked.filter((w) => w.kind !== 'dir' && isInside(w.abs, top)).map((w) => path.relative(top, w.abs).split(path.sep).join('/')).filter((rel) => !isGitOf(rel)) : [];
  function* blocks(): Generator<Buffer> {
    for (const item of walked) {
      let data: Buffer | undefined;
      try {
        data = item.kind === 'file' ? fs.readFileSync(item.abs) : undefined;
      } catch {
        continue; // Gone since the walk.
      }
      const linkname = item.kind === 'symlink' ? fs.readlinkSync(item.abs) : undefined;
      yield tarEntry({ name: item.abs.replace(/^\/+/, ''), kind: item.kind, mode: item.stat.mode, uid: item.stat.uid, gid: item.stat.gid, mtimeMs: item.stat.mtimeMs, ...(linkname !== undefined ? { linkname } : {}), ...(data ? { data } : {}) });
    }
    yield TAR_END;
  }
  return { stream: Readable.from(blocks()), manifest };
}

const isInside = (child: string, parent: string): boolean => {
  const rel = path.relative(parent, child);
  return !rel.startsWith('..') && !path.isAbsolute(rel);
};

export interface Applied {
  written: string[];
  deleted: string[];
  /** Entries not applied, with why (a path through a symbolic link). */
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
    for (const rel of this.manifest) {
      if (this.seen.has(rel) || isGitOf(rel)) continue;
      const target = this.parentSafe(rel);
      if (!target) continue;
      const stat = lstat(target);
      if (!stat || stat.isDirectory()) continue;
      fs.unlinkSync(target);
      this.applied.deleted.push(rel);
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
    const target = this.parentSafe(rel, true);
    if (!target) return;
    const stat = lstat(target);
    if (entry.kind === 'dir') {
      if (stat && !stat.isDirectory()) fs.unlinkSync(target);
      if (!stat?.isDirectory()) fs.mkdirSync(target);
      return;
    }
    if (stat?.isDirectory()) fs.rmSync(target, { recursive: true, force: true });
    if (entry.kind === 'symlink') {
      if (stat?.isSymbolicLink() && fs.readlinkSync(target) === entry.linkname) return;
      if (stat && !stat.isDirectory()) fs.unlinkSync(target);
      fs.symlinkSync(entry.linkname!, target);
      this.applied.written.push(rel);
      return;
    }
    let data = entry.data ?? Buffer.alloc(0);
    if (entry.kind === 'hardlink') {
      const source = this.parentSafe(entry.linkname!.split('/').slice(1).join('/'));
      const sourceStat = source && lstat(source);
      if (!source || !sourceStat || !sourceStat.isFile()) return void this.applied.refused.push(`${rel} (a hard link to ${entry.linkname})`);
      data = fs.readFileSync(source);
    }
    const mode = entry.mode & 0o777;
    if (stat?.isFile() && stat.size === data.length && fs.readFileSync(target).equals(data)) {
      if ((stat.mode & 0o777) !== mode) fs.chmodSync(target, mode);
      return;
    }
    // A symbolic link in its place is replaced, never written through.
    if (stat && !stat.isFile()) fs.unlinkSync(target);
    fs.writeFileSync(target, data, { mode });
    if (stat?.isFile() && (stat.mode & 0o777) !== mode) fs.chmodSync(target, mode);
    this.applied.written.push(rel);
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
