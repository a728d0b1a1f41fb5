/**
 * Goals in a real VS Code (code-server) driven by a real browser, in a real git repository, the
 * agents being the scripted git worker (test/fixtures/gitWorker.mjs through support/teamWorker.mjs):
 * New Goal from the palette with a gate that passes only once the second iteration's fix task
 * wrote its file, the goal going ready with its iterations failed then passed and its proof; a
 * required gate failing five times in a row, its breaker Open in the view and reset from its row,
 * after which the goal goes on; a goal out of its time budget given more from the notification's
 * Extend…; and a goal run by the CLI in a terminal followed through the feed. Screenshots of each
 * state go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { Breakers } from '../../src/core/gates/breakers';
import { listGoals, loadGoal } from '../../src/core/goals/goalStore';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { makeRepo } from '../support/gitRepo';
import { CLI, tempDir, until } from '../support/harness';
import { contextMenu, editorText, showSwitchboard } from './support/agentsView';
import { clearNotifications, clickInlineAction, clickNotificationButton, focusGoalsView, goalRow, newGoalFromPalette, newGoalId as newGoal, waitForGoalRow, waitForStep } from './support/goalsView';
import { openSwitchboard, screenshotIfFailed, type SwitchboardSession } from './support/session';
import { answerDialog, hoverText, teamWorkerCommand } from './support/teamsView';
import { pickQuickItem, reloadWindow, runCommand, screenshot, waitForNotification } from './support/workbench';

const execFileAsync = promisify(execFile);
const SLOW_TASKS = [{ id: 'S1', title: 'the slow part (sleep 20000)' }];
const RELOAD_TASKS = [{ id: 'R1', title: 'outlive the window (sleep 8000)' }];
/** A gate passing only once T2.txt is on the goal branch: the fix task of the second iteration writes it. */
const T2_GATE = `t2=node -e "process.exit(require('fs').existsSync('T2.txt')?0:1)"`;

