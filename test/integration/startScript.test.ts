/**
 * The README's run command on a machine with the desktop VS Code: `npm start` packages the VSIX,
 * installs it with `code --install-extension` and opens the folder with `code`. The desktop editor
 * cannot be installed on these machines (its downloads are out of reach), so `code` here is a
 * stand-in on PATH that records how it was called; the code-server branch is what the e2e suite runs.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { ROOT, tempDir, until } from '../support/harness';

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

describe('npm start without a desktop `code`', function () {
  this.timeout(180_000);
  let child: ChildProcess | undefined;
  afterEach(async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  });

  it('serves code-server on 127.0.0.1 behind a password it prints and keeps owner-only', async () => {
    const folder = tempDir('sb-start-folder-');
    const port = String(20_000 + Math.floor(Math.random() * 20_000));
    // A PATH without `code` (node and git stay reachable through their absolute paths).
    child = spawn(process.execPath, ['scripts/start.mjs', folder], { cwd: ROOT, env: { ...process.env, PATH: '/usr/bin:/bin', PORT: port }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    await until(() => /password: \S+ \(kept in (\S+),/.test(out), 150_000, 'the address and password');
    const [, password, file] = /password: (\S+) \(kept in (\S+),/.exec(out)!;
    assert.match(out, new RegExp(`open http://127\\.0\\.0\\.1:${port}/`));
    assert.equal(fs.statSync(file!).mode & 0o777, 0o600);
    assert.equal(fs.readFileSync(file!, 'utf8').trim(), password);
    // Without the password, the editor is not served: code-server sends the browser to its login page.
    let answer: Response | undefined;
    for (const deadline = Date.now() + 60_000; !answer && Date.now() < deadline; await new Promise((r) => setTimeout(r, 250))) {
      answer = await fetch(`http://127.0.0.1:${port}/`, { redirect: 'manual' }).catch(() => undefined);
    }
    assert.equal(answer?.status, 302);
    assert.match(answer!.headers.get('location') ?? '', /login/);
  });
});
