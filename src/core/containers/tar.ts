/**
 * A small tar (ustar) writer and reader, for the worktree copied into and out of a container
 * through the Engine API's archive endpoints. The writer makes ustar entries, with a PAX header for
 * a name or link too long for ustar; the reader takes ustar, PAX (`x`; global `g` ignored) and GNU
 * long names (`L`, `K`) as Docker emits them, and refuses entry names that are absolute or climb
 * out with `..`. Files, folders and symbolic links only (a hard link is read as a link to copy).
 */
import { SwitchboardError } from '../errors';

export type TarKind = 'file' | 'dir' | 'symlink' | 'hardlink';

export interface TarEntry {
  /** Relative, `/`-separated, never absolute, never with `..`. */
  name: string;
  kind: TarKind;
  mode: number;
  uid: number;
  gid: number;
  mtimeMs: number;
  /** A symbolic or hard link's target. */
  linkname?: string;
  /** A file's bytes. */
  data?: Buffer;
}

const BLOCK = 512;
const TYPE_OF: Record<TarKind, string> = { file: '0', dir: '5', symlink: '2', hardlink: '1' };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

function pax(records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`;
    // The length counts its own digits.
    let length = Buffer.byteLength(body) + 1;
    while (String(length).length + Buffer.byteLength(body) !== length) length = String(length).length + Buffer.byteLength(body);
    return `${length}${body}`;
  });
  return Buffer.from(lines.join(''));
}

function header(name: string, type: string, size: number, entry: Pick<TarEntry, 'mode' | 'uid' | 'gid' | 'mtimeMs'>, linkname = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(octal(entry.mode & 0o7777, 8), 100, 'ascii');
  block.write(octal(entry.uid, 8), 108, 'ascii');
  block.write(octal(entry.gid, 8), 116, 'ascii');
  block.write(octal(size, 12), 124, 'ascii');
  block.write(octal(Math.floor(entry.mtimeMs / 1000), 12), 136, 'ascii');
  block.write('        ', 148, 'ascii');
  block.write(type, 156, 'ascii');
  block.write(linkname, 157, 100, 'utf8');
  block.write('ustar\u000000', 257, 'binary');
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(octal(sum, 7) + ' ', 148, 'ascii');
  return block;
}

const padding = (size: number): Buffer => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/** One entry's blocks (a PAX header before it when its name or link does not fit ustar). */
export function tarEntry(entry: TarEntry): Buffer {
  const name = entry.kind === 'dir' && !entry.name.endsWith('/') ? `${entry.name}/` : entry.name;
  const data = entry.kind === 'file' ? entry.data ?? Buffer.alloc(0) : Buffer.alloc(0);
  const link = entry.linkname ?? '';
  const parts: Buffer[] = [];
  const long: Record<string, string> = {};
  if (Buffer.byteLength(name) > 100) long.path = name;
  if (Buffer.byteLength(link) > 100) long.linkpath = link;
  if (entry.uid > 0o7777777) long.uid = String(entry.uid);
  if (entry.gid > 0o7777777) long.gid = String(entry.gid);
  if (Object.keys(long).length) {
    const records = pax(long);
    parts.push(header('PaxHeader', 'x', records.length, { mode: 0o644, uid: 0, gid: 0, mtimeMs: entry.mtimeMs }), records, padding(records.length));
  }
  const ids = { ...entry, uid: Math.min(entry.uid, 0o7777777), gid: Math.min(entry.gid, 0o7777777) };
  parts.push(header(long.path ? name.slice(0, 100) : name, TYPE_OF[entry.kind], data.length, ids, long.linkpath ? '' : link), data, padding(data.length));
  return Buffer.concat(parts);
}

/** The two zero blocks that end an archive. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

/** A tar entry's name made safe: `/`-separated and relative, else refused (absolute, `..`, NUL). */
export function safeEntryName(raw: string): string {
  const name = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (name.includes('\0') || name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.split('/').some((part) => part === '..')) {
    throw new SwitchboardError('invalid_argument', `The archive holds an entry named "${raw}", which leaves the folder it is unpacked into: refused.`);
  }
  return name.split('/').filter((part) => part && part !== '.').join('/');
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function number(block: Buffer, start: number, length: number): number {
  // GNU base-256 for large values.
  if (block[start]! & 0x80) {
    let value = 0;
    for (let i = start + 1; i < start + length; i++) value = value * 256 + block[i]!;
    return value;
  }
  const text = field(block, start, length).trim();
  return text ? parseInt(text, 8) : 0;
}

function parsePax(data: Buffer): Record<string, string> {
  const records: Record<string, string> = {};
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space < 0) break;
    const length = Number(data.subarray(at, space).toString('ascii'));
    if (!length) break;
    const record = data.subarray(space + 1, at + length - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) records[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return records;
}

/**
 * Reads an archive as it arrives: `push` chunks, `end` when it ended. Each entry is handed over
 * whole (a file with its bytes); an entry with an unsafe name throws from `push`.
 */
export class TarReader {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private next: Record<string, string> = {};
  /** Bytes the entry at hand needs before it can be read (a big file arrives in many chunks). */
  private needed = BLOCK;
  /** Whether the end-of-archive marker (a zero block where a header was due) came: an archive cut between entries lacks it. */
  complete = false;

  constructor(private readonly onEntry: (entry: TarEntry) => void) {}

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.needed) this.drain();
  }

  /** The archive ended: an entry cut short is an error. */
  end(): void {
    if (this.pendingBytes > 0 && this.peek(Math.min(this.pendingBytes, BLOCK)).some((byte) => byte !== 0)) {
      throw new SwitchboardError('docker_error', `The archive ended in the middle of an entry (${this.pendingBytes} bytes left over).`);
    }
  }

  private peek(bytes: number): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0]!.subarray(0, bytes);
  }

  private take(bytes: number): Buffer {
    const taken = Buffer.from(this.peek(bytes));
    this.pending[0] = this.pending[0]!.subarray(bytes);
    this.pendingBytes -= bytes;
    return taken;
  }

  private drain(): void {
    this.needed = BLOCK;
    while (this.pendingBytes >= BLOCK) {
      const block = this.peek(BLOCK);
      if (block.every((byte) => byte === 0)) {
        this.take(BLOCK);
        this.complete = true;
        continue;
      }
      const size = number(block, 124, 12);
      const whole = BLOCK + size + padding(size).length;
      if (this.pendingBytes < whole) {
        this.needed = whole;
        return;
      }
      const head = this.take(BLOCK);
      const data = this.take(size + padding(size).length).subarray(0, size);
      this.entry(head, data);
    }
  }

  private entry(head: Buffer, data: Buffer): void {
    const type = String.fromCharCode(head[156]!) || '0';
    if (type === 'x') return void Object.assign(this.next, parsePax(data));
    if (type === 'g') return;
    if (type === 'L' || type === 'K') {
      this.next[type === 'L' ? 'path' : 'linkpath'] = data.toString('utf8').replace(/\0+$/, '');
      return;
    }
    const prefix = head.subarray(257, 263).toString('binary').startsWith('ustar') ? field(head, 345, 155) : '';
    const rawName = this.next.path ?? (prefix ? `${prefix}/${field(head, 0, 100)}` : field(head, 0, 100));
    const linkname = this.next.linkpath ?? field(head, 157, 100);
    const mode = number(head, 100, 8);
    const uid = this.next.uid ? Number(this.next.uid) : number(head, 108, 8);
    const gid = this.next.gid ? Number(this.next.gid) : number(head, 116, 8);
    const mtimeMs = (this.next.mtime ? Number(this.next.mtime) : number(head, 136, 12)) * 1000;
    this.next = {};
    const kind: TarKind | undefined = type === '0' || type === '\0' || type === '7' ? 'file' : type === '5' ? 'dir' : type === '2' ? 'symlink' : type === '1' ? 'hardlink' : undefined;
    // Devices, fifos and the like are not a worktree's: skipped.
    if (!kind) return;
    const name = safeEntryName(rawName);
    if (kind === 'hardlink') safeEntryName(linkname);
    this.onEntry({ name, kind, mode, uid, gid, mtimeMs, ...(kind === 'symlink' || kind === 'hardlink' ? { linkname } : {}), ...(kind === 'file' ? { data } : {}) });
  }
}

/** All entries of an archive held whole. */
export function readTar(archive: Buffer): TarEntry[] {
  const entries: TarEntry[] = [];
  const reader = new TarReader((entry) => entries.push(entry));
  reader.push(archive);
  reader.end();
  return entries;
}
