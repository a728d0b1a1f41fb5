/**
 * A goal's forensics and emergent work in a real VS Code (code-server) driven by a real browser, in
 * a real git repository, the agents being the scripted git worker (test/fixtures/gitWorker.mjs
 * through support/teamWorker.mjs): work an agent reports in a fenced block shows up under its goal
 * with a notification, one discovery is promoted from its row and its task runs and lands on the
 * goal branch, another is dismissed with a reason; the goal's replay and budget report open as
 * documents; a rollback from its Checkpoints node puts the branch back, the work it left kept under
 * the ref the answer names (checked with git); and a goal whose agents undo each other's change is
 * shown going in circles, with a notification whose Diagnose opens the diagnosis, and Recover… rolls
 * it back to before the circle; Roll Back Goal… from the palette offers its checkpoints. Screenshots
 * go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import type { Page } from 'playwright-core';
import { readDiscoveries } from '../../src/core/discoveries/discoveryStore';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { listGoals, loadGoal } from '../../src/core/goals/goalStore';
import { gitIn, makeRepo } from '../support/gitRepo';
import { tempDir } from '../support/harness';
import { contextMenu, editorText, showSwitchboard } from './support/agentsView';
import { clearNotifications, clickInlineAction, clickNotificationButton, focusGoalsView, goalRow, newGoalFromPalette, newGoalId as newGoal, waitForGoalRow, waitForStep } from './support/goalsView';
import { openSwitchboard, screenshotIfFailed, type SwitchboardSession } from './support/session';
import { answerDialog, hoverText, teamWorkerCommand } from './support/teamsView';
import { answerQuickInput, pickQuickItem, runCommand, screenshot, waitForNotification } from './support/workbench';

/** Passes once the promoted discovery's task wrote its file on the goal branch. */
const DSC_GATE = `dsc=node -e "process.exit(require('fs').existsSync('DSC-001.txt')?0:1)"`;
/** Always fails, printing what config.txt says (so its failures differ as the agents flip it). */
const CONFIG_GATE = `config=node -e "console.log(require('fs').readFileSync('config.txt','utf8')); process.exit(1)"`;
const FOUND = 'DSC-001: The rate limit config is missing';
const FLAKY = 'DSC-002: A flaky test in CI';
const CIRCLES = 'Settle the config (toggle config.txt)';
/** An editor's text as one line (the editor wraps Markdown's long lines where it likes). */
const unwrapped = (text: string): string => text.replace(/\n/g, '');

