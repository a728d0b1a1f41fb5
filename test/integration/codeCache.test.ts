/**
 * The V8 code cache a CLI or supervisor bundle runs from (src/codeCache.ts), in real Node processes:
 * the first run writes it, later runs use it, a stale or garbage cache is replaced without harm, and
 * a cache folder that is off or that others could write is never used, and caches of bundles gone are removed.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeCacheDir } from '../../src/codeCache';

const ROOT = path.resolve(__dirname, '..', '..');

describe('code cache', () => {
  let dir: string;
  let bundle: string;
  let cache: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-code-cache-'));
    bundle = path.join(dir, 'bundle.js');
    cache = path.join(dir, 'cache');
    // A bundle that shows what a CommonJS module sees: its own path, require, exports, argv.
    fs.writeFileSync(bundle, "#!/usr/bin/env node\nconst p = require('node:path');\nmodule.exports.x = 1;\nconsole.log([p.basename(__filename), p.basename(__dirname) === p.basename(" + JSON.stringify(dir) + "), typeof exports.x, process.argv.slice(2).join(',')].join(' '));\n");
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** Runs the bundle through runBundle in a fresh Node process, as dist/cli.js does. */
  const run = (setting: string, part?: string, options: { env?: NodeJS.ProcessEnv } = {}): string => {
    const loader = path.join(dir, 'loader.js');
    fs.writeFileSync(loader, `require(${JSON.stringify(path.join(ROOT, 'src', 'codeCache.ts'))}).runBundle(${JSON.stringify(bundle)}, 'test', ${JSON.stringify({ part })});\n`);
    return execFileSync(process.execPath, ['--require', 'tsx/cjs', loader, 'a', 'b'], { env: { ...process.env, ...options.env, SWITCHBOARD_CODE_CACHE: setting }, encoding: 'utf8', cwd: ROOT }).trim();
  };
  const cacheFiles = (): string[] => (fs.existsSync(cache) ? fs.readdirSync(cache) : []);
  /** The cache's first line (the parts it covers) and when it was written. */
  const written = (): string => {
    const [file] = cacheFiles();
    const bytes = fs.readFileSync(path.join(cache, file!));
    return `${bytes.subarray(0, bytes.indexOf(10)).toString()} ${fs.statSync(path.join(cache, file!)).mtimeMs}`;
  };

  it('writes the cache on the first run, uses it after, and runs the bundle as a CommonJS module each time', () => {
    assert.equal(run(cache), 'bundle.js true number a,b');
    assert.deepEqual(cacheFiles().length, 1);
    const [file] = cacheFiles();
    const written = fs.statSync(path.join(cache, file!));
    assert.equal(written.mode & 0o777, 0o600);
    assert.equal(run(cache), 'bundle.js true number a,b');
    assert.deepEqual(cacheFiles(), [file], 'an accepted cache is not written again');
    assert.equal(fs.statSync(path.join(cache, file!)).mtimeMs, written.mtimeMs);
  });

  it('reads a bundle with characters outside ASCII as UTF-8 (an ASCII one is read as one-byte text)', () => {
    fs.writeFileSync(bundle, "console.log('caf\u00e9 \u2014 \u{1F600}', 'caf\\u00e9'.length);\n");
    assert.equal(run(cache), 'caf\u00e9 \u2014 \u{1F600} 4');
    assert.equal(run(cache), 'caf\u00e9 \u2014 \u{1F600} 4', 'from the cache too');
  });

  it('is written again once for each part a run goes through that the runs which made it did not (a command run after another)', () => {
    run(cache, 'list');
    const first = written();
    assert.match(first, /^switchboard-code-cache 1 list /);
    assert.equal(run(cache, 'list'), 'bundle.js true number a,b');
    assert.equal(written(), first, 'the same part: not written again');
    assert.equal(run(cache, 'run'), 'bundle.js true number a,b');
    const second = written();
    assert.match(second, /^switchboard-code-cache 1 list,run /);
    run(cache, 'run');
    run(cache, 'list');
    run(cache, '--not-a-part');
    run(cache);
    assert.equal(written(), second, 'parts it covers, and runs that name none, leave it');
    assert.equal(cacheFiles().length, 1);
  });

  it('is not written by a run that changes V8 flags (setV8Flags, as `switchboard mcp` and `serve`), whose cache every other run would reject', () => {
    // SET_FLAGS=1: through setV8Flags, which says so; =raw: behind its back.
    const v8Flags = JSON.stringify(path.join(ROOT, 'src', 'v8Flags.ts'));
    fs.writeFileSync(bundle, `const flags = '--heap-growing-percent=10';\nif (process.env.SET_FLAGS === '1') require(${v8Flags}).setV8Flags(flags);\nif (process.env.SET_FLAGS === 'raw') require('node:v8').setFlagsFromString(flags);\nconsole.log('ran');\n`);
    run(cache, 'list');
    const first = written();
    assert.equal(run(cache, 'mcp', { env: { SET_FLAGS: '1' } }), 'ran');
    assert.equal(written(), first, 'not written by the run that set the flags');
    run(cache, 'list');
    assert.equal(written(), first, 'still accepted by the next run');
    // What the mark prevents: saved with the flags set, the cache is rejected by the next run, which writes it again.
    run(cache, 'mcp', { env: { SET_FLAGS: 'raw' } });
    assert.match(written(), /^switchboard-code-cache 1 list,mcp /);
    run(cache, 'list');
    assert.match(written(), /^switchboard-code-cache 1 list /, 'rejected, and written again');
  });

  it('replaces a garbage cache, and a changed bundle gets a cache of its own in place of the old one', () => {
    run(cache);
    const [file] = cacheFiles();
    fs.writeFileSync(path.join(cache, file!), 'not a code cache at all');
    assert.equal(run(cache), 'bundle.js true number a,b');
    assert.notEqual(fs.readFileSync(path.join(cache, file!), 'utf8'), 'not a code cache at all');
    fs.appendFileSync(bundle, "console.log('changed');\n");
    assert.equal(run(cache), 'bundle.js true number a,b\nchanged');
    assert.equal(cacheFiles().length, 1);
    assert.notEqual(cacheFiles()[0], file);
  });

  it('removes the caches of other bundles not read for a month, and keeps those read lately', () => {
    fs.mkdirSync(cache, { mode: 0o700 });
    const old = path.join(cache, 'extension-0123456789ab-ba9876543210.bin');
    const recent = path.join(cache, 'cli-0123456789ab-ba9876543210.bin');
    for (const f of [old, recent]) fs.writeFileSync(f, 'a cache of a bundle elsewhere', { mode: 0o600 });
    const longAgo = new Date(Date.now() - 31 * 24 * 3600_000);
    fs.utimesSync(old, longAgo, longAgo);
    run(cache);
    assert.equal(fs.existsSync(old), false, 'a cache nobody read for a month is gone');
    assert.equal(fs.existsSync(recent), true, 'a cache read lately stays');
    assert.equal(cacheFiles().length, 2);
  });

  it('is not used when off, nor in a folder that others can write or that cannot be made', () => {
    assert.equal(run('off'), 'bundle.js true number a,b');
    assert.equal(codeCacheDir({ SWITCHBOARD_CODE_CACHE: 'off' }), undefined);
    fs.mkdirSync(cache, { mode: 0o700 });
    fs.chmodSync(cache, 0o777);
    assert.equal(codeCacheDir({ SWITCHBOARD_CODE_CACHE: cache }), undefined);
    assert.equal(run(cache), 'bundle.js true number a,b');
    assert.deepEqual(cacheFiles(), []);
    fs.writeFileSync(path.join(dir, 'file'), '');
    assert.equal(codeCacheDir({ SWITCHBOARD_CODE_CACHE: path.join(dir, 'file', 'cache') }), undefined);
    assert.equal(run(path.join(dir, 'file', 'cache')), 'bundle.js true number a,b');
    fs.chmodSync(cache, 0o700);
    assert.equal(codeCacheDir({ SWITCHBOARD_CODE_CACHE: cache }), cache);
  });
});
