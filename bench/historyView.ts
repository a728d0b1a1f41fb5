/**
 * The Agents view over a week of heavy use (10,000 finished runs), in a real VS Code (code-server +
 * Chromium): how long after the extension activates the view shows its rows. The window is
 * reloaded with the view open (a reload starts a new extension host); activation is the moment
 * VS Code's extension host log says it activated Switchboard, the rows the moment the newest run's
 * row is in the page (polled every 10 ms).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { installExtension, setupVscode, startCodeServer } from '../test/e2e/support/codeServer';
import { packageVsix, writeMachineSettings } from '../test/e2e/support/extension';
import { agentRow, showSwitchboard } from '../test/e2e/support/agentsView';
import { launchBrowser, openWorkbench, reloadWindow } from '../test/e2e/support/workbench';
import { fillHistory, RUNS } from './history10k';
import { median, runBench, tempDir } from './support';

const RELOADS = 3;
/** `node --import tsx bench/historyView.ts [runs]`: fewer runs (1) gives the baseline of VS Code's own time. */
const COUNT = Number(process.argv[2] ?? RUNS);

/** Every extension host log line saying Switchboard was activated, as times (ms since the epoch). */
function activations(userDataDir: string): number[] {
  const times: number[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (/exthost.*\.log$/.test(entry.name)) {
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const match = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) .*_doActivateExtension switchboard-dev\.switchboard\b/.exec(line);
          if (match) times.push(new Date(`${match[1]}T${match[2]}`).getTime());
        }
      }
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return times.sort((a, b) => a - b);
}

async function rowsShown(page: Page, name: string): Promise<number> {
  const row = agentRow(page, name);
  for (let i = 0; i < 6000; i++) {
    if (await row.count()) return Date.now();
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the row of ${name} never showed`);
}

runBench(async () => {
  await setupVscode();
  const vsix = packageVsix();
  const stateDir = tempDir('sb-bench-hview-state-');
  const workspace = tempDir('sb-bench-hview-work-');
  const extensionsDir = tempDir('sb-bench-hview-ext-');
  const userDataDir = tempDir('sb-bench-hview-user-');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# bench\n');
  fillHistory(stateDir, COUNT);
  await installExtension(vsix, extensionsDir, userDataDir);
  const settings = { 'switchboard.stateDirectory': stateDir };
  writeMachineSettings(userDataDir, settings);
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server.url, workspace);
    await showSwitchboard(page);
    const newest = `claude-${COUNT}`;
    await rowsShown(page, newest); // the first open also makes the record cache
    const gaps: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      const before = activations(userDataDir).length;
      await reloadWindow(page);
      await showSwitchboard(page);
      const shown = await rowsShown(page, newest);
      // The log is written a little later than the line's time.
      let activated: number[] = [];
      for (let t = 0; t < 100 && activated.length <= before; t++) {
        activated = activations(userDataDir);
        await new Promise((r) => setTimeout(r, 100));
      }
      if (activated.length <= before) throw new Error('no activation of Switchboard in the extension host log');
      gaps.push(shown - activated.at(-1)!);
    }
    console.log(`history view: the Agents view shows its rows over ${COUNT} finished runs ${gaps.map((g) => `${g} ms`).join(', ')} after the extension activates (median ${median(gaps)} ms; ${RELOADS} reloads)`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
