/**
 * The README's run command on a machine with the desktop VS Code: `npm start` packages the VSIX,
 * installs it with `code --install-extension` and opens the folder with `code`. The desktop editor
 * cannot be installed on these machines (its downloads are out of reach), so `code` here is a
 * stand-in on PATH that records how it was called; the code-server branch is what the e2e suite runs.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir } from '../support/harness';

describe('npm start with a desktop `code` on PATH', function () {
  this.timeout(120_000);

  it('installs the freshly packaged VSIX into it and opens the folder', async () => {
    const bin = tempDir('sb-start-bin-');
    const calls = path.join(bin, 'calls.log');
    fs.writeFileSync(path.join(bin, 'code'), `#!/bin/sh\necho "$@" >> "${calls}"\n`, { mode: 0o755 });
    const folder = tempDir('sb-start-folder-');
    const { stdout } = await promisify(execFile)(process.execPath, ['scripts/start.mjs', folder], { cwd: ROOT, env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH}` } });
    const { version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    const vsix = path.join(ROOT, 'out', `switchboard-${version}.vsix`);
    assert.ok(fs.statSync(vsix).mtimeMs > Date.now() - 120_000, 'the VSIX was packaged now');
    assert.deepEqual(fs.readFileSync(calls, 'utf8').trim().split('\n'), [`--install-extension ${vsix} --force`, folder]);
    assert.match(stdout, new RegExp(`Opened ${folder.replace(/[.]/g, '\\.')} in VS Code with Switchboard ${version.replace(/[.]/g, '\\.')}\\.`));
  });
});
