/**
 * Runs in worktrees of their own and comparisons in a real VS Code (code-server) driven by a real
 * browser, in a real git repository. The agents are two real runners (Codex and Gemini CLI) pointed at
 * scripted stand-ins: Codex writes the answer the gate wants, Gemini a wrong one and another file.
 * Compare Agents from the palette: the document fills in with both, Open Diff on one from its code
 * lens, the chosen one merged (checked with git), the other refused with its conflicting file; then
 * Run Agent with a typed model in its own worktree of a dirty folder: its row shows the branch, its
 * tooltip the note, the notification's Open Diff opens its diff, and its worktree is removed from
 * its menu. Screenshots go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { listCompares, loadCompare } from '../../src/core/compare/compareRecord';
import type { RunRegistry } from '../../src/core/registry/registry';
import { CHECK_SCRIPT, fakeCli } from '../support/fakeClis';
import { gitIn, makeRepo } from '../support/gitRepo';
import { until } from '../support/harness';
import { agentRow, contextMenu, editorText, rowLabel, showSwitchboard, waitForRow } from './support/agentsView';
import { answerGates, answerStep, checkItem, chooseInStep, clickNotificationButton, waitForStep } from './support/goalsView';
import { suiteSession } from './support/session';
import { answerDialog, diffText, hoverText } from './support/teamsView';
import { pickQuickItem, runCommand, screenshot, waitForNotification } from './support/workbench';

/** A stand-in CLI: `--version` answers at once; a run writes its files in its folder after a moment. */
const agent = (name: string, body: string): string => fakeCli(name, `[ "$1" = --version ] && exit 0\nfor last; do :; done\nsleep 1\n${body}`);

