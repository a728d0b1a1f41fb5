/**
 * The DAG and budget report webviews in a real VS Code (code-server) driven by a real browser. A
 * team run by the CLI in a terminal (the scripted git worker; each task waits for a file the test
 * makes) is shown with Show DAG: its nodes change colour as tasks finish, updated in place with the
 * pan and zoom kept; a title and an output carrying HTML and script are shown as text and run
 * nothing; a double-click opens a task's output; Cancel Task and Retry Task from a node's context
 * menu; the panel comes back after Reload Window; a graph sent without its layout (the host's layout
 * worker failed) is laid out by the page itself. Then the budget report of a goal with a budget
 * warning checkpoint. Screenshots of each state go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { Feed } from '../../src/core/feed/feed';
import { saveGoal } from '../../src/core/goals/goalStore';
import { StateMap } from '../../src/core/state/stateMap';
import { loadTeam } from '../../src/core/teams/teamStore';
import { goalRecord } from '../support/goalRecord';
import { makeRepo } from '../support/gitRepo';
import { CLI, tempDir, until } from '../support/harness';
import { contextMenu, editorText, showSwitchboard } from './support/agentsView';
import { suiteSession } from './support/session';
import { focusView, waitForViewRow } from './support/sidebar';
import { teamWorkerCommand } from './support/teamsView';
import { webviewFrame, watchDialogs } from './support/webview';
import { pickQuickItem, reloadWindow, runCommand, screenshot } from './support/workbench';

const TEAM = 'wv';
const IMG = '<img src=x onerror=alert(1)>';
const SCRIPT = '</script><script>alert(1)</script>';

describe('The DAG and budget report webviews in a real VS Code', function () {
  this.timeout(240_000);
  const signals = tempDir('sb-e2e-signals-');
  const tasks = [
    { id: 'A', title: 'first step', description: `hold until ${path.join(signals, 'a.go')}` },
    { id: 'B', title: 'second step', depends_on: ['A'], description: `hold until ${path.join(signals, 'b.go')}` },
    { id: 'X', title: IMG, description: `discover: ${SCRIPT}` },
    { id: 'S', title: 'slow step', description: `hold until ${path.join(signals, 'never')}` },
  ];
  let workspace = '';
  const session = suiteSession('webviews', () => {
    workspace = makeRepo({ 'README.md': '# webviews\n', 'tasks.json': `${JSON.stringify(tasks, null, 2)}\n` });
    return { workspace, settings: { 'switchboard.runners.custom.command': teamWorkerCommand(), 'switchboard.killGraceSeconds': 1 } };
  });
  let page: Page;
  let cli: ChildProcess | undefined;
  let dialogs: string[];

  before(async () => {
    ({ page } = session());
    dialogs = watchDialogs(page);
    const { stateDir } = session();
    // The CLI reads its settings from the state folder, not from VS Code's.
    fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: teamWorkerCommand() } } }));
    cli = spawn(process.execPath, [CLI, 'team', 'run', '3:executor:custom', 'Show the graph', '--name', TEAM, '--tasks', 'tasks.json', '--cwd', workspace], {
      cwd: workspace,
      env: { ...process.env, SWITCHBOARD_HOME: stateDir },
      stdio: 'ignore',
    });
    // (Its folder comes a moment before its record.)
    const running = (): boolean => {
      try {
        return loadTeam(stateDir, TEAM).tasks.some((t) => t.status === 'running');
      } catch {
        return false;
      }
    };
    await until(running, 60_000, 'the team to start');
    await showSwitchboard(page);
  });

  after(() => {
    fs.writeFileSync(path.join(signals, 'a.go'), '');
    fs.writeFileSync(path.join(signals, 'b.go'), '');
    cli?.kill('SIGINT');
  });

  const node = (frame: Frame, id: string) => frame.locator(`.node[data-id="${id}"]`);
  const waitStatus = (frame: Frame, id: string, status: string, timeout = 60_000) => frame.locator(`.node[data-id="${id}"].s-${status}`).waitFor({ timeout });
  let dag: Frame;

  it('shows the running team\'s graph; nodes change colour in place as tasks finish, the pan and zoom kept', async () => {
    await runCommand(page, 'Switchboard: Show DAG');
    await pickQuickItem(page, TEAM);
    dag = await webviewFrame(page, '.node[data-id="A"]');
    await waitStatus(dag, 'A', 'running');
    await waitStatus(dag, 'X', 'done');
    assert.match((await node(dag, 'B').getAttribute('class')) ?? '', /s-pending/);
    assert.match((await node(dag, 'A').getAttribute('aria-label')) ?? '', /^A: first step, running, worker executor-\d \(custom\)/);
    await screenshot(page, 'webviews-01-dag-running');
    // Zoomed in a step, and the node marked: an update in place keeps both.
    await dag.locator('vscode-button[aria-label="Zoom in (+)"]').click();
    await dag.locator('.layer[style*="scale(1.25)"]').waitFor({ state: 'attached' });
    const transform = await dag.locator('.layer').getAttribute('style');
    await node(dag, 'B').evaluate((e) => e.setAttribute('data-mark', 'kept'));
    fs.writeFileSync(path.join(signals, 'a.go'), '');
    await waitStatus(dag, 'A', 'done');
    await waitStatus(dag, 'B', 'running');
    assert.equal(await node(dag, 'B').getAttribute('data-mark'), 'kept', 'the node was updated, not made again');
    assert.equal(await dag.locator('.layer').getAttribute('style'), transform, 'the pan and zoom stayed');
    await screenshot(page, 'webviews-02-dag-first-done');
  });

  it('shows a title and an output written as HTML and script as text, and runs nothing', async () => {
    const x = node(dag, 'X');
    assert.equal(await x.locator('.title').textContent(), IMG);
    assert.equal(await dag.locator('img').count(), 0, 'no element came from the title');
    await x.click();
    const output = dag.locator('.details pre.output');
    await output.filter({ hasText: SCRIPT }).waitFor({ timeout: 15_000 });
    assert.equal(await dag.locator('.details .task-title').textContent(), IMG);
    assert.equal(await dag.locator('script', { hasText: 'alert' }).count(), 0, 'no script came from the output');
    assert.deepEqual(dialogs, [], 'no alert opened');
    await screenshot(page, 'webviews-03-dag-xss-as-text');
  });

  it('opens a task\'s output on a double-click', async () => {
    await node(dag, 'A').dblclick();
    assert.match(await editorText(page, 'committed A.txt'), /committed A\.txt as [0-9a-f]+/);
    await screenshot(page, 'webviews-04-output-from-node');
  });

  it('cancels a task from its node\'s context menu, and tries it again', async () => {
    await page.locator('.tabs-container .tab', { hasText: /DAG: wv/ }).first().click();
    dag = await webviewFrame(page, '.node[data-id="S"]');
    await contextMenu(page, node(dag, 'S'), 'Cancel Team Task');
    await waitStatus(dag, 'S', 'cancelled', 30_000);
    await screenshot(page, 'webviews-05-cancelled-from-node');
    await contextMenu(page, node(dag, 'S'), 'Retry Task');
    // (The retried task's attempts and new run are checked in-host, test/vscode/panels.test.ts.)
    await waitStatus(dag, 'S', 'running', 30_000);
    await node(dag, 'S').click();
    await dag.locator('.details vscode-button', { hasText: 'Cancel Task' }).click();
    await waitStatus(dag, 'S', 'cancelled', 30_000);
  });

  it('comes back after Reload Window, and follows the team to its end', async () => {
    await reloadWindow(page);
    dag = await webviewFrame(page, '.node[data-id="B"].s-running', 60_000);
    await screenshot(page, 'webviews-06-restored-after-reload');
    fs.writeFileSync(path.join(signals, 'b.go'), '');
    await waitStatus(dag, 'B', 'done');
    await until(() => loadTeam(session().stateDir, TEAM).status !== 'running', 30_000, 'the team to end');
    await dag.locator('.team-status', { hasText: /^(done|failed)/ }).waitFor({ timeout: 30_000 });
    await screenshot(page, 'webviews-07-dag-ended');
  });

  it('lays a graph out itself (ELK loaded into the page) when the host sends it without a layout, as it does when its layout worker fails', async () => {
    assert.equal(await dag.locator('script[src*="dagElk.js"]').count(), 0, 'the page loads ELK only when it lays out itself');
    const task = (id: string, dependsOn: string[]) => ({ id, title: `fallback ${id}`, status: 'done', dependsOn, attempts: 1 });
    const graph = { key: `team:${TEAM}`, title: `DAG: ${TEAM}`, team: TEAM, status: 'done', active: false, critical: [], at: Date.now(), nodes: [task('F1', []), task('F2', ['F1']), task('F3', ['F1', 'F2'])] };
    await dag.evaluate(`window.postMessage(${JSON.stringify({ kind: 'notification', method: 'graph', params: graph })}, '*')`);
    const laidOut = (): Promise<boolean> => dag.evaluate('window.switchboardMetrics.layoutMs.length > 0 || /could not be laid out/.test(document.querySelector(".note").textContent)') as Promise<boolean>;
    for (const deadline = Date.now() + 60_000; !(await laidOut()); await page.waitForTimeout(100)) assert.ok(Date.now() < deadline, 'the page laid the graph out');
    assert.doesNotMatch((await dag.locator('.note').textContent()) ?? '', /could not be laid out/);
    // (A new graph keeps the pan and zoom: Fit brings it into view.)
    await dag.locator('vscode-button[aria-label^="Fit"]').click();
    await node(dag, 'F3').waitFor();
    const x = async (id: string) => (await node(dag, id).boundingBox())!.x;
    const [x1, x2, x3] = [await x('F1'), await x('F2'), await x('F3')];
    assert.ok(x1 < x2 && x2 < x3, `laid out left to right (${x1}, ${x2}, ${x3})`);
    assert.equal(await dag.evaluate('window.switchboardMetrics.layoutMs.length'), 1);
    await screenshot(page, 'webviews-07b-dag-laid-out-by-the-page');
  });

  it('shows the budget report of a goal with a budget warning checkpoint', async () => {
    const now = Date.now();
    const checkpoint = (label: string, minutes: number, usd: number, status: 'running' | 'paused' = 'running') => ({ label, at: now - (30 - minutes) * 60_000, status, phase: 'execution' as const, elapsedMs: minutes * 60_000, usedTokens: Math.round(usd * 40_000), usedUsd: usd, usdEstimated: false, budgetUsd: 2 });
    saveGoal(session().stateDir, goalRecord({
      id: 'goal-20261206-b4dg37', originalGoal: 'Spend carefully', normalizedGoal: 'Spend carefully', status: 'paused', createdAt: now - 30 * 60_000, updatedAt: now, pausedAt: now,
      workspace, budgetUsd: 2, warned: ['usd'],
      checkpoints: [checkpoint('goal_created', 0, 0), checkpoint('iteration_ended', 10, 0.9), checkpoint('budget_warning', 20, 1.7), checkpoint('paused', 25, 1.75, 'paused')],
    }));
    // Told through the feed, as another process that made a goal would.
    const feed = new Feed(new StateMap(session().stateDir));
    feed.append({ type: 'goal.created', key: 'goal:goal-20261206-b4dg37', entity: { id: 'goal-20261206-b4dg37' } });
    feed.dispose();
    await focusView(page, 'Goals', 520);
    await waitForViewRow(page, 'Goals', 'Spend carefully', 'paused');
    await runCommand(page, 'Switchboard: Show Budget Report');
    await pickQuickItem(page, 'Spend carefully');
    const budget = await webviewFrame(page, '.budget .checkpoints table');
    const rows = await budget.locator('.checkpoints tbody tr').allInnerTexts();
    assert.equal(rows.length, 4);
    assert.match(rows[2]!, /^budget_warning\s.+\srunning\s+\$1\.70/);
    assert.match(await budget.locator('.summary').innerText(), /Dollars left\s+\$2\.00\s+of \$2\.00/);
    assert.ok(await budget.locator('.chart canvas').count(), 'the chart is drawn');
    await budget.locator('.timeline').waitFor();
    await screenshot(page, 'webviews-08-budget-warning');
  });
});