describe('Goal forensics and discoveries in a real VS Code', function () {
  this.timeout(240_000);
  let session: SwitchboardSession | undefined;
  let page: Page;
  let stateDir: string;
  let workspace: string;
  /** T2 of the first goal holds its worker (and so the goal's team) until this file exists. */
  const release = path.join(tempDir('sb-e2e-hold-'), 'decided');
  let found: string;

  before(async function () {
    this.timeout(30 * 60_000);
    const discover = [
      { id: 'T1', title: 'look around', description: 'discover: The rate limit config is missing\ndiscover: A flaky test in CI' },
      { id: 'T2', title: 'wait for a decision', description: `hold until ${release}` },
    ];
    workspace = makeRepo({ 'README.md': '# a project that finds more work\n', 'config.txt': 'off\n', 'discover.tasks.json': `${JSON.stringify(discover, null, 2)}\n`, 'config.tasks.json': `${JSON.stringify([{ id: 'C1', title: 'set the config' }], null, 2)}\n` });
    session = await openSwitchboard(workspace, { 'switchboard.runners.custom.command': teamWorkerCommand(), 'switchboard.killGraceSeconds': 2 });
    ({ page, stateDir } = session);
  });

  after(async () => {
    await session?.close();
  });

  afterEach(async function () {
    await screenshotIfFailed(this, page, 'forensics');
  });

  const newGoalId = (before: string[]): Promise<string> => newGoal(stateDir, before);

  const goal = (id: string): GoalRecord => loadGoal(stateDir, id);

  it('work an agent reports shows under its goal with a notification; promoted from its row, its task runs; another is dismissed with a reason', async () => {
    await showSwitchboard(page);
    await focusGoalsView(page);
    await newGoalFromPalette(page, { objective: 'Find more work', agents: '2', runner: 'custom', addGates: [DSC_GATE], tasks: 'discover.tasks.json' });
    found = await newGoalId([]);
    await waitForNotification(page, `An agent of goal "Find more work" found work nobody planned: DSC-001 "The rate limit config is missing".`, 30_000);
    await waitForGoalRow(page, FOUND, 'pending');
    assert.match(await waitForGoalRow(page, FLAKY, 'pending'), /pending · from T1$/);
    await waitForGoalRow(page, 'Discoveries', '2 pending of 2');
    await screenshot(page, 'forensics-01-discoveries');

    // Promoted from its row, after nothing: the team at work takes it at once.
    await clickInlineAction(page, goalRow(page, `${FOUND}, pending,`), 'Promote Discovery…');
    await waitForStep(page, 'Promote DSC-001 "The rate limit config is missing": dependencies');
    await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    await waitForGoalRow(page, FOUND, 'promoted');
    await waitForGoalRow(page, FOUND, 'done', 30_000); // its row under Tasks
    await screenshot(page, 'forensics-02-promoted-done');

    await clickInlineAction(page, goalRow(page, `${FLAKY}, pending,`), 'Dismiss Discovery…');
    await waitForStep(page, 'Dismiss DSC-002');
    await answerQuickInput(page, 'Tracked elsewhere');
    assert.match(await waitForGoalRow(page, FLAKY, 'dismissed'), /dismissed: Tracked elsewhere · from T1$/);
    assert.deepEqual(readDiscoveries(stateDir, { goal: found }).map((d) => [d.id, d.status, d.promotedTask ?? d.reason]), [['DSC-001', 'promoted', 'DSC-001'], ['DSC-002', 'dismissed', 'Tracked elsewhere']]);

    fs.writeFileSync(release, 'go\n');
    await waitForGoalRow(page, 'Find more work', 'ready', 60_000);
    const record = goal(found);
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done'], ['DSC-001', 'done']]);
    assert.ok(gitIn(workspace, 'ls-tree', '--name-only', record.branch).split('\n').includes('DSC-001.txt'), 'the promoted task\'s work is on the goal branch');
    await screenshot(page, 'forensics-03-ready');
    // (Hovered once the goal is ready: a goal at work redraws its rows every second, for its clock.)
    await goalRow(page, `${FLAKY}, dismissed,`).hover();
    const tip = await hoverText(page, 'Dismissed because: Tracked elsewhere');
    assert.match(tip, /found while doing T1/);
    assert.match(tip, /During task: T1/);
    assert.match(tip, /in the agent's output/);
    await screenshot(page, 'forensics-03-discovery-tooltip');
    await page.keyboard.press('Escape');
    await clearNotifications(page);
  });

  it('the goal\'s replay and budget report open as Markdown documents', async () => {
    await runCommand(page, 'Switchboard: Show Goal Replay');
    await pickQuickItem(page, 'Find more work');
    // Markdown wraps its long lines in the editor: the text is read unwrapped.
    const replay = unwrapped(await editorText(page, `# Replay of ${found}`));
    assert.match(replay, /\| goal_created \|/);
    assert.match(replay, /\| discovery_created \| +\| [^|]*DSC-001 "The rate limit config is missing" pending \|/);
    await screenshot(page, 'forensics-04-replay');
    await contextMenu(page, goalRow(page, 'Find more work, ready,'), 'Show Budget Report as Text');
    const budget = unwrapped(await editorText(page, `# Budget of ${found}`));
    assert.match(budget, /## Checkpoints/);
    assert.match(budget, /goal_created +\S+ +running/);
    assert.match(budget, /## By runner *- custom: \$[\d.]+ \(\w+\), \d+ tokens, \d+ run\(s\)/);
    await screenshot(page, 'forensics-05-budget');
  });

  it('a rollback from the Checkpoints node: asked first, the branch goes back, the work it left stays under the ref the answer names', async () => {
    const before = goal(found);
    const cp1 = before.recoveryPoints![0]!;
    const tip = gitIn(workspace, 'rev-parse', before.branch);
    assert.notEqual(tip, cp1.commit);
    assert.match(await waitForGoalRow(page, 'cp-1', 'current'), new RegExp(`iteration 1 · .+ · ${cp1.commit.slice(0, 12)} · the current iteration started here$`));
    await clickInlineAction(page, goalRow(page, 'cp-1, current,'), 'Roll Back to Here');
    await page.locator('.monaco-dialog-box').waitFor();
    await screenshot(page, 'forensics-06-rollback-asks');
    const question = await answerDialog(page, 'Roll Back');
    assert.match(question, /Roll back goal "Find more work" to cp-1\?/);
    assert.match(question, new RegExp(`kept under refs/switchboard/goals/${found}/abandoned/`));
    const message = await waitForNotification(page, 'rolled back to cp-1', 30_000);
    assert.match(message, /The work it left is kept at refs\/switchboard\/goals\/.+\/abandoned\/cp-1-\d{8}T\d{6}Z\./);
    await clickNotificationButton(page, 'rolled back to cp-1', 'Copy Ref');
    let ref = '';
    for (const deadline = Date.now() + 5000; !ref.startsWith('refs/') && Date.now() < deadline; await page.waitForTimeout(100)) ref = String(await page.evaluate('navigator.clipboard.readText()')).trim();
    assert.match(ref, new RegExp(`^refs/switchboard/goals/${found}/abandoned/cp-1-\\d{8}T\\d{6}Z$`));
    assert.equal(gitIn(workspace, 'rev-parse', before.branch).trim(), cp1.commit, 'the goal branch is at the checkpoint');
    assert.equal(gitIn(workspace, 'rev-parse', ref).trim(), tip.trim(), 'the work it left is kept');
    await waitForGoalRow(page, 'Rolled back to cp-1', 'rollback');
    await waitForGoalRow(page, 'Find more work', 'paused');
    // The promoted discovery's task went with the rollback: it is pending again, saying why.
    assert.match(await waitForGoalRow(page, FOUND, 'pending'), /pending · from T1 · its task DSC-001 was rolled back with the goal to cp-1; promote it again$/);
    await screenshot(page, 'forensics-07-rolled-back');
    await clearNotifications(page);
    await goalRow(page, 'Find more work, paused,').locator('.monaco-tl-twistie').click();
  });

  it('a goal going in circles: its row and a notification say so; Diagnose opens the diagnosis; Recover… rolls it back to before the circle', async () => {
    const before = listGoals(stateDir);
    await newGoalFromPalette(page, { objective: CIRCLES, agents: '1', runner: 'custom', addGates: [CONFIG_GATE], tasks: 'config.tasks.json', untilReady: 3 });
    const id = await newGoalId(before);
    await waitForNotification(page, `Goal "${CIRCLES}" is going in circles: CircularFix after iteration 3`, 90_000);
    const label = await waitForGoalRow(page, CIRCLES, 'not_ready', 60_000);
    assert.match(label, /not_ready · stagnant \(CircularFix\) · proof · iteration 3\/3/);
    await screenshot(page, 'forensics-08-stagnant');
    await clickNotificationButton(page, 'is going in circles', 'Diagnose');
    const diagnosis = unwrapped(await editorText(page, `# Diagnosis of ${id}`));
    assert.match(diagnosis, /Stagnant: CircularFix \(confidence [\d.]+\), since iteration 1\./);
    assert.match(diagnosis, /config\.txt changed, undone and changed again/);
    await screenshot(page, 'forensics-09-diagnosis');

    const ended = goal(id);
    assert.deepEqual(ended.recoveryPoints?.map((p) => p.id), ['cp-1', 'cp-2', 'cp-3']);
    const tip = gitIn(workspace, 'rev-parse', ended.branch).trim();
    await contextMenu(page, goalRow(page, `${CIRCLES}, not_ready,`), 'Recover Goal…');
    await page.locator('.monaco-dialog-box').waitFor();
    await screenshot(page, 'forensics-10-recover-asks');
    const plan = await answerDialog(page, 'Recover');
    assert.match(plan, /Recover goal "Settle the config \(toggle config\.txt\)": roll back to cp-1\?/);
    assert.match(plan, /For CircularFix: risk high/);
    assert.match(plan, /Roll the goal branch back to cp-1/);
    assert.match(plan, /The goal is left paused: Resume Goal goes on from there\./);
    await waitForNotification(page, `Goal "${CIRCLES}" recovered: rolled back to cp-1`, 30_000);
    const after = await waitForGoalRow(page, CIRCLES, 'paused');
    assert.doesNotMatch(after, /stagnant/);
    const record = goal(id);
    assert.equal(record.stagnation, undefined);
    assert.equal(gitIn(workspace, 'rev-parse', record.branch).trim(), ended.recoveryPoints![0]!.commit);
    assert.equal(gitIn(workspace, 'rev-parse', record.rollbacks![0]!.abandonedRef!).trim(), tip);
    await screenshot(page, 'forensics-11-recovered');

    // From the palette, Roll Back Goal… offers the goal's checkpoints, the current one first in focus; asked, it can be let be.
    await runCommand(page, 'Switchboard: Roll Back Goal…');
    await pickQuickItem(page, CIRCLES);
    await waitForStep(page, `Roll Back ${id}: to which checkpoint?`);
    await page.locator('.quick-input-widget .monaco-list-row.focused[aria-label*="cp-1"]').waitFor();
    await screenshot(page, 'forensics-12-rollback-pick');
    await pickQuickItem(page, 'cp-2');
    assert.match(await answerDialog(page, 'Cancel'), /Roll back goal "Settle the config \(toggle config\.txt\)" to cp-2\?/);
    assert.equal(goal(id).rollbacks?.length, 1, 'nothing more was done');
  });
});
