/**
 * The DAG and budget report webviews measured in a real VS Code (code-server + Chromium). Prints: a
 * 1,000-task graph's first render, from the click that asks for its panel to the graph on screen (the
 * layout included: made by the host's layout worker, in the background for the newest teams from
 * soon after activation, or when the panel asks for it; where it came from is printed) for the first
 * panel after activation, the graph reopened, new teams, and older teams' graphs laid out when asked
 * by the warm worker; one node's status change on screen after its event, pan and zoom of a
 * 5,000-task graph in frames per second, and the budget chart drawing 10,000 points. The graphs are
 * team records written to the state folder (as a team that ran would leave them); a status change is
 * a record saved and its feed event. Run: `npm run build && node --import tsx bench/webviews.ts`.
 * BENCH_TRACE=<folder> also writes Chromium traces of the first render, the graph reopened and the
 * status changes there (open them in the Performance panel of Chrome's DevTools); BENCH_ONLY=1k
 * measures the 1,000-task graph only.
 */
import { performance } from 'node:perf_hooks';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import type { Task } from '../src/core/dag/task';
import { Feed } from '../src/core/feed/feed';
import { StateMap } from '../src/core/state/stateMap';
import { saveTeam, type TeamRecord } from '../src/core/teams/teamStore';
import type { BudgetReportView } from '../src/shared/protocol/budgetProtocol';
import { installExtension, setupVscode, startCodeServer } from '../test/e2e/support/codeServer';
import { packageVsix, writeMachineSettings } from '../test/e2e/support/extension';
import { showSwitchboard } from '../test/e2e/support/agentsView';
import { webviewFrame } from '../test/e2e/support/webview';
import { launchBrowser, openWorkbench, pickQuickItem, runCommand } from '../test/e2e/support/workbench';
import { median, runBench, tempDir } from './support';

const STATUSES: Task['status'][] = ['done', 'done', 'running', 'pending', 'failed', 'blocked', 'ready'];

/** A layered graph of `layers` × `width` tasks, each depending on one to three of the layer before (the same every run). */
function teamRecord(name: string, layers: number, width: number, workspace: string, seed = 7): TeamRecord {
  const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
  const tasks: Task[] = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      const deps = l === 0 ? [] : [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => `T${(l - 1) * width + Math.floor(random() * width) + 1}`))];
      tasks.push({ id: `T${l * width + i + 1}`, title: `step ${i + 1} of layer ${l + 1}`, dependsOn: deps, status: STATUSES[Math.floor(random() * STATUSES.length)]!, attempts: 1, worker: `executor-${(i % 8) + 1}` });
    }
  }
  const workers = Array.from({ length: 8 }, (_, i) => ({ name: `executor-${i + 1}`, role: 'executor', runner: 'claude', cwd: workspace }));
  return { version: 1, name, spec: '8:executor', task: `bench graph of ${tasks.length} tasks`, workspace, status: 'done', workers, tasks, createdAt: Date.now(), endedAt: Date.now() };
}

/** Frames of panels opened before (a closed panel's frame may linger a moment). */
const seen = new Set<Frame>();

type Metrics = { layoutMs: number[]; firstRenderAt?: number; firstRenderWallAt?: number; layoutFrom?: string; applyMs: number[]; updateMs: number[]; lastPaintedAt?: number; frames: number[]; chartMs: number[] };
const metricsOf = (frame: Frame): Promise<Metrics> => frame.evaluate('window.switchboardMetrics') as Promise<Metrics>;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A DAG panel opened from the palette; `ms`: from the click on the team's item to the graph on screen (both on the wall clock). */
async function openDag(page: Page, team: string): Promise<{ frame: Frame; ms: number; metrics: Metrics }> {
  await runCommand(page, 'Switchboard: Show DAG');
  let picked = 0;
  await pickQuickItem(page, team, () => (picked = Date.now()));
  const frame = await webviewFrame(page, `.dag .title:text-is("DAG: ${team}")`, 60_000, seen);
  seen.add(frame);
  await until(async () => {
    const failed = await frame.locator('.note', { hasText: 'could not be laid out' }).textContent({ timeout: 100 }).catch(() => null);
    if (failed) throw new Error(failed);
    return (await metricsOf(frame))?.firstRenderWallAt !== undefined;
  }, 600_000, 'the first render');
  const metrics = await metricsOf(frame);
  return { frame, ms: metrics.firstRenderWallAt! - picked, metrics };
}

