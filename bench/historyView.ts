/**
 * The Agents view over a week of heavy use (10,000 finished runs), in a real VS Code (code-server +
 * Chromium): how long after the extension activates the view shows its rows. The window is
 * reloaded with the view open (a reload starts a new extension host). Two starts are measured: the
 * moment VS Code's extension host log says it activates Switchboard (before it loads the bundle, and
 * while it loads the other extensions of the window and asks the workbench for the extension's
 * storage), and the moment activate() was called (the extension logs it). The rows are the moment
 * the newest run's row entered the page (a MutationObserver in the page notes it, so the time the
 * bench's own waits for the reloaded workbench take is not counted).
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

/** `node --import tsx bench/historyView.ts [runs] [reloads]`: fewer runs (1) gives the baseline of VS Code's own time. */
const COUNT = Number(process.argv[2] ?? RUNS);
const RELOADS = Number(process.argv[3] ?? 3);
/** BENCH_LOG=trace starts code-server with `--log trace` (its logs are kept with BENCH_KEEP=1). */
const LOG_LEVEL = process.env.BENCH_LOG;

/** The times (ms since the epoch) in the window's log lines that `pattern` matches, in the log files whose name matches `files`. */
function logTimes(userDataDir: string, files: RegExp, pattern: RegExp, time: (match: RegExpExecArray) => number): number[] {
  const times: number[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (files.test(entry.name)) {
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const match = pattern.exec(line);
          if (match) times.push(time(match));
        }
      }
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return times.sort((a, b) => a - b);
}

/** VS Code's extension host log lines saying it activates Switchboard. */
const hostActivations = (userDataDir: string): number[] =>
  logTimes(userDataDir, /exthost.*\.log$/, /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) .*_doActivateExtension switchboard-dev\.switchboard\b/, (m) => new Date(`${m[1]}T${m[2]}`).getTime());
/** The extension's own lines saying when activate() was called (src/extension.ts). */
const activateCalls = (userDataDir: string): number[] => logTimes(userDataDir, /^Switchboard\.log$/, /activate\(\) called at (\S+?);?\s/, (m) => new Date(m[1]!).getTime());

/** Notes in the page the moment a row labelled `name` first enters it (set up before each load of the page). */
const noteRowScript = (name: string): string =>
  `(() => { const seen = () => { if (window.sbRowAt === undefined && document.querySelector(${JSON.stringify(`.part.sidebar .monaco-list-row[aria-label^="${name}, "]`)})) window.sbRowAt = Date.now(); };` +
  ' new MutationObserver(seen).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] }); })()';

/** When the row of `name` entered the page (the page's note; the bench's own wait only finds it). */
async function rowsShown(page: Page, name: string): Promise<number> {
  await agentRow(page, name).waitFor({ timeout: 60_000 });
  const at = (await page.evaluate('window.sbRowAt')) as number | undefined;
  if (at === undefined) throw new Error(`the page did not note when the row of ${name} came`);
  return at;
}

/** Waits (the logs are written a little after the fact) until `read` has more than `before` times, and returns the newest. */
async function newest(read: () => number[], before: number, what: string): Promise<number> {
  for (let t = 0; t < 100; t++) {
    const times = read();
    if (times.length > before) return times.at(-1)!;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${what} in the logs`);
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
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings, ...(LOG_LEVEL ? { logLevel: LOG_LEVEL } : {}) });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server.url, workspace);
    const name = `claude-${COUNT}`;
    await page.context().addInitScript(noteRowScript(name));
    await showSwitchboard(page);
    await agentRow(page, name).waitFor({ timeout: 60_000 }); // the first open also makes the record cache
    const fromHost: number[] = [];
    const fromActivate: number[] = [];
    for (let i = 0; i < RELOADS; i++) {
      const before = { host: hostActivations(userDataDir).length, activate: activateCalls(userDataDir).length };
      await reloadWindow(page);
      await showSwitchboard(page);
      const shown = await rowsShown(page, name);
      fromHost.push(shown - (await newest(() => hostActivations(userDataDir), before.host, 'activation of Switchboard in the extension host log')));
      // A build from before the extension logged its activate() call has only the first figure.
      const called = await newest(() => activateCalls(userDataDir), before.activate, 'activate() call in the Switchboard log').catch(() => undefined);
      if (called !== undefined) fromActivate.push(shown - called);
    }
    const list = (gaps: number[]): string => `${gaps.map((g) => `${g} ms`).join(', ')} (median ${median(gaps)} ms)`;
    const afterCall = fromActivate.length > 0 ? `${list(fromActivate)} after activate() is called, ` : '';
    console.log(`history view: the Agents view shows its rows over ${COUNT} finished runs ${afterCall}${list(fromHost)} after VS Code starts activating the extension (${RELOADS} reloads)`);
  } finally {
    await browser.close();
    await server.stop();
  }
});