describe('Goals in a real VS Code', function () {
  this.timeout(240_000);
  let session: SwitchboardSession | undefined;
  let page: Page;
  let stateDir: string;
  let workspace: string;

  before(async function () {
    this.timeout(30 * 60_000);
    workspace = makeRepo({ 'README.md': '# a project with goals\n', 'slow.tasks.json': `${JSON.stringify(SLOW_TASKS, null, 2)}\n`, 'reload.tasks.json': `${JSON.stringify(RELOAD_TASKS, null, 2)}\n` });
    session = await openSwitchboard(workspace, {
      // A planner plans one task (T1); a fix task (T2, …) writes its own file; "(sleep N)" in a task takes N ms.
      'switchboard.runners.custom.command': teamWorkerCommand('--plan', '1'),
      'switchboard.killGraceSeconds': 2,
    });
    ({ page, stateDir } = session);
  });

  after(async () => {
    await session?.close();
  });

  afterEach(async function () {
    await screenshotIfFailed(this, page, 'goals');
  });

  const newGoalId = (before: string[]): Promise<string> => newGoal(stateDir, before);

  const goal = (id: string): GoalRecord => loadGoal(stateDir, id);

  it('the Goals view offers New Goal; budgets are checked as they are typed', async () => {
    await showSwitchboard(page);
    await focusGoalsView(page);
    await page.locator('.part.sidebar .welcome-view-content', { hasText: 'No goals yet' }).getByRole('button', { name: 'New Goal…' }).waitFor();
    await screenshot(page, 'goals-01-empty');
    await runCommand(page, 'Switchboard: New Goal…');
    await waitForStep(page, 'New Goal: objective');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.fill('Anything');
    await input.press('Enter');
    await waitForStep(page, 'New Goal: time budget');
    await input.fill('8 hours');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'is not a time budget' }).waitFor();
    await screenshot(page, 'goals-02-time-checked');
    await input.fill('8h');
    await input.press('Enter');
    await waitForStep(page, 'New Goal: dollar budget');
    await input.fill('-3');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'more than zero' }).waitFor();
    await page.keyboard.press('Escape');
    assert.deepEqual(listGoals(stateDir), [], 'nothing started');
  });

  it('a goal from the palette goes ready: its first iteration failed its gate, the second passed; its proof', async () => {
    await newGoalFromPalette(page, { objective: 'Write the parts', time: '1h', usd: '5', runner: 'custom', addGates: [T2_GATE, 'style=false'], editGates: [{ name: 'style', optional: true, timeout: '30s' }], tasks: 'Plan with a planner worker', untilReady: 5 });
    const id = await newGoalId([]);
    const label = await waitForGoalRow(page, 'Write the parts', 'ready', 60_000);
    assert.match(label, /ready · proof · iteration 2\/5 · \$0\.00\/\$5\.00 · \d+s\/1h$/);
    await waitForGoalRow(page, 'Iteration 1', 'failed');
    await waitForGoalRow(page, 'Iteration 2', 'passed');
    assert.match(await waitForGoalRow(page, 't2', 'Closed'), /Closed · last passed in/);
    await waitForGoalRow(page, 'T1: part 1 of the goal', 'done');
    await waitForGoalRow(page, 'T2: Make the "t2" check pass', 'done');
    await waitForGoalRow(page, 'proof.json', 'proof');
    const record = goal(id);
    assert.equal(record.status, 'ready');
    assert.deepEqual(record.gates, [{ name: 't2', command: `node -e "process.exit(require('fs').existsSync('T2.txt')?0:1)"`, required: true }, { name: 'style', command: 'false', required: false, timeoutMs: 30_000 }]);
    assert.equal(record.budgetTime, '1h');
    assert.equal(record.budgetUsd, 5);
    await waitForNotification(page, 'Goal "Write the parts" is ready');
    await screenshot(page, 'goals-03-ready');
    await clickNotificationButton(page, 'Goal "Write the parts" is ready', 'Show Proof');
    const proof = await editorText(page, 'Proof of');
    assert.match(proof, /ready: every required gate passed/);
    assert.match(proof, /t2: passed/);
    await screenshot(page, 'goals-04-proof');
    await clearNotifications(page);
    await goalRow(page, 'Write the parts, ready,').hover();
    const tip = await hoverText(page, 'Branch: switchboard/goal/');
    assert.match(tip, /Phase: proof, iteration 2 of at most 5, until ready/);
    await screenshot(page, 'goals-05-tooltip');
    await page.keyboard.press('Escape');
    // Make room for the next goals.
    await goalRow(page, 'Write the parts, ready,').locator('.monaco-tl-twistie').click();
  });

  it('a gate failing five times opens its breaker: Open in the view, reset from its row, and the goal goes on', async () => {
    const flag = path.join(tempDir('sb-e2e-flag-'), 'fixed');
    const before = listGoals(stateDir);
    await newGoalFromPalette(page, { objective: 'Pass the flaky check', runner: 'custom', addGates: [`flag=node -e "process.exit(require('fs').existsSync('${flag}')?0:1)"`], tasks: 'Plan with a planner worker', untilReady: 6 });
    const id = await newGoalId(before);
    const label = await waitForGoalRow(page, 'Pass the flaky check', 'blocked_on_external', 90_000);
    // The same failure three iterations in a row: the row says it goes in circles, too.
    assert.match(label, /blocked_on_external · stagnant \(RepeatedFailure\) · verification_design · iteration 6\/6/);
    assert.match(await waitForGoalRow(page, 'flag', 'Open'), /Open · 5 failures in a row · last failed with exit code 1/);
    for (const n of [1, 2, 3, 4, 5]) await waitForGoalRow(page, `Iteration ${n}`, 'failed');
    await waitForGoalRow(page, 'Iteration 6', 'blocked');
    await waitForNotification(page, 'Goal "Pass the flaky check" is blocked: the circuit breaker of gate "flag" is open');
    assert.equal(new Breakers(stateDir, workspace).view('flag')?.state, 'Open');
    await screenshot(page, 'goals-06-breaker-open');
    // What the gate checks is put right; then the breaker is reset from its row.
    fs.writeFileSync(flag, 'fixed\n');
    await clickInlineAction(page, goalRow(page, 'flag, Open,'), 'Reset Gate');
    await waitForNotification(page, 'Reset the breaker of "flag" (was Open) to Closed.');
    assert.match(await waitForGoalRow(page, 'Pass the flaky check', 'ready', 60_000), /ready · proof · iteration 6\/6/);
    await waitForGoalRow(page, 'Iteration 6', 'passed');
    assert.match(await waitForGoalRow(page, 'flag', 'Closed'), /Closed · last passed/);
    assert.equal(goal(id).status, 'ready');
    await screenshot(page, 'goals-07-breaker-reset-ready');
    await clearNotifications(page);
    await goalRow(page, 'Pass the flaky check, ready,').locator('.monaco-tl-twistie').click();
  });

  it('a goal out of its time budget: Extend… from the notification gives it more and it goes on to ready', async () => {
    const before = listGoals(stateDir);
    await newGoalFromPalette(page, { objective: 'Slow work', time: '10s', runner: 'custom', addGates: ['ok=node -e 0'], tasks: 'slow.tasks.json' });
    const id = await newGoalId(before);
    await waitForGoalRow(page, 'S1: the slow part (sleep 20000)', 'running', 30_000);
    // While it works, the status bar tells what goals spend.
    await page.locator('.part.statusbar').getByText(/today · goals \$0\.00/).waitFor();
    await screenshot(page, 'goals-08-slow-running');
    await waitForNotification(page, 'Goal "Slow work" has spent most of its budget: time 80%', 30_000);
    await waitForNotification(page, 'Goal "Slow work" stopped: its time budget is spent.', 30_000);
    assert.match(await waitForGoalRow(page, 'Slow work', 'needs_more_budget'), /needs_more_budget · execution · iteration 1\/5 · \d+s\/10s$/);
    await screenshot(page, 'goals-09-budget-exhausted');
    await clickNotificationButton(page, 'Goal "Slow work" stopped', 'Extend…');
    for (const [step, answer] of [['dollars', ''], ['tokens', ''], ['time', '+2m']] as const) {
      await waitForStep(page, `Extend the budget of ${id}: ${step}`);
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.fill(answer);
      await input.press('Enter');
    }
    await waitForNotification(page, 'Goal "Slow work" has more budget');
    await waitForGoalRow(page, 'Slow work', 'running');
    await screenshot(page, 'goals-10-extended');
    assert.match(await waitForGoalRow(page, 'Slow work', 'ready', 90_000), /ready · proof · iteration 1\/5 · [\dms]+\/2m10s$/);
    const record = goal(id);
    assert.equal(record.budgetTimeMs, 130_000);
    assert.ok(record.checkpoints.some((c) => c.label === 'budget_extended'));
    await screenshot(page, 'goals-11-extended-ready');
    await clearNotifications(page);
    await goalRow(page, 'Slow work, ready,').locator('.monaco-tl-twistie').click();
  });

  it('a goal at work: the DAG of its team and its gates run from its menu, paused from its row, resumed from the palette, cancelled', async () => {
    const before = listGoals(stateDir);
    await newGoalFromPalette(page, { objective: 'Slow again', runner: 'custom', addGates: ['ok=node -e 0'], tasks: 'slow.tasks.json' });
    const id = await newGoalId(before);
    await waitForGoalRow(page, 'S1: the slow part (sleep 20000)', 'running', 30_000);
    await contextMenu(page, goalRow(page, 'Slow again,'), 'Show Goal Team DAG');
    assert.match(await editorText(page, 'critical path'), new RegExp(`Team ${id}-1: running`));
    await contextMenu(page, goalRow(page, 'Slow again,'), 'Run Gates Now');
    const run = await editorText(page, 'gate(s) passed');
    assert.match(run, /PASS {2}ok: passed in/);
    assert.match(run, /1 of 1 gate\(s\) passed; every required gate passed/);
    await screenshot(page, 'goals-12-gates-run');
    await clickInlineAction(page, goalRow(page, 'Slow again,'), 'Pause Goal');
    await waitForGoalRow(page, 'Slow again', 'paused', 30_000);
    await waitForGoalRow(page, 'S1: the slow part (sleep 20000)', 'cancelled');
    await until(() => session!.registry.list({ goal: id, status: 'running' }).length === 0, 20_000, 'its agents to stop');
    await screenshot(page, 'goals-13-paused');
    await runCommand(page, 'Switchboard: Resume Goal');
    await pickQuickItem(page, 'Slow again');
    await waitForGoalRow(page, 'Slow again', 'running');
    await waitForGoalRow(page, 'S1: the slow part (sleep 20000)', 'running', 30_000);
    await contextMenu(page, goalRow(page, 'Slow again,'), 'Cancel Goal');
    assert.match(await answerDialog(page, 'Cancel Goal'), /Cancel goal "Slow again"\?/);
    await waitForGoalRow(page, 'Slow again', 'cancelled', 30_000);
    await until(() => session!.registry.list({ goal: id, status: 'running' }).length === 0, 20_000, 'its agents to stop');
    assert.equal(goal(id).status, 'cancelled');
    await screenshot(page, 'goals-14-cancelled');
    // Ended: its checkout goes from its row, its branch stays.
    const checkout = goal(id).checkout;
    assert.ok(fs.existsSync(checkout));
    await contextMenu(page, goalRow(page, 'Slow again, cancelled,'), 'Remove Goal Worktrees…');
    await waitForNotification(page, `Removed 1 of 1 worktree(s) of goal ${id}; its work stays on switchboard/goal/${id}.`);
    assert.ok(!fs.existsSync(checkout));
    await screenshot(page, 'goals-15-worktrees-removed');
    await clearNotifications(page);
    await goalRow(page, 'Slow again, cancelled,').locator('.monaco-tl-twistie').click();
  });

  it('a goal at work when the window reloads is taken over by the new window and goes on to ready', async () => {
    const before = listGoals(stateDir);
    await newGoalFromPalette(page, { objective: 'Outlive a reload', runner: 'custom', addGates: ['ok=node -e 0'], tasks: 'reload.tasks.json' });
    const id = await newGoalId(before);
    await waitForGoalRow(page, 'R1: outlive the window (sleep 8000)', 'running', 30_000);
    const firstOwner = goal(id).owner!.pid;
    await reloadWindow(page);
    await showSwitchboard(page);
    await focusGoalsView(page);
    await waitForNotification(page, 'Switchboard took over goal "Outlive a reload"', 30_000);
    await screenshot(page, 'goals-15-taken-over');
    await waitForGoalRow(page, 'Outlive a reload', 'ready', 60_000);
    const record = goal(id);
    assert.notEqual(record.owner?.pid, firstOwner, 'the new extension host ran it');
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status, t.attempts]), [['R1', 'done', 1]], 'the running task was not started again');
    await screenshot(page, 'goals-16-taken-over-ready');
    await clearNotifications(page);
    await goalRow(page, 'Outlive a reload, ready,').locator('.monaco-tl-twistie').click();
  });

  it('a goal run by the CLI in a terminal shows up, and its end is told', async () => {
    // The CLI reads its settings from the state folder, not from VS Code's.
    fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: teamWorkerCommand('--plan', '1') } } }));
    const cli = execFileAsync(process.execPath, [CLI, 'goal', 'create', 'From the terminal', '--runner', 'custom', '--gate', 'ok=node -e 0', '--cwd', workspace], { env: { ...process.env, SWITCHBOARD_HOME: stateDir } });
    await cli;
    await waitForGoalRow(page, 'From the terminal', 'ready', 30_000);
    await waitForNotification(page, 'Goal "From the terminal" is ready');
    await screenshot(page, 'goals-17-from-terminal');
  });
});
