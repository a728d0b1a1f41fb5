/**
 * The Agents view under load: 100 agents printing continuously while the view is open in a real
 * VS Code (code-server + Chromium). Prints how soon the view counts them all, the workbench's long
 * tasks while they run, how fast the command palette still opens, and how soon Kill All empties it.
 */
import { performance } from 'node:perf_hooks';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { mergeConfig } from '../src/core/config';
import { RunRegistry } from '../src/core/registry/registry';
import { installExtension, setupVscode, startCodeServer } from '../test/e2e/support/codeServer';
import { packageVsix, writeMachineSettings } from '../test/e2e/support/extension';
import { showSwitchboard } from '../test/e2e/support/agentsView';
import { launchBrowser, openWorkbench } from '../test/e2e/support/workbench';
import { fakeCommand } from '../test/support/harness';
import { median, runBench, seconds, SUPERVISOR, tempDir } from './support';

const AGENTS = 100;
const BUSY_SECONDS = 15;
/** Each agent (the test suite's scripted agent) prints a line every 10 ms for the whole measurement. */
const BUSY_AGENT = fakeCommand('--lines', String(BUSY_SECONDS * 100 + 3000), '--every', '10');

const badge = (page: Page) => page.locator('.part.activitybar .action-item:has([aria-label^="Switchboard"]) .badge-content');

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
  return performance.now() - start;
}

async function paletteLatency(page: Page): Promise<number> {
  const widget = page.locator('.quick-input-widget');
  const start = performance.now();
  await page.keyboard.press('F1');
  await widget.waitFor({ state: 'visible', timeout: 10_000 });
  const ms = performance.now() - start;
  await page.keyboard.press('Escape');
  await widget.waitFor({ state: 'hidden', timeout: 10_000 });
  return ms;
}

runBench(async () => {
  await setupVscode();
  const vsix = packageVsix();
  const stateDir = tempDir('sb-bench-ui-state-');
  const workspace = tempDir('sb-bench-ui-work-');
  const extensionsDir = tempDir('sb-bench-ui-ext-');
  const userDataDir = tempDir('sb-bench-ui-user-');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# bench\n');
  await installExtension(vsix, extensionsDir, userDataDir);
  const settings = { 'switchboard.stateDirectory': stateDir, 'switchboard.maxConcurrentAgents': AGENTS + 10 };
  writeMachineSettings(userDataDir, settings);
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings });
  const browser = await launchBrowser();
  const registry = await RunRegistry.open({ stateDir, config: mergeConfig({ maxWorkers: 1000, pools: { default: { maxWorkers: 1000 } } }), supervisorScript: SUPERVISOR });
  try {
    const page = await openWorkbench(browser, server.url, workspace);
    await showSwitchboard(page);
    await page.evaluate(`window.sbLongTasks = []; new PerformanceObserver((list) => { for (const e of list.getEntries()) window.sbLongTasks.push(e.duration); }).observe({ entryTypes: ['longtask'] });`);
    await page.locator('.part.editor').click({ force: true });
    await paletteLatency(page).catch(() => paletteLatency(page)); // the first open also loads the palette
    const idle = [await paletteLatency(page), await paletteLatency(page), await paletteLatency(page)];
    const started = performance.now();
    await Promise.all(Array.from({ length: AGENTS }, (_, i) => registry.run({ runner: 'custom', prompt: 'busy', name: `busy-${i + 1}`, command: BUSY_AGENT, cwd: workspace })));
    const allStarted = performance.now() - started;
    const counted = await until(async () => (await badge(page).isVisible()) && (await badge(page).innerText()).trim() === String(AGENTS), 60_000);
    await page.evaluate('window.sbLongTasks = []');
    const busy: number[] = [];
    const busyUntil = performance.now() + BUSY_SECONDS * 1000;
    while (performance.now() < busyUntil) {
      busy.push(await paletteLatency(page));
      await page.waitForTimeout(1000);
    }
    const longTasks = (await page.evaluate('window.sbLongTasks')) as number[];
    const killStart = performance.now();
    await Promise.all(registry.list({ status: 'running' }).map((r) => registry.kill(r.id, { source: 'bench', force: true })));
    const emptied = await until(async () => !(await badge(page).isVisible()), 60_000);
    const killMs = performance.now() - killStart;
    const total = longTasks.reduce((a, b) => a + b, 0);
    console.log(
      `agents view, ${AGENTS} agents each printing 100 lines/s for ${BUSY_SECONDS} s: all started ${seconds(allStarted)} | badge showed ${AGENTS} ${seconds(counted)} later` +
        ` | workbench long tasks while busy: ${longTasks.length} (${total.toFixed(0)} ms in all, longest ${Math.max(0, ...longTasks).toFixed(0)} ms)` +
        ` | command palette opens in ${median(busy).toFixed(0)} ms median, ${Math.max(...busy).toFixed(0)} ms worst (idle: ${median(idle).toFixed(0)} ms)` +
        ` | all killed and the badge gone in ${seconds(Math.max(killMs, emptied))}`,
    );
  } finally {
    registry.dispose();
    await browser.close();
    await server.stop();
  }
});