describe('Runs in worktrees and comparisons in a real VS Code', function () {
  this.timeout(180_000);
  let workspace = '';
  const session = suiteSession('compare', () => {
    workspace = makeRepo({ 'README.md': '# a project for comparisons\n', 'check.mjs': CHECK_SCRIPT });
    const settings = {
      'switchboard.runners.codex.path': agent('codex', 'echo good > answer.txt\necho "$last" > codex.txt'),
      'switchboard.runners.gemini.path': agent('gemini', 'echo bad > answer.txt\necho more > extra.txt'),
      'switchboard.defaultRunner': 'codex',
    };
    return { workspace, settings };
  });
  let page: Page;
  let registry: RunRegistry;
  let stateDir: string;
  before(() => {
    ({ page, registry, stateDir } = session());
  });

  const editor = '.editor-group-container.active';
  /** Clicks the code lens whose tooltip is `tooltip` (`Open Diff gemini-1`) in the active editor. */
  const clickLens = (tooltip: string): Promise<void> => page.locator(`${editor} .codelens-decoration a[title="${tooltip}"]`).first().click({ timeout: 15_000 });

  it('Compare Agents: two agents side by side in a live table; Open Diff on one; the chosen one merged, the other refused with its conflict', async () => {
    await runCommand(page, 'Switchboard: Compare Agents…');
    await answerStep(page, 'Compare Agents', 'Write the answer');
    await waitForStep(page, 'Compare Agents: agents');
    for (const runner of ['Codex', 'Gemini CLI']) await checkItem(page, runner);
    await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    await chooseInStep(page, 'Compare Agents: model for Codex', 'gpt-5-mini');
    await chooseInStep(page, 'Compare Agents: model for Gemini CLI', 'Runner default');
    await answerGates(page, 'Compare Agents', ['check=node check.mjs']);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });

    let id = '';
    await until(() => !!(id = listCompares(stateDir)[0] ?? ''), 30_000, 'the comparison record');
    await page.locator('.tabs-container .tab', { hasText: `${id}.md` }).first().waitFor({ timeout: 30_000 });
    await editorText(page, `## Comparison ${id}`);
    await screenshot(page, 'compare-01-started');
    const ended = await waitForNotification(page, `Comparison ${id} ended: 2 of 2 run(s) started, 2 ended (2 done), 1 passed its gates.`, 60_000);
    assert.match(ended, /Show Comparison/);
    const record = loadCompare(stateDir, id);
    const [codex, gemini] = record.entries.map((e) => e.name!);
    assert.deepEqual(record.entries.map((e) => [e.runner, e.model, e.gates?.passed]), [['codex', 'gpt-5-mini', true], ['gemini', undefined, false]]);
    await clickNotificationButton(page, `Comparison ${id} ended`, 'Show Comparison');
    const table = await editorText(page, 'FAIL: check');
    assert.match(table, new RegExp(`\\| codex \\| gpt-5-mini \\| done \\| \\d+s \\|.*\\| pass \\| 2 \\| \\+2 -0 \\| ${codex} \\|`));
    assert.match(table, new RegExp(`\\| gemini \\| \\(default\\) \\| done \\| \\d+s \\|.*\\| FAIL: check \\| 2 \\| \\+2 -0 \\| ${gemini} \\|`));
    await page.locator(`${editor} .codelens-decoration a`, { hasText: 'Merge…' }).first().waitFor();
    await screenshot(page, 'compare-02-ended');

    // Gemini's two files in the multi-file changes editor.
    await clickLens(`Open Diff ${gemini}`);
    const multi = page.locator(`${editor} .multiDiffEditor`);
    for (const file of ['answer.txt', 'extra.txt']) await multi.getByText(file).first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'compare-03-diff');

    await runCommand(page, 'Switchboard: Show Comparison…');
    await pickQuickItem(page, id);
    await clickLens(`Merge… ${codex}`);
    const question = await answerDialog(page, 'Merge');
    assert.match(question, new RegExp(`Merge switchboard/run/${codex} into main\\?.*2 files changed \\(\\+2 -0\\) in 1 commit`));
    await waitForNotification(page, `switchboard/run/${codex} was merged into main as`);
    await screenshot(page, 'compare-04-merged');
    assert.equal(gitIn(workspace, 'merge-base', '--is-ancestor', `switchboard/run/${codex}`, 'main'), '');
    assert.match(gitIn(workspace, 'log', '-1', '--format=%P', 'main'), /^[0-9a-f]+ [0-9a-f]+$/, 'a merge commit on main');
    assert.equal(fs.readFileSync(path.join(workspace, 'answer.txt'), 'utf8'), 'good\n');

    // The other wrote its own answer.txt: merging it now conflicts, and the dialog names the file.
    await runCommand(page, 'Switchboard: Merge Run Branch…');
    await pickQuickItem(page, gemini!);
    await answerDialog(page, 'Merge');
    const refused = await answerDialog(page, 'Cancel');
    assert.match(refused, new RegExp(`switchboard/run/${gemini} cannot be merged into main cleanly.*Conflicting files: answer\\.txt`));
    assert.equal(gitIn(workspace, 'status', '--porcelain'), '', 'nothing changed');
  });

  it('Run Agent with a typed model in its own worktree of a dirty folder: the row shows its branch, Open Diff opens, its worktree is removed', async () => {
    fs.writeFileSync(path.join(workspace, 'notes.txt'), 'not committed\n');
    await runCommand(page, 'Switchboard: Run Agent');
    await pickQuickItem(page, 'Codex');
    await answerStep(page, 'Run Agent: Codex', 'Note the date');
    await chooseInStep(page, 'Run Agent: Codex: model', 'Type a model…');
    // The box to type it in (the pick before it had the same title).
    const input = page.locator('.quick-input-widget .quick-input-box input[placeholder^="claude-sonnet-4-5"]');
    await input.fill('two words');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: 'without spaces or control characters' }).waitFor();
    await input.fill('gpt-5-codex');
    await input.press('Enter');
    await answerStep(page, 'Run Agent: Codex: limits', '');
    await waitForStep(page, 'Run Agent: Codex: where');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'The folder has uncommitted changes: the run will not see them.' }).first().waitFor();
    await screenshot(page, 'compare-05-worktree-choice');
    await chooseInStep(page, 'Run Agent: Codex: where', 'Work in its own worktree');

    await showSwitchboard(page);
    let name = '';
    await until(() => !!(name = registry.list().find((r) => r.prompt === 'Note the date')?.name ?? ''), 15_000, 'the run');
    await waitForRow(page, name, 'done', 30_000);
    assert.match(await rowLabel(page, name), new RegExp(`codex · \\d+s · .*switchboard/run/${name}$`));
    const run = registry.resolve(name);
    assert.equal(run.model, 'gpt-5-codex');
    assert.ok(run.commandLine.join(' ').includes('-m gpt-5-codex'), run.commandLine.join(' '));
    assert.equal(run.worktree?.workspaceDirty, true);
    await agentRow(page, name).hover();
    const tip = await hoverText(page, `switchboard/run/${name}`);
    assert.match(tip, /Base: main at [0-9a-f]{12}/);
    assert.match(tip, /uncommitted changes, which the run does not see/);
    const told = `Agent ${name} is done; its work is on branch switchboard/run/${name}.`;
    await waitForNotification(page, told);
    await screenshot(page, 'compare-06-worktree-row');
    // Away from the row (Escape would hide the notification too).
    await page.mouse.move(900, 700);
    await clickNotificationButton(page, told, 'Open Diff');
    await page.locator('.tabs-container .tab', { hasText: `codex.txt (${name}: main ↔ switchboard/run/${name})` }).first().waitFor({ timeout: 30_000 });
    assert.match(await diffText(page, 'Note the date'), /Note the date/);
    await screenshot(page, 'compare-07-run-diff');

    await contextMenu(page, agentRow(page, name), 'Remove Run Worktree…');
    assert.match(await answerDialog(page, 'Remove Worktree'), new RegExp(`Remove the worktree of ${name}\\?`));
    assert.match(await answerDialog(page, 'Force Remove'), new RegExp(`switchboard/run/${name} has 1 commit\\(s\\) not merged into main`));
    await waitForNotification(page, `Removed ${name}'s worktree; branch switchboard/run/${name} kept.`);
    assert.equal(fs.existsSync(run.worktree!.folder), false);
    assert.match(gitIn(workspace, 'rev-parse', '--verify', `switchboard/run/${name}`), /^[0-9a-f]{40}$/, 'the branch stays');
  });
});