const described = (opened: { ms: number; metrics: Metrics }): string => `${opened.ms.toFixed(0)} ms (the page started to drawn ${opened.metrics.firstRenderAt!.toFixed(0)} ms; layout ${opened.metrics.layoutFrom})`;

/** A key pressed on the graph (as the keyboard does when it has the focus). */
async function keyDown(frame: Frame, key: string): Promise<void> {
  await frame.evaluate(`document.querySelector('.stage').dispatchEvent(new KeyboardEvent('keydown', { key: '${key}', bubbles: true }))`);
}

async function closeEditor(page: Page): Promise<void> {
  await runCommand(page, 'View: Close Editor');
}

/** Frames per second the webview drew while the pointer pans (drags) and the wheel zooms, and its JS time per frame. */
async function panZoom(page: Page, frame: Frame): Promise<{ fps: number; p50: number; p95: number }> {
  const stage = frame.locator('.stage');
  const box = (await stage.boundingBox())!;
  await frame.evaluate(`(() => { const m = window.switchboardMetrics; m.frames.length = 0; window.sbFrames = 0; window.sbCounting = true; const loop = () => { window.sbFrames++; if (window.sbCounting) requestAnimationFrame(loop); }; requestAnimationFrame(loop); window.sbStart = performance.now(); })()`);
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await page.mouse.move(cx, cy);
  await page.mouse.down();
  for (let i = 0; i < 120; i++) await page.mouse.move(cx + Math.sin(i / 10) * 250, cy + Math.cos(i / 13) * 150);
  await page.mouse.up();
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, i < 20 ? -60 : 60);
  const { frames, elapsed, js } = (await frame.evaluate(`(() => { window.sbCounting = false; return { frames: window.sbFrames, elapsed: performance.now() - window.sbStart, js: window.switchboardMetrics.frames.slice() }; })()`)) as { frames: number; elapsed: number; js: number[] };
  const sorted = js.sort((a, b) => a - b);
  return { fps: (frames / elapsed) * 1000, p50: sorted[Math.floor(sorted.length / 2)] ?? 0, p95: sorted[Math.floor(sorted.length * 0.95)] ?? 0 };
}

const traceDir = process.env.BENCH_TRACE;

async function startTrace(browser: Browser, page: Page): Promise<void> {
  if (traceDir) await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'disabled-by-default-v8.cpu_profiler', 'v8.execute', 'blink.user_timing', 'cc', 'viz', 'gpu', 'benchmark'] });
}

async function stopTrace(browser: Browser, name: string): Promise<void> {
  if (!traceDir) return;
  fs.mkdirSync(traceDir, { recursive: true });
  fs.writeFileSync(path.join(traceDir, `${name}.json`), await browser.stopTracing());
}

async function traced<T>(browser: Browser, page: Page, name: string, work: () => Promise<T>): Promise<T> {
  await startTrace(browser, page);
  try {
    return await work();
  } finally {
    await stopTrace(browser, name);
  }
}

