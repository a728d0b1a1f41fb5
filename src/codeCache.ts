/**
 * Runs a CommonJS bundle from a V8 code cache, as v8-compile-cache does (Node 20 has no
 * module.enableCompileCache): the bundle is compiled with the bytes V8 produced last time, so a CLI
 * process (or VS Code's extension host, activating the extension) skips parsing its 1.5 MB of JavaScript. The cache lives in the user's cache folder
 * (`$XDG_CACHE_HOME/switchboard/v8`, or `~/.cache/...`; `SWITCHBOARD_CODE_CACHE=<dir>` or `off`),
 * one file per bundle path, Node and bundle version (size, mtime, inode), written once after the
 * first run, replaced when V8 rejects it. A cache folder that cannot be made, read or written, or
 * that another user could write, is simply not used. Uses only Node's built-ins: it is what starts first.
 */
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { v8FlagsChanged } from './v8Flags';

/** The folder for code caches, or undefined when caching is off or the folder is not safely ours. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const setting = env.SWITCHBOARD_CODE_CACHE;
  if (setting === 'off' || setting === '0') return undefined;
  const dir = setting || path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'switchboard', 'v8');
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const stat = fs.lstatSync(dir);
    // Code from this folder runs as this user: never one that someone else owns or can write.
    if (!stat.isDirectory() || (process.getuid && stat.uid !== process.getuid()) || (stat.mode & 0o022) !== 0) return undefined;
    return dir;
  } catch {
    return undefined;
  }
}

const hash = (parts: unknown[]): string => createHash('sha1').update(parts.join('\0')).digest('hex').slice(0, 12);

/**
 * The cache files of `file` under this Node (`<name>-<where>-`: a bundle at another path, or run by
 * another Node such as VS Code's, has caches of its own) and of this version of it (any change to the
 * bundle gives another name).
 */
function cacheFileOf(dir: string, file: string, name: string): { prefix: string; cacheFile: string } {
  const stat = fs.statSync(file);
  const prefix = `${name}-${hash([file, process.version, process.arch])}-`;
  return { prefix, cacheFile: path.join(dir, `${prefix}${hash([stat.size, stat.mtimeMs, stat.ctimeMs, stat.ino])}.bin`) };
}

/** A cache file's first line, then the parts of the bundle the runs that made it went through (`cli run,list`); then V8's bytes. */
const HEADER = 'switchboard-code-cache 1';
/** Parts past this many do not make a cache be written again (a part is a word from the command line). */
const MAX_PARTS = 40;

/** The parts a cache file covers and V8's bytes; undefined when it is not such a file. */
function readCache(cacheFile: string): { parts: Set<string>; data: Buffer } | undefined {
  const bytes = fs.readFileSync(cacheFile);
  const end = bytes.indexOf(0x0a);
  const header = end < 0 ? '' : bytes.toString('latin1', 0, end);
  if (!header.startsWith(`${HEADER} `)) return undefined;
  return { parts: new Set(header.slice(HEADER.length + 1).split(',').filter(Boolean)), data: bytes.subarray(end + 1) };
}

/** A cache not read for this long belongs to a bundle that is gone (an older extension version's folder, a removed clone). */
const UNUSED_FOR_MS = 30 * 24 * 3600_000;

/**
 * Writes the cache atomically (temp file, rename) and removes older versions of it, and the caches of
 * other bundles not read for a month (by access time: on a folder mounted without access times, a cache
 * still in use may go, and is simply made again); failures are ignored.
 */
function saveCache(dir: string, cacheFile: string, prefix: string, data: Buffer, parts: ReadonlySet<string>): void {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(temp, Buffer.concat([Buffer.from(`${HEADER} ${[...parts].join(',')}\n`, 'latin1'), data]), { mode: 0o600 });
    fs.renameSync(temp, cacheFile);
    for (const entry of fs.readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (!entry.endsWith('.bin') || full === cacheFile) continue;
      if (entry.startsWith(prefix) || Date.now() - (fs.statSync(full, { throwIfNoEntry: false })?.atimeMs ?? Date.now()) > UNUSED_FOR_MS) fs.rmSync(full, { force: true });
    }
  } catch {
    fs.rmSync(temp, { force: true });
  }
}

/**
 * The bundle's text. The build escapes every non-ASCII character (esbuild.mjs), so that it is read
 * as one-byte text: decoded as UTF-8, one character outside ASCII (in a comment) makes V8 hold all
 * 3 MB as a two-byte string, twice the memory, and the decoding alone costs a start about 10 ms.
 */
function readText(file: string): string {
  const bytes = fs.readFileSync(file);
  return isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
}

/**
 * Loads and runs the CommonJS bundle `file` (which must not use a real dynamic `import()`: esbuild turns
 * bundled ones into requires) with `require`, `module` and `__dirname` of its own path. A new cache is
 * written at exit, or (`saveAfterMs`, for a process that lives long) that long after the start; and
 * again once for each new `part` (the CLI's command) a run goes through; never by a process that has changed
 * V8's flags (see v8Flags.ts). Returns what the bundle exports.
 */
export function runBundle(file: string, name: string, options: { saveAfterMs?: number; part?: string } = {}): unknown {
  const dir = codeCacheDir();
  if (!dir) return createRequire(file)(file) as unknown;
  let names: { prefix: string; cacheFile: string } | undefined;
  let cached: ReturnType<typeof readCache>;
  try {
    names = cacheFileOf(dir, file, name);
    cached = readCache(names.cacheFile);
  } catch {
    cached = undefined;
  }
  // The shebang line is blanked, not removed, so that line and column numbers stay those of the file.
  const source = readText(file).replace(/^#!.*/, '');
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, { filename: file, cachedData: cached?.data });
  const part = options.part && /^[a-z][a-z-]{0,23}$/.test(options.part) ? options.part : undefined;
  const accepted = !!cached && !script.cachedDataRejected;
  const parts = accepted && cached ? cached.parts : new Set<string>();
  // A cache made by runs that went through other parts (`switchboard list` first, then `run`) lacks this
  // part's functions, which each start would compile again: it is written again, once, to hold them too.
  if (names && (!accepted || (part && !parts.has(part) && parts.size < MAX_PARTS))) {
    if (part) parts.add(part);
    // At exit the cache also holds the functions this run compiled lazily (and those it was given), not only the top level.
    const { cacheFile, prefix } = names;
    const save = (): void => void (v8FlagsChanged() || saveCache(dir, cacheFile, prefix, script.createCachedData(), parts));
    if (options.saveAfterMs === undefined) process.once('exit', save);
    else setTimeout(save, options.saveAfterMs).unref();
  }
  const module: { exports: unknown; filename: string; id: string; loaded: boolean } = { exports: {}, filename: file, id: '.', loaded: false };
  (script.runInThisContext() as (...args: unknown[]) => void).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  module.loaded = true;
  return module.exports;
}
