/**
 * One Switchboard in a real VS Code for a suite: the packaged extension installed into a fresh
 * code-server over a state folder of its own, a browser page on the workspace, and the test's own
 * registry over the same state folder (as a terminal's `switchboard` would have). `close` stops it
 * all and kills whatever the runs left alive; the temporary folders go with the test run.
 */
import type { Browser, Page } from 'playwright-core';
import type { Context } from 'mocha';
import { mergeConfig } from '../../../src/core/config';
import { RunRegistry } from '../../../src/core/registry/registry';
import { killEverything, SUPERVISOR, tempDir } from '../../support/harness';
import { installExtension, installUnpacked, setupVscode, startCodeServer, type CodeServer } from './codeServer';
import { packageVsix, writeMachineSettings } from './extension';
import { launchBrowser, openWorkbench, screenshot } from './workbench';

export interface SwitchboardSession {
  stateDir: string;
  server: CodeServer;
  browser: Browser;
  page: Page;
  registry: RunRegistry;
  close(): Promise<void>;
}

/**
 * Settings for the extension besides its state folder (`switchboard.stateDirectory` is set here);
 * `extensions`: unpacked test-only extensions to install beside it (say the scripted language model).
 */
export async function openSwitchboard(workspace: string, settings: Record<string, unknown>, env?: NodeJS.ProcessEnv, extensions: string[] = []): Promise<SwitchboardSession> {
  await setupVscode();
  const vsix = packageVsix();
  const stateDir = tempDir('sb-e2e-state-');
  const extensionsDir = tempDir('sb-e2e-ext-');
  const userDataDir = tempDir('sb-e2e-user-');
  await installExtension(vsix, extensionsDir, userDataDir);
  for (const folder of extensions) installUnpacked(folder, extensionsDir);
  const all = { 'switchboard.stateDirectory': stateDir, ...settings };
  writeMachineSettings(userDataDir, all);
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, env, settings: all });
  let registry: RunRegistry | undefined;
  let browser: Browser | undefined;
  const close = async (): Promise<void> => {
    registry?.dispose();
    await browser?.close();
    await server.stop();
    await killEverything(stateDir);
  };
  try {
    registry = await RunRegistry.open({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server.url, workspace);
    return { stateDir, server, browser, page, registry, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** For afterEach: a screenshot of the page when the test that just ran failed. */
export async function screenshotIfFailed(context: Context, page: Page | undefined, prefix: string): Promise<void> {
  if (context.currentTest?.state === 'failed' && page) await screenshot(page, `failed-${prefix}-${context.currentTest.title.slice(0, 40)}`).catch(() => undefined);
}

/**
 * A suite's Switchboard: opened in `before` over the workspace and settings `setup` makes, closed in
 * `after`, with a screenshot of each failed test. Returns the session (once `before` has run).
 */
export function suiteSession(prefix: string, setup: () => { workspace: string; settings: Record<string, unknown> }): () => SwitchboardSession {
  let session: SwitchboardSession | undefined;
  before(async function () {
    this.timeout(30 * 60_000);
    const { workspace, settings } = setup();
    session = await openSwitchboard(workspace, settings);
  });
  after(async () => {
    await session?.close();
  });
  afterEach(async function () {
    await screenshotIfFailed(this, session?.page, prefix);
  });
  return () => {
    if (!session) throw new Error('the Switchboard session is not open');
    return session;
  };
}
