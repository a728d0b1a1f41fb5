/**
 * Smoke test of the end-to-end machinery: a throwaway extension installed into a real VS Code
 * (code-server), its command run from the palette in chromium, its message seen on screen.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { installUnpacked, isAlive, processTree, setupVscode, startCodeServer, type CodeServer } from './support/codeServer';
import { launchBrowser, openWorkbench, runCommand, screenshot, treeRows, waitForNotification } from './support/workbench';

const MESSAGE = 'hello from the smoke extension';

function writeSmokeExtension(folder: string): void {
  fs.mkdirSync(folder, { recursive: true });
  const manifest = {
    name: 'e2e-smoke',
    publisher: 'switchboard-e2e',
    version: '0.0.1',
    engines: { vscode: '^1.90.0' },
    main: './extension.js',
    activationEvents: [],
    contributes: { commands: [{ command: 'e2eSmoke.sayHello', title: 'Say Hello', category: 'E2E Smoke' }] },
  };
  fs.writeFileSync(path.join(folder, 'package.json'), JSON.stringify(manifest, null, 2));
  fs.writeFileSync(
    path.join(folder, 'extension.js'),
    `const vscode = require('vscode');
exports.activate = (context) => {
  context.subscriptions.push(vscode.commands.registerCommand('e2eSmoke.sayHello', () => vscode.window.showInformationMessage(${JSON.stringify(MESSAGE)})));
};
exports.deactivate = () => {};
`,
  );
}

/** Pids of live chromium processes (zombies are dead: a container's pid 1 may never reap them). */
function chromiumPids(): Set<number> {
  const out = execFileSync('ps', ['-eo', 'pid=,stat=,comm='], { encoding: 'utf8' });
  const live = out.split('\n').map((l) => l.trim().split(/\s+/)).filter(([, stat, comm]) => /chrom/.test(comm ?? '') && !stat?.startsWith('Z'));
  return new Set(live.map(([pid]) => Number(pid)));
}

describe('e2e smoke: an extension in a real VS Code (code-server + chromium)', function () {
  let root = '';
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page | undefined;
  let serverTree: number[] = [];
  let chromiumBefore = new Set<number>();

  before(async function () {
    this.timeout(15 * 60_000); // the first run installs Node 24, code-server and chromium
    await setupVscode();
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-e2e-smoke-'));
    const workspace = path.join(root, 'workspace');
    fs.mkdirSync(workspace);
    fs.writeFileSync(path.join(workspace, 'hello.txt'), 'smoke\n');
    writeSmokeExtension(path.join(root, 'extension'));
    const extensionsDir = path.join(root, 'extensions');
    installUnpacked(path.join(root, 'extension'), extensionsDir);
    chromiumBefore = chromiumPids();
    server = await startCodeServer({ workspace, extensionsDir, userDataDir: path.join(root, 'user-data') });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url, workspace);
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    if (server) {
      serverTree = processTree(server.pid);
      await server.stop();
    }
    if (root) fs.rmSync(root, { recursive: true, force: true });
  });

  it('shows the workspace in the explorer', async function () {
    if (!page) throw new Error('no workbench');
    const p = page;
    await p.locator('.part.sidebar .monaco-list-row', { hasText: 'hello.txt' }).waitFor();
    assert.ok((await treeRows(p)).includes('hello.txt'));
  });

  it('runs the extension command from the palette and shows its message', async function () {
    if (!page) throw new Error('no workbench');
    await runCommand(page, 'E2E Smoke: Say Hello');
    const text = await waitForNotification(page, MESSAGE, 30_000);
    assert.match(text, /hello from the smoke extension/);
    const file = await screenshot(page, 'smoke-notification');
    assert.ok(fs.statSync(file).size > 10_000, 'the screenshot should not be empty');
  });

  it('leaves no process and no folder behind', async function () {
    await browser?.close();
    browser = undefined;
    if (server) {
      serverTree = processTree(server.pid);
      assert.ok(serverTree.length > 1, 'code-server should have started child processes (the extension host)');
      await server.stop();
      server = undefined;
    }
    assert.deepEqual(serverTree.filter(isAlive), []);
    const leftover = [...chromiumPids()].filter((pid) => !chromiumBefore.has(pid));
    assert.deepEqual(leftover, [], 'chromium processes left behind');
    fs.rmSync(root, { recursive: true, force: true });
    assert.equal(fs.existsSync(root), false);
  });
});
