/**
 * The Agents view over a week of heavy use (10,000 finished runs), in a real VS Code (code-server +
 * Chromium): how long after the extension activates the view shows its rows. The window is
 * reloaded with the view open (a reload starts a new extension host). Two starts are measured: the
 * moment VS Code's extension host log says it activates Switchboard (before it loads the bundle, and
 * while it loads the other extensions of the window and asks the workbench for the extension's
 * storage), and the moment activate() was called (the extension logs it). The rows are the moment
 * the newest run's row entered the page (a MutationObserver in the page notes it, so the time the
 * bench's own waits for the reloaded workbench take is not counted). Several counts of runs are
 * measured in the same session, in turn (a reload each): the window is pointed at the count's own
 * state folder first (the machine settings), and each reload's log says which folder it opened.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { installExtension, setupVscode, startCodeServer } from '../test/e2e/support/codeServer';
import { packageVsix, writeMachineSettings } from '../test/e2e/support/extension';
import { agentRow, showSwitchboard } from '../test/e2e/support/agentsView';
import { launchBrowser, openWorkbench, reloadWindow } from '../test/e2e/support/workbench';
import { fillHistory, RUNS } from '../test/support/finishedRuns';
import { median, runBench, tempDir } from './support';

/**
 * `node --import tsx bench/historyView.ts [runs] [reloads]`: `runs` may be a list (`1,50,10000`),
 * measured in turn; fewer runs (1) gives the baseline of VS Code's own time, 50 that of a full page
 * of rows.
 */
const COUNTS = (process.argv[2] ?? String(RUNS)).split(',').map(Number);
const RELOADS = Number(process.argv[3] ?? 3);
/** BENCH_LOG=trace starts code-server with `--log trace` (its logs are kept with BENCH_KEEP=1). */
const LOG_LEVEL = process.env.BENCH_LOG;
/** BENCH_MARKS=1 prints, for each reload, the workbench's performance marks (`code/...`) of the 3 s before the rows, relative to them (each contribution's own left out). */
const MARKS = !!process.env.BENCH_MARKS;
/** BENCH_VSIX=<file> installs that package (another build, say main's) instead of packaging this tree. */
const VSIX = process.env.BENCH_VSIX;
/**
 * BENCH_TRACE=<dir> records a Chromium trace of each reload (the page's main thread, with a mark
 * `sbRow@<ms since the epoch>` at the row) as <dir>/<runs>-<reload>.json; bench/historyViewTrace.ts reads them.
 */
const TRACE_DIR = process.env.BENCH_TRACE;

/**
 * The window's log lines (`YYYY-MM-DD hh:mm:ss.mmm [level] text`) whose text `pattern` matches, in
 * the log files whose name matches `files`, oldest first: each line's time (ms since the epoch) and match.
 */
function logLines(userDataDir: string, files: RegExp, pattern: RegExp): { at: number; match: RegExpExecArray }[] {
  const lines: { at: number; match: RegExpExecArray }[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (files.test(entry.name)) {
        for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
          const time = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d\.\d{3}) /.exec(line);
          const match = pattern.exec(line);
          if (time && match) lines.push({ at: new Date(`${time[1]}T${time[2]}`).getTime(), match });
        }
      }
    }
  };
  walk(path.join(userDataDir, 'logs'));
  return lines.sort((a, b) => a.at - b.at);
}

const EXTENSION_HOST_LOG = /exthost.*\.log$/;
const SWITCHBOARD_LOG = /^Switchboard\.log$/;
/** VS Code's extension host log lines saying it activates Switchboard. */
const hostActivations = (userDataDir: string): number[] =>
  logLines(userDataDir, EXTENSION_HOST_LOG, /_doActivateExtension switchboard-dev\.switchboard\b/).map((l) => l.at);
