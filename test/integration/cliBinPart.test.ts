/** The `switchboard` bin (dist/cli.js) names the code cache's part after the command, global options before it or not (a real Node process). */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureBuilt, ROOT, tempDir } from '../support/harness';

describe('the bin and the code cache', () => {
  it('a command after --format is added to the cache, as one before it is', function () {
    this.timeout(60_000);
    ensureBuilt();
    const cache = path.join(tempDir('sb-bin-cache-'), 'v8');
    const run = (...args: string[]): string => execFileSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), ...args], { env: { ...process.env, SWITCHBOARD_CODE_CACHE: cache }, encoding: 'utf8' });
    /** The parts the cache's first line says it covers (`<header> help,version`). */
    const parts = (): string[] => {
      const [file] = fs.readdirSync(cache);
      const bytes = fs.readFileSync(path.join(cache, file!));
      return bytes.subarray(0, bytes.indexOf(10)).toString().split(' ').pop()!.split(',').filter(Boolean).sort();
    };
    assert.match(run('--format', 'json', 'help'), /switchboard/);
    assert.deepEqual(parts(), ['help']);
    assert.match(run('--format=json', 'version'), /version/);
    assert.deepEqual(parts(), ['help', 'version']);
  });
});
