/**
 * Teams in a real VS Code (code-server) driven by a real browser: a team run from the palette in a
 * real git repository, its planner's tasks going done in the Teams view, a worker's diff, the DAG,
 * a merge checked with git; a worker's discovery under its team, shown from its notification and
 * dismissed from its row; then a slow team given a task, the task cancelled, and the team shut
 * down from its context menu with its agents' processes gone; last, a team run by the CLI in a
 * terminal showing up. The agents are the scripted git worker (test/fixtures/gitWorker.mjs, through
 * support/teamWorker.mjs). Screenshots of each state go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { treeMembers } from '../../src/core/proc/killTree';
import type { RunRegistry } from '../../src/core/registry/registry';
import { readDiscoveries } from '../../src/core/discoveries/discoveryStore';
import { listTeams, loadTeam, type TeamRecord } from '../../src/core/teams/teamStore';
import { gitIn, makeRepo } from '../support/gitRepo';
import { CLI, pidAlive, until } from '../support/harness';
import { contextMenu, editorText, showSwitchboard } from './support/agentsView';
import { clickInlineAction, clickNotificationButton } from './support/goalsView';
import { openSwitchboard, screenshotIfFailed, type SwitchboardSession } from './support/session';
import { answerDialog, diffText, focusTeamsView, hoverText, pickQuickItems, teamRow, teamWorkerCommand, waitForTeamRow } from './support/teamsView';
import { answerQuickInput, pickQuickItem, reloadWindow, runCommand, screenshot, treeRows, waitForNotification } from './support/workbench';

const execFileAsync = promisify(execFile);
const SLOW_TASKS = [
  { id: 'S1', title: 'slow part one (sleep 30000)' },
  { id: 'S2', title: 'slow part two (sleep 30000)' },
];
const CHAIN_TASKS = [
  { id: 'C1', title: 'first step (sleep 6000)' },
  { id: 'C2', title: 'second step', depends_on: ['C1'] },
];
const DISCOVER_TASKS = [{ id: 'D1', title: 'look around', description: 'discover: The README has no install steps' }];

describe('Teams in a real VS Code', function () {
  this.timeout(240_000);
  let session: SwitchboardSession | undefined;
  let page: Page;
  let registry: RunRegistry;
  let stateDir: string;
  let workspace: string;

  before(async function () {
    this.timeout(30 * 60_000);
    // A real repository with one commit: each worker gets a worktree and a branch of it.
    workspace = makeRepo({ 'README.md': '# a project for a team\n', 'slow-tasks.json': `${JSON.stringify(SLOW_TASKS, null, 2)}\n`, 'chain-tasks.json': `${JSON.stringify(CHAIN_TASKS, null, 2)}\n`, 'discover-tasks.json': `${JSON.stringify(DISCOVER_TASKS, null, 2)}\n` });
    session = await openSwitchboard(workspace, {
      // A planner plans three independent tasks; a task whose title says "(sleep N)" takes N ms.
      'switchboard.runners.custom.command': teamWorkerCommand('--plan', '3'),
      'switchboard.killGraceSeconds': 2,
    });
    ({ page, registry, stateDir } = session);
  });

  after(async () => {
    await session?.close();
  });

  afterEach(async function () {
    await screenshotIfFailed(this, page, 'teams');
  });

  /** The team started after the `before` teams, once its record is on disk. */
  async function newTeam(before: string[]): Promise<string> {
    let name: string | undefined;
    await until(() => !!(name = listTeams(stateDir).find((n) => !before.includes(n))), 30_000, 'the team record');
    return name!;
  }

  const team = (name: string): TeamRecord => loadTeam(stateDir, name);

  /** Switchboard: Run Team… from the palette: the spec, the goal, where the tasks come from. */
  async function runTeamFromPalette(spec: string, goal: string, source: string): Promise<void> {
    await runCommand(page, 'Switchboard: Run Team…');
    await answerQuickInput(page, spec);
    await answerQuickInput(page, goal);
    await pickQuickItem(page, source);
  }

  it('the Teams view offers Run Team; the spec is checked as it is typed', async () => {
    await showSwitchboard(page);
    await focusTeamsView(page);
    await page.locator('.part.sidebar .welcome-view-content', { hasText: 'No teams yet' }).getByRole('button', { name: 'Run Team…' }).waitFor();
    await screenshot(page, 'teams-01-empty');
    await runCommand(page, 'Switchboard: Run Team…');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    assert.equal(await input.inputValue(), '2:executor');
    await input.fill('2:wizard');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'there is no role "wizard"' }).waitFor();
    await screenshot(page, 'teams-02-spec-checked');
    await page.keyboard.press('Escape');
  });

  it('a planned team from the palette: its tasks go done in the view; worker diffs, the DAG and a merge', async () => {
    await runTeamFromPalette('1:planner:custom,2:executor:custom', 'Write the three parts', 'Plan with a planner worker');
    const name = await newTeam([]);
    for (const id of ['T1', 'T2', 'T3']) await waitForTeamRow(page, `${id}: part ${id.slice(1)} of the goal`, 'done');
    const teamLabel = await waitForTeamRow(page, name, 'done');
    assert.match(teamLabel, /done · 3\/3 done · \$0\.00$/);
    const record = team(name);
    const byWorker = (w: string): string[] => record.tasks.filter((t) => t.worker === w).map((t) => t.id);
    // T1 and T2 start side by side; T3 goes to whoever is free first.
    const [busy, other] = byWorker('executor-1').length === 2 ? ['executor-1', 'executor-2'] : ['executor-2', 'executor-1'];
    assert.equal(byWorker(busy).length, 2, JSON.stringify(record.tasks));
    assert.equal(byWorker(other!).length, 1);
    assert.match(await waitForTeamRow(page, 'planner-1', 'done'), /plan done · planner · custom · switchboard\//);
    assert.match(await waitForTeamRow(page, busy, 'done'), new RegExp(`T\\d done · executor · custom · switchboard/${name}/${busy}$`));
    const rows = await treeRows(page, 'Teams');
    assert.ok(rows.some((r) => /^Workers 3$/.test(r)) && rows.some((r) => /^Tasks 3$/.test(r)), rows.join('\n'));
    assert.ok(rows.some((r) => r.startsWith('T1: part 1 of the goal executor-')), rows.join('\n'));
    await screenshot(page, 'teams-03-done');
    // Tooltips: the team's status as text; a task's dependencies and result.
    await teamRow(page, `${name},`).hover();
    await hoverText(page, `team ${name}: done — Write the three parts`);
    await screenshot(page, 'teams-03-team-tooltip');
    await teamRow(page, 'T3: part 3 of the goal,').hover();
    const tip = await hoverText(page, 'Changed files: T3.txt');
    assert.match(tip, /Depends on: nothing/);
    assert.match(tip, /Commit: [0-9a-f]{12}/);
    await screenshot(page, 'teams-03-task-tooltip');
    await page.keyboard.press('Escape');

    // The worker that did two tasks: both files, in the multi-file changes editor.
    await contextMenu(page, teamRow(page, `${busy},`), 'Open Worker Diff');
    const multi = page.locator('.editor-group-container.active .multiDiffEditor');
    for (const id of byWorker(busy)) await multi.getByText(`${id}.txt`).first().waitFor({ timeout: 30_000 });
    await multi.getByText(/done\sby\s.*worktrees/).first().waitFor();
    await screenshot(page, 'teams-04-worker-diff-multi');

    // The other: its one file, in a plain diff editor, from the palette.
    await runCommand(page, 'Switchboard: Open Worker Diff');
    await pickQuickItem(page, other!);
    const [only] = byWorker(other!);
    await page.locator('.tabs-container .tab', { hasText: `${only}.txt` }).first().waitFor();
    assert.match(await diffText(page, 'done by'), new RegExp(`done by .*worktrees/${name}/${other}`));
    await screenshot(page, 'teams-05-worker-diff-single');

    // The planner changed nothing.
    await runCommand(page, 'Switchboard: Open Worker Diff');
    await pickQuickItem(page, 'planner-1');
    await waitForNotification(page, 'has changed nothing since it left main');

    await contextMenu(page, teamRow(page, `${name},`), 'Show Team DAG');
    const dag = await editorText(page, 'critical path');
    assert.match(dag, new RegExp(`Team ${name}: done — Write the three parts`));
    for (const id of ['T1', 'T2', 'T3']) assert.match(dag, new RegExp(`✓ ${id}  part ${id.slice(1)} of the goal`));
    await screenshot(page, 'teams-06-dag');

    await runCommand(page, 'Switchboard: Merge Worker Branch…');
    await pickQuickItem(page, busy);
    await page.locator('.monaco-dialog-box').waitFor();
    await screenshot(page, 'teams-07-merge-asks');
    const question = await answerDialog(page, 'Merge');
    assert.match(question, new RegExp(`Merge switchboard/${name}/${busy} into main\\?`));
    await waitForNotification(page, `switchboard/${name}/${busy} was merged into main`);
    await screenshot(page, 'teams-08-merged');
    assert.match(gitIn(workspace, 'log', '-1', '--format=%P', 'main').trim(), /^[0-9a-f]+ [0-9a-f]+$/, 'a merge commit on main');
    assert.equal(gitIn(workspace, 'merge-base', '--is-ancestor', `switchboard/${name}/${busy}`, 'main'), '');
    for (const id of byWorker(busy)) assert.ok(fs.existsSync(path.join(workspace, `${id}.txt`)), `${id}.txt is in the workspace`);

    await contextMenu(page, teamRow(page, `${name},`), 'Show Team Merge Status');
    const status = await editorText(page, 'against the base');
    assert.match(status, /against the base \(main\)/);
    assert.match(status, new RegExp(`switchboard/${name}/${other}`));
    await screenshot(page, 'teams-09-merge-status');

    // The merged worker's worktree went with the merge, the planner's when the team ended (nothing
    // unmerged); the other's holds unmerged commits, so removing it asks first.
    const folder = team(name).workers.find((w) => w.name === other)!.folder!;
    assert.ok(fs.existsSync(folder) && !fs.existsSync(team(name).workers.find((w) => w.name === busy)!.folder!));
    await contextMenu(page, teamRow(page, `${name},`), 'Remove Team Worktrees…');
    await page.locator('.monaco-dialog-box').waitFor();
    await screenshot(page, 'teams-09b-remove-worktrees-asks');
    const ask = await answerDialog(page, 'Force Remove');
    assert.match(ask, new RegExp(`Kept 1 worktree of team ${name}\\. Force-remove it\\?.*${other}: .*not merged`, 'i'));
    await waitForNotification(page, `Removed 1 more worktree of team ${name}; the branches stay.`);
    assert.equal(fs.existsSync(folder), false);
    assert.match(gitIn(workspace, 'rev-parse', '--verify', `switchboard/${name}/${other}`), /^[0-9a-f]{40}$/, 'the branch stays');
    // Make room for the next team.
    await teamRow(page, `${name},`).locator('.monaco-tl-twistie').click();
  });

  it('work a worker reports shows under its team\'s Discoveries with a notification whose Show selects it; dismissed from its row with a reason', async () => {
    const before = listTeams(stateDir);
    await runTeamFromPalette('1:executor:custom', 'Look around', 'From a JSON file…');
    await pickQuickItem(page, 'discover-tasks.json');
    const name = await newTeam(before);
    const text = `An agent of team ${name} found work nobody planned: DSC-001 "The README has no install steps".`;
    await waitForNotification(page, text, 30_000);
    await clickNotificationButton(page, text, 'Show');
    await page.locator('.part.sidebar .monaco-list-row.selected[aria-label^="DSC-001: The README has no install steps, pending,"]').waitFor();
    assert.match(await waitForTeamRow(page, 'Discoveries', '1 pending of 1'), /^Discoveries, 1 pending of 1/);
    await screenshot(page, 'teams-09c-discovery');
    await clickInlineAction(page, teamRow(page, 'DSC-001: The README has no install steps, pending,'), 'Dismiss Discovery…');
    await answerQuickInput(page, 'Already in the wiki');
    assert.match(await waitForTeamRow(page, 'DSC-001: The README has no install steps', 'dismissed'), /dismissed: Already in the wiki · from D1$/);
    assert.deepEqual(readDiscoveries(stateDir, { team: name }).map((d) => [d.id, d.status, d.reason]), [['DSC-001', 'dismissed', 'Already in the wiki']]);
    await screenshot(page, 'teams-09d-discovery-dismissed');
    await waitForTeamRow(page, name, 'done', 30_000);
    await teamRow(page, `${name},`).locator('.monaco-tl-twistie').click();
  });

  it('a slow team from a tasks file: a task added and cancelled, then shut down from its menu, its agents gone', async () => {
    const before = listTeams(stateDir);
    await runTeamFromPalette('2:executor:custom', 'Slow work', 'From a JSON file…');
    await pickQuickItem(page, 'slow-tasks.json');
    const name = await newTeam(before);
    await waitForTeamRow(page, name, 'running');
    for (const task of SLOW_TASKS) await waitForTeamRow(page, `${task.id}: ${task.title}`, 'running');

    await runCommand(page, 'Switchboard: Add Task to Team…');
    await pickQuickItem(page, name);
    await answerQuickInput(page, 'follow-up');
    await pickQuickItems(page, ['S1']);
    assert.match(await waitForTeamRow(page, 'T3: follow-up', 'pending'), /after S1$/);
    await screenshot(page, 'teams-10-slow-running');
    await contextMenu(page, teamRow(page, 'T3: follow-up,'), 'Cancel Team Task');
    await waitForTeamRow(page, 'T3: follow-up', 'cancelled');

    await until(() => registry.list({ team: name, status: 'running' }).length === 2, 20_000, 'both workers running');
    // Each agent is a wrapper that starts its git worker; under load the workers may come a moment later.
    const runningTrees = () => registry.list({ team: name, status: 'running' }).flatMap((r) => treeMembers(r.agent!));
    await until(() => runningTrees().length >= 4, 20_000, 'two agents, each a wrapper and the git worker');
    const trees = runningTrees();
    await contextMenu(page, teamRow(page, `${name},`), 'Shut Down Team');
    await waitForTeamRow(page, name, 'interrupted', 60_000);
    for (const task of SLOW_TASKS) await waitForTeamRow(page, `${task.id}: ${task.title}`, 'cancelled');
    await until(() => trees.every((p) => !pidAlive(p.pid)), 20_000, 'every agent process to be gone');
    assert.equal(team(name).status, 'interrupted');
    assert.deepEqual(registry.list({ team: name, status: 'running' }), []);
    await screenshot(page, 'teams-11-shut-down');
  });

  it('a team run in a terminal (switchboard team run) shows up, runs and ends in the view', async () => {
    // The CLI reads its settings from the state folder, not from VS Code's.
    fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: teamWorkerCommand() } } }));
    const cli = execFileAsync(process.execPath, [CLI, 'team', 'run', '1:executor:custom', 'From the terminal (sleep 4000)', '--name', 'from-terminal', '--cwd', workspace], {
      env: { ...process.env, SWITCHBOARD_HOME: stateDir },
    });
    await waitForTeamRow(page, 'from-terminal', 'running', 30_000);
    await waitForTeamRow(page, 'T1: From the terminal (sleep 4000)', 'running');
    await screenshot(page, 'teams-12-from-terminal-running');
    await cli;
    assert.match(await waitForTeamRow(page, 'from-terminal', 'done', 30_000), /done · 1\/1 done/);
    await waitForTeamRow(page, 'T1: From the terminal (sleep 4000)', 'done');
    await screenshot(page, 'teams-13-from-terminal-done');
  });

  it('a team running when the window reloads is resumed by the new window and finishes', async () => {
    const before = listTeams(stateDir);
    await runTeamFromPalette('1:executor:custom', 'Two steps', 'From a JSON file…');
    await pickQuickItem(page, 'chain-tasks.json');
    const name = await newTeam(before);
    await waitForTeamRow(page, `C1: ${CHAIN_TASKS[0]!.title}`, 'running', 30_000);
    const firstOwner = team(name).owner!.pid;
    await reloadWindow(page);
    await showSwitchboard(page);
    await focusTeamsView(page);
    await waitForNotification(page, `Switchboard resumed team ${name}`);
    await screenshot(page, 'teams-14-resumed-after-reload');
    assert.match(await waitForTeamRow(page, name, 'done', 60_000), /done · 2\/2 done/);
    await waitForTeamRow(page, 'C2: second step', 'done');
    const record = team(name);
    assert.notEqual(record.owner!.pid, firstOwner, 'the new extension host runs it');
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status, t.attempts]), [['C1', 'done', 1], ['C2', 'done', 1]], 'the running step was not started again');
    await screenshot(page, 'teams-15-resumed-done');
  });
});