/** The extension's own lines saying when activate() was called (src/extension.ts). */
const activateCalls = (userDataDir: string): number[] => logLines(userDataDir, SWITCHBOARD_LOG, /activate\(\) called at (\S+?);?\s/).map((l) => new Date(l.match[1]!).getTime());
/** How long after activate() was called the Agents view handed VS Code its first rows (src/extension.ts logs it). */
const handedRows = (userDataDir: string): number[] => logLines(userDataDir, SWITCHBOARD_LOG, /the Agents view got its first rows (\d+) ms after activate/).map((l) => Number(l.match[1]));
/** The state folders the extension opened (src/extension.ts logs each). */
const openedFolders = (userDataDir: string): string[] => logLines(userDataDir, SWITCHBOARD_LOG, /\[extension\] state folder (\S+) \(/).map((l) => l.match[1]!);

/**
 * Notes in the page the moment a row labelled with the name kept in the tab's session storage
 * (`sbRowName`, set before each reload) first enters it (set up before each load of the page).
 */
const NOTE_ROW_SCRIPT =
  '(() => { const name = sessionStorage.getItem("sbRowName"); if (!name) return; const selector = `.part.sidebar .monaco-list-row[aria-label^="${name}, "]`;' +
  ' const seen = () => { if (window.sbRowAt === undefined && document.querySelector(selector)) { window.sbRowAt = Date.now(); performance.mark(`sbRow@${window.sbRowAt}`); } };' +
  ' new MutationObserver(seen).observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label"] }); })()';

/**
 * With BENCH_MARKS, also notes in the page when the workbench first sent the extension host its
 * request for the Agents view's children (`$getChildren` and the view's id, which the RPC message carries as text),
 * and how many such requests it sent before the row came.
 */
const NOTE_REQUEST_SCRIPT =
  '(() => { const method = new TextEncoder().encode("$getChildren"); const view = new TextEncoder().encode("switchboard.agents"); const send = WebSocket.prototype.send;' +
  ' const has = (bytes, name) => { outer: for (let i = 0; i + name.length <= bytes.length; i++) { for (let j = 0; j < name.length; j++) if (bytes[i + j] !== name[j]) continue outer; return true; } return false; };' +
  ' WebSocket.prototype.send = function (data) { if (window.sbRowAt === undefined && typeof data !== "string") {' +
  ' const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined;' +
  ' if (bytes && has(bytes, method) && has(bytes, view)) { window.sbAskedAt ??= Date.now(); window.sbAsked = (window.sbAsked ?? 0) + 1; } } return send.call(this, data); }; })()';

/** What a BENCH_TRACE trace records: the main thread's tasks, the page's marks, and samples of what its scripts ran. */
const TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'disabled-by-default-devtools.timeline', 'v8.execute', 'disabled-by-default-v8.cpu_profiler'];

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

/** The workbench's performance marks of the 3 s up to `until` (ms since the epoch), each as its time relative to it. */
async function marksBefore(page: Page, until: number): Promise<string> {
  const marks = (await page.evaluate('performance.getEntriesByType("mark").map((m) => [m.name, Math.round(performance.timeOrigin + m.startTime)])')) as [string, number][];
  return marks.filter(([name, at]) => at > until - 3000 && at <= until + 50 && !name.includes('WorkbenchContribution/')).map(([name, at]) => `${name} ${at - until}`).join(', ');
}

/** Waits until `check` is true (the logs are written a little after the fact). */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let t = 0; t < 300; t++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

