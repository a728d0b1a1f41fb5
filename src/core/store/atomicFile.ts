/** Crash-safe JSON documents: write to a temp file, fsync, rename; a corrupt file is set aside, never lost. */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * `durable: false` skips the fsync (the rename still makes the write atomic) for documents that are
 * about to be rewritten anyway, where an fsync would only slow a burst of starts.
 */
export function writeJsonAtomic(file: string, doc: unknown, options: { durable?: boolean } = {}): void {
  writeTextAtomic(file, JSON.stringify(doc, null, 1), options);
}

/** A text file written whole or not at all (owner-only), like writeJsonAtomic. */
export function writeTextAtomic(file: string, text: string, options: { durable?: boolean } = {}): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    try {
      fs.writeSync(fd, text);
      if (options.durable !== false) fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (error) {
    // A full disk, say: no half-written temp file is left behind.
    fs.rmSync(tmp, { force: true });
    throw error;
  }
}

/**
 * The last resort on a full disk: `text` written over the file's own blocks (padded with spaces to
 * its length, which JSON ignores), taking no new space. Not atomic; false when it does not fit.
 */
export function overwriteInPlace(file: string, text: string): boolean {
  const bytes = Buffer.from(text);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r+');
  } catch {
    return false;
  }
  try {
    const size = fs.fstatSync(fd).size;
    if (bytes.length > size) return false;
    fs.writeSync(fd, Buffer.concat([bytes, Buffer.alloc(size - bytes.length, 0x20)]), 0, size, 0);
    return true;
  } catch {
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

/** The error of a folder found where Switchboard keeps a file (made by hand, or by a tool gone wrong). */
export function folderInPlace(file: string): SwitchboardError {
  return new SwitchboardError('invalid_argument', `${file} is a folder where Switchboard keeps a file.`, 'Move that folder away (nothing in it is used), then try again.');
}

export type ReadResult<T> =
  | { kind: 'ok'; value: T }
  | { kind: 'missing' }
  /** The file could not be parsed, or was a folder; it was renamed to `setAsideAs` so nothing is lost. */
  | { kind: 'corrupt'; setAsideAs: string; reason: string };

/**
 * Reads a JSON document; `validate` returns an error string when the shape is wrong. A document that
 * is not one (unparsable, the wrong shape, a folder made where it belongs) is set aside, as it is,
 * and said to be corrupt: each caller rebuilds or starts afresh, and says so.
 */
export function readJsonFile<T>(file: string, validate: (value: unknown) => string | undefined): ReadResult<T> {
  let text: string | undefined;
  let reason: string | undefined;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'EACCES' || code === 'EPERM') throw new SwitchboardError('state_unwritable', `${file} cannot be read (${code}).`, 'Give your user read and write access to it, or point SWITCHBOARD_HOME at a folder of your own.');
    if (code !== 'EISDIR') throw error;
    reason = 'a folder where Switchboard keeps a file';
  }
  let value: unknown;
  if (text !== undefined) {
    try {
      value = JSON.parse(text);
      reason = validate(value);
    } catch (error) {
      reason = `not valid JSON (${(error as Error).message})`;
    }
  }
  if (reason === undefined) return { kind: 'ok', value: value as T };
  const setAsideAs = setAside(file);
  // Another process set it aside (or replaced it) first: read what is there now.
  if (setAsideAs === undefined) return readJsonFile(file, validate);
  return { kind: 'corrupt', setAsideAs, reason };
}

/**
 * Renames a file (or a folder made where a file belongs) that cannot be used to a name beside it, so
 * that nothing is lost and the path is free again. Undefined when it was gone already.
 */
export function setAside(file: string): string | undefined {
  const setAsideAs = `${file}.corrupt-${Date.now()}-${process.pid}`;
  try {
    fs.renameSync(file, setAsideAs);
    return setAsideAs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