function budgetReport(points: number): BudgetReportView {
  const start = Date.now() - points * 1000;
  let reportedUsd = 0;
  let estimatedUsd = 0;
  let tokens = 0;
  const series = Array.from({ length: points }, (_, i) => {
    if (i % 3) reportedUsd += 0.0004;
    else estimatedUsd += 0.0003;
    tokens += 120;
    return { at: start + i * 1000, reportedUsd, estimatedUsd, tokens };
  });
  const line = (key: string) => ({ key, runs: 10, tokens: 1000, usd: 0.5, usdSource: 'reported' as const });
  return {
    key: 'today', title: 'Spend today (bench)', at: Date.now(), warnAt: 0.8, limits: { usd: 5, tokens: 1_500_000 }, remaining: {},
    spent: { usd: reportedUsd + estimatedUsd, reportedUsd, estimatedUsd, tokens, runs: points },
    series,
    checkpoints: [1, 2, 3, 4].map((q) => ({ label: `cp-${q}`, at: start + (q * points * 1000) / 5, status: 'running', usd: q, tokens: q * 300_000 })),
    breakdown: { runner: [line('claude')], model: [line('model')], worker: [line('executor-1')], task: [line('T1')] },
  };
}

runBench(async () => {
  await setupVscode();
  const vsix = packageVsix();
  const stateDir = tempDir('sb-bench-wv-state-');
  const workspace = tempDir('sb-bench-wv-work-');
  const extensionsDir = tempDir('sb-bench-wv-ext-');
  const userDataDir = tempDir('sb-bench-wv-user-');
  fs.writeFileSync(path.join(workspace, 'README.md'), '# bench\n');
  const small = teamRecord('bench-1k', 25, 40, workspace);
  saveTeam(stateDir, small);
  saveTeam(stateDir, teamRecord('bench-5k', 50, 100, workspace));
  await installExtension(vsix, extensionsDir, userDataDir);
  const settings = { 'switchboard.stateDirectory': stateDir };
  writeMachineSettings(userDataDir, settings);
  const server = await startCodeServer({ workspace, extensionsDir, userDataDir, settings });
  const browser = await launchBrowser();
  const feed = new Feed(new StateMap(stateDir));
  try {
    const page = await openWorkbench(browser, server.url, workspace);
    await showSwitchboard(page);
    await page.locator('.part.sidebar .monaco-list-row', { hasText: 'bench-5k' }).first().waitFor({ timeout: 60_000 });
    await runCommand(page, 'View: Close Primary Side Bar').catch(() => undefined);

    // 1,000 tasks: the first panel after activation, then the same graph reopened twice (its layout kept).
    const first = await traced(browser, page, 'first-render', () => openDag(page, 'bench-1k'));
    const frame = first.frame;
    console.log(`dag webview, 1,000 tasks, the first panel after activation: click to graph on screen ${described(first)} | load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);

    // One node's status change, ten times: the record saved and its feed event, as a team's process does.
    await keyDown(frame, 'ArrowRight'); // the first task selected: zoomed in to where tasks are elements
    const toScreen: number[] = [];
    await startTrace(browser, page);
    const applied: number[] = [];
    const fromEvent: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = (await metricsOf(frame)).updateMs.length;
      const task = small.tasks[i]!;
      task.status = task.status === 'done' ? 'failed' : 'done';
      saveTeam(stateDir, small);
      const at = Date.now();
      feed.append({ type: task.status === 'done' ? 'task.completed' : 'task.failed', key: `task:${small.name}/${task.id}`, entity: { team: small.name, task } });
      await until(async () => (await metricsOf(frame)).updateMs.length > before, 10_000, 'the node to change');
      const m = await metricsOf(frame);
      toScreen.push(m.updateMs.at(-1)!);
      applied.push(m.applyMs.at(-1)!);
      fromEvent.push(m.lastPaintedAt! - at);
    }
    await stopTrace(browser, 'status-change');
    console.log(
      `dag webview, one node's status change: on screen ${median(toScreen).toFixed(1)} ms after its message reached the webview (median of 10, worst ${Math.max(...toScreen).toFixed(1)} ms; applied to the page in ${median(applied).toFixed(1)} ms)` +
        ` | ${median(fromEvent).toFixed(0)} ms after its feed event (the Teams watcher batches changes for 250 ms)`,
    );
    const again: string[] = [];
    for (let i = 0; i < 2; i++) {
      await closeEditor(page);
      const reopened = await traced(browser, page, `reopened-${i + 1}`, () => openDag(page, 'bench-1k'));
      if (reopened.metrics.layoutMs.length) throw new Error('the kept layout was not used');
      again.push(described(reopened));
    }
    console.log(`dag webview, 1,000 tasks reopened (the layout kept by the host): click to graph on screen ${again.join(', ')}`);
    await closeEditor(page);

    // New 1,000-task teams (other tasks and edges): the host lays the newest teams' graphs out in the background as they come.
    const load = (): string => `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`;
    const fresh: { ms: number; metrics: Metrics }[] = [];
    for (let i = 1; i <= 3; i++) fresh.push(await openNew(`bench-1k-new${i}`, Date.now(), 100 + i));
    console.log(`dag webview, new 1,000-task teams opened 1 s after they came: click to graph on screen ${fresh.map(described).join(', ')} | median ${median(fresh.map((f) => f.ms)).toFixed(0)} ms | ${load()}`);
    // Older teams (not among the newest three): nothing laid out ahead, the warm worker lays the graph out when the panel asks.
    const asked: { ms: number; metrics: Metrics }[] = [];
    for (let i = 1; i <= 3; i++) asked.push(await openNew(`bench-1k-old${i}`, Date.now() - 86_400_000 - i, 200 + i));
    console.log(`dag webview, 1,000-task graphs laid out when their panel asks (warm worker): click to graph on screen ${asked.map(described).join(', ')} | median ${median(asked.map((f) => f.ms)).toFixed(0)} ms | ${load()}`);

    /** A team written now (made `createdAt`), told through the feed, and its DAG opened a second later. */
    async function openNew(name: string, createdAt: number, seed: number): Promise<{ ms: number; metrics: Metrics }> {
      const team = { ...teamRecord(name, 25, 40, workspace, seed), createdAt };
      saveTeam(stateDir, team);
      feed.append({ type: 'team.started', key: `team:${team.name}`, entity: { team: team.name } });
      await page.waitForTimeout(1000);
      const opened = await openDag(page, team.name);
      await closeEditor(page);
      return opened;
    }
    if (process.env.BENCH_ONLY === '1k') return;

    // 5,000 tasks: pan and zoom, at the fitted zoom (boxes on the canvas) and at 100% (node elements).
    const big = await openDag(page, 'bench-5k');
    const fitted = await panZoom(page, big.frame);
    await keyDown(big.frame, 'ArrowRight');
    await big.frame.locator('.node').first().waitFor();
    const full = await panZoom(page, big.frame);
    console.log(
      `dag webview, 5,000 tasks: first render ${described(big)}` +
        ` | pan+zoom zoomed out ${fitted.fps.toFixed(0)} fps (JS per frame p50 ${fitted.p50.toFixed(1)} ms, p95 ${fitted.p95.toFixed(1)} ms)` +
        ` | pan+zoom near 100% ${full.fps.toFixed(0)} fps (p50 ${full.p50.toFixed(1)} ms, p95 ${full.p95.toFixed(1)} ms)`,
    );
    await closeEditor(page);

    // The budget chart with 10,000 points: the report delivered to the webview as the host's messages are.
    await runCommand(page, "Switchboard: Show Budget Report of Today's Runs");
    const budget = await webviewFrame(page, '.budget .chart canvas', 60_000);
    const report = budgetReport(10_000);
    const chart: number[] = [];
    const painted: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = (await metricsOf(budget)).updateMs.length;
      await budget.evaluate(`window.postMessage(${JSON.stringify({ kind: 'notification', method: 'report', params: { ...report, at: Date.now() + i } })}, '*')`);
      await until(async () => (await metricsOf(budget)).updateMs.length > before, 30_000, 'the chart');
      const m = await metricsOf(budget);
      chart.push(m.chartMs.at(-1)!);
      painted.push(m.updateMs.at(-1)!);
    }
    console.log(`budget webview, 10,000 points: chart drawn in ${median(chart).toFixed(1)} ms (median of 5) | whole report on screen ${median(painted).toFixed(1)} ms after its message`);
  } finally {
    feed.dispose();
    await browser.close();
    await server.stop();
  }
});