runBench(async () => {
  await setupVscode();
  const vsix = VSIX ?? packageVsix();
  if (TRACE_DIR) fs.mkdirSync(TRACE_DIR, { recursive: true });
  const workspace = tempDir('sb-bench-hview-work-');
  const extensionsDir = tempDir('sb-bench-hview-ext-');
  const userDataDir = tempDir('sb-bench-hview-user-');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# bench\n');
  const stateDirs = new Map(COUNTS.map((count) => {
    const stateDir = tempDir(`sb-bench-hview-state${count}-`);
    fillHistory(stateDir, count);
    return [count, stateDir];
  }));
  await installExtension(vsix, extensionsDir, userDataDir);
  const settingsOf = (count: number): Record<string, unknown> => ({ 'switchboard.stateDirectory': stateDirs.get(count) });
  writeMachineSettings(userDataDir, settingsOf(COUNTS[0]!));
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings: settingsOf(COUNTS[0]!), ...(LOG_LEVEL ? { logLevel: LOG_LEVEL } : {}) });
  const browser = await launchBrowser();
  try {
    const page = await openWorkbench(browser, server.url, workspace);
    await page.context().addInitScript(NOTE_ROW_SCRIPT);
    if (MARKS) await page.context().addInitScript(NOTE_REQUEST_SCRIPT);
    await showSwitchboard(page);
    const fromHost = new Map<number, number[]>(COUNTS.map((c) => [c, []]));
    const fromActivate = new Map<number, number[]>(COUNTS.map((c) => [c, []]));
    const handed = new Map<number, number[]>(COUNTS.map((c) => [c, []]));
    let current = COUNTS[0]!;
    for (let i = 0; i < RELOADS; i++) {
      for (const count of COUNTS) {
        const name = `claude-${count}`;
        const stateDir = stateDirs.get(count)!;
        if (count !== current) {
          // The window in use opens the count's folder first (which also makes its record cache), so the reload reads the setting.
          const opened = openedFolders(userDataDir).length;
          writeMachineSettings(userDataDir, settingsOf(count));
          await until(() => openedFolders(userDataDir).slice(opened).includes(stateDir), `the window to open ${stateDir}`);
          current = count;
        }
        if (i === 0) await agentRow(page, name).waitFor({ timeout: 60_000 }); // the first open also makes the record cache
        await page.evaluate(`sessionStorage.setItem("sbRowName", ${JSON.stringify(name)})`);
        const before = { host: hostActivations(userDataDir).length, activate: activateCalls(userDataDir).length, handed: handedRows(userDataDir).length, folders: openedFolders(userDataDir).length };
        if (TRACE_DIR) await browser.startTracing(page, { path: path.join(TRACE_DIR, `${count}-${i + 1}.json`), categories: TRACE_CATEGORIES });
        await reloadWindow(page);
        await showSwitchboard(page);
        const shown = await rowsShown(page, name);
        if (TRACE_DIR) await browser.stopTracing();
        if (MARKS) console.log(`${count} runs, reload ${i + 1}: ${await marksBefore(page, shown)}, $getChildren first sent ${((await page.evaluate('window.sbAskedAt')) as number) - shown}, sent ${String(await page.evaluate('window.sbAsked'))} times before the row`);
        fromHost.get(count)!.push(shown - (await newest(() => hostActivations(userDataDir), before.host, 'activation of Switchboard in the extension host log')));
        // A build from before the extension logged its activate() call has only the first figure.
        const called = await newest(() => activateCalls(userDataDir), before.activate, 'activate() call in the Switchboard log').catch(() => undefined);
        if (called !== undefined) fromActivate.get(count)!.push(shown - called);
        const gave = await newest(() => handedRows(userDataDir), before.handed, 'first rows in the Switchboard log').catch(() => undefined);
        if (gave !== undefined) handed.get(count)!.push(gave);
        await until(() => openedFolders(userDataDir).length > before.folders, 'the reloaded window to log its state folder');
        const folder = openedFolders(userDataDir).at(-1);
        if (folder !== stateDir) throw new Error(`the reloaded window opened ${folder}, not ${stateDir}`);
      }
    }
    const list = (gaps: number[]): string => `${gaps.map((g) => `${g} ms`).join(', ')} (median ${median(gaps)} ms)`;
    for (const count of COUNTS) {
      const called = fromActivate.get(count)!;
      const gave = handed.get(count)!;
      const afterCall = called.length > 0 ? `${list(called)} after activate() is called (the rows handed to VS Code ${list(gave)} after it), ` : '';
      console.log(`history view: the Agents view shows its rows over ${count} finished runs ${afterCall}${list(fromHost.get(count)!)} after VS Code starts activating the extension (${RELOADS} reloads)`);
    }
  } finally {
    await browser.close();
    await server.stop();
  }
});
