/**
 * A container run from VS Code's Run Agent, in a real VS Code (code-server) driven by a real browser:
 * with a `switchboard.containers.*` setting set, Run Agent asks where the agent runs; Docker is
 * picked, and the Agents view row says `custom · docker · …` while a scripted agent (in its
 * worktree, mounted at the same path) runs in a container on the real engine, then done. Skipped,
 * with the reason, where docker cannot run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { mergeConfig } from '../../src/core/config';
import { RunRegistry } from '../../src/core/registry/registry';
import { FAKE_AGENT, killEverything, SUPERVISOR, tempDir } from '../support/harness';
import { containersOf, dockerSetup, removeContainersOf } from '../support/docker';
import { installExtension, setupVscode, startCodeServer, type CodeServer } from './support/codeServer';
import { packageVsix, writeMachineSettings } from './support/extension';
import { answerQuickInput, launchBrowser, openWorkbench, pickQuickItem, runCommand, screenshot } from './support/workbench';
import { editorText, rowLabel, showSwitchboard, waitForRow } from './support/agentsView';

describe('Run Agent in a container, in a real VS Code', function () {
  this.timeout(180_000);
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let registry: RunRegistry | undefined;
  let stateDir = '';

  before(async function () {
    this.timeout(30 * 60_000);
    const setup = dockerSetup();
    if (!setup.ok) {
      console.log(`    (skipped: docker cannot run here: ${setup.reason})`);
      this.skip();
    }
    await setupVscode();
    const vsix = packageVsix();
    stateDir = tempDir('sb-e2e-containers-state-');
    const workspace = tempDir('sb-e2e-containers-work-');
    // The container sees the workspace (mounted at the same path), so the scripted agent lives there.
    fs.copyFileSync(FAKE_AGENT, path.join(workspace, 'fakeAgent.mjs'));
    const extensionsDir = tempDir('sb-e2e-containers-ext-');
    const userDataDir = tempDir('sb-e2e-containers-user-');
    await installExtension(vsix, extensionsDir, userDataDir);
    const settings = {
      'switchboard.stateDirectory': stateDir,
      'switchboard.containers.image': setup.image!,
      'switchboard.runners.custom.command': `node ${path.join(workspace, 'fakeAgent.mjs')} --lines 10 --every 400 --text {prompt}`,
      // A context that does not exist: Doctor says so on its own line, with what to do.
      'switchboard.containers.contexts': ['sb-e2e-no-such-context'],
    };
    writeMachineSettings(userDataDir, settings);
    server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings });
    browser = await launchBrowser();
    page = await openWorkbench(browser, server.url, workspace);
    // The test's own view of the same state folder.
    registry = await RunRegistry.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    registry?.dispose();
    if (stateDir) {
      await killEverything(stateDir);
      await removeContainersOf(stateDir);
    }
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) await screenshot(page, `failed-${this.currentTest.title.slice(0, 40)}`).catch(() => undefined);
  });

  it('asks where the agent runs; Docker is picked and its row says docker while it runs in a container, then done', async () => {
    await showSwitchboard(page);
    await runCommand(page, 'Switchboard: Run Agent');
    await pickQuickItem(page, 'Custom command');
    await answerQuickInput(page, 'hello from a container');
    // A limit (not Enter for none): the next step's empty filter then reads as a new prompt.
    await answerQuickInput(page, '30m');
    // The choice of backend: this machine first, then the local engine.
    const rows = page.locator('.quick-input-widget .monaco-list-row .label-name');
    await rows.filter({ hasText: /^\s*Docker\s*$/ }).first().waitFor({ timeout: 30_000 });
    const offered = (await rows.allInnerTexts()).map((text) => text.trim());
    // (A row's detail is a label too.)
    assert.ok(offered.indexOf('This machine') === 0 && offered.indexOf('Docker') > 0, offered.join(' | '));
    await screenshot(page, 'containers-01-where');
    await pickQuickItem(page, 'Docker');
    await waitForRow(page, 'custom-1', 'running', 60_000);
    assert.match(await rowLabel(page, 'custom-1'), /^custom-1, running, custom · docker · \d+s/);
    await screenshot(page, 'containers-02-running');
    const record = registry!.resolve('custom-1');
    assert.equal(record.container?.backend, 'docker');
    await waitForRow(page, 'custom-1', 'done', 90_000);
    assert.match(await rowLabel(page, 'custom-1'), /^custom-1, done, custom · docker · \d+s/);
    const done = registry!.resolve('custom-1');
    assert.match(done.container?.id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(registry!.tail('custom-1'), Array.from({ length: 10 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'hello from a container\n');
    assert.deepEqual(await containersOf(stateDir), []);
  });

  it('Doctor reports each engine on its own line: the local one reachable with its image, a context that does not exist with what to do', async () => {
    await runCommand(page, 'Switchboard: Doctor');
    await editorText(page, 'Switchboard Doctor');
    // The engines come after the runners: at the end of the report.
    await page.keyboard.press('Control+End');
    // The editor wraps long lines: joined again, without the breaks it made.
    const text = (await editorText(page, 'Container engine docker:sb-e2e-no-such-context')).replace(/\n/g, '');
    assert.match(text, /Container engine docker \(unix:\/\/\/var\/run\/docker\.sock\): reachable, Docker \d+\.\d+.*present/);
    assert.match(text, /Container engine docker:sb-e2e-no-such-context: not reachable: .*no Docker context named sb-e2e-no-such-context.*docker context create sb-e2e-no-such-context/);
    await screenshot(page, 'containers-03-doctor');
  });
});
