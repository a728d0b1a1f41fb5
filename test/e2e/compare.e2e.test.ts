/**
 * Runs in worktrees of their own and comparisons in a real VS Code (code-server) driven by a real
 * browser, in a real git repository. The agents are two real runners (Codex and Gemini CLI) pointed at
 * scripted stand-ins: Codex writes the answer the gate wants, Gemini a wrong one and another file.
 * Compare Agents from the palette: the document fills in with both, Open Diff on one from its code
 * lens, the chosen one merged (checked with git), the other refused with its conflicting file; then
 * Codex compared with itself (two models): the Agents view's Comparisons node lists both runs, its row
 * opens the table, the chosen one is merged from its row, and Continue in Terminal on the other starts
 * `codex resume <session>` in its worktree in an integrated terminal; then Run Agent with a typed
 * model in its own worktree of a dirty folder: its row shows the branch, its tooltip the note, the
 * notification of its end (time, Open Diff, Merge…) opens its diff, and its worktree is removed from
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
import { tempDir, until } from '../support/harness';
import { agentRow, contextMenu, editorText, rowLabel, showSwitchboard, waitForRow } from './support/agentsView';
import { answerGates, answerStep, checkItem, chooseInStep, clickNotificationButton, waitForStep } from './support/goalsView';
import { suiteSession } from './support/session';
import { answerDialog, diffText, hoverText } from './support/teamsView';
import { pickQuickItem, runCommand, screenshot, waitForNotification } from './support/workbench';

/** A stand-in CLI: `--version` answers at once; a run writes its files in its folder after a moment. */
const agent = (name: string, body: string, before = ''): string => fakeCli(name, `[ "$1" = --version ] && exit 0\n${before}for last; do :; done\nsleep 1\n${body}`);

/** Where the stand-in Codex writes its folder and arguments when it is started as `codex resume …` (Continue in Terminal). */
const resumed = path.join(tempDir('sb-e2e-resumed-'), 'resumed.txt');
/** Codex's session line (`thread.started`, one id per process), and its interactive resume: noted, then it stays up a minute like a session would. */
const CODEX_SESSION = `[ "$1" = resume ] && { echo "$PWD|$*" > ${resumed}; exec sleep 60; }\necho "{\\"type\\":\\"thread.started\\",\\"thread_id\\":\\"th-$$\\"}"\n`;

describe('Runs in worktrees and comparisons in a real VS Code', function () {
  this.timeout(180_000);
  let workspace = '';
  const session = suiteSession('compare', () => {
    workspace = makeRepo({ 'README.md': '# a project for comparisons\n', 'check.mjs': CHECK_SCRIPT });
    const settings = {
      'switchboard.runners.codex.path': agent('codex', 'echo good > answer.txt\necho "$last" > codex.txt', CODEX_SESSION),
      // The stand-in speaks `codex exec --json` (the prompt its last argument), not the app-server.
      'switchboard.runners.codex.protocol': 'json',
      'switchboard.runners.gemini.path': agent('gemini', 'echo bad > answer.txt\necho more > extra.txt'),
      'switchboard.defaultRunner': 'codex',
      // The browser's window has the focus: the default (only when unfocused) would never tell a run's end.
      'switchboard.notifications.onRunFinished': 'always',
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

  /** Compare Agents… from the palette: the prompt, the agents checked, each one's model (by the step's name for it), the gates added. */
  async function compareFromPalette(prompt: string, agents: string[], models: [string, string][], gates: string[]): Promise<void> {
    await runCommand(page, 'Switchboard: Compare Agents…');
    await answerStep(page, 'Compare Agents', prompt);
    await waitForStep(page, 'Compare Agents: agents');
    for (const item of agents) await checkItem(page, item);
    await page.locator('.quick-input-widget .quick-input-box input').press('Enter');
    for (const [who, model] of models) await chooseInStep(page, `Compare Agents: model for ${who}`, model);
    await answerGates(page, 'Compare Agents', gates);
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  }

  it('Compare Agents: two agents side by side in a live table; Open Diff on one; the chosen one merged, the other refused with its conflict', async () => {
    await compareFromPalette('Write the answer', ['Codex', 'Gemini CLI'], [['Codex', 'gpt-5-mini'], ['Gemini CLI', 'Runner default']], ['check=node check.mjs']);

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

  it("Codex compared with itself: the Comparisons node lists both runs and opens the table; the chosen one merged from its row; the other continued in a terminal in its worktree", async () => {
    await compareFromPalette('Answer twice', ['Codex', 'Codex (second run)'], [['Codex (run 1)', 'gpt-5-mini'], ['Codex (run 2)', 'Runner default']], []);

    let id = '';
    await until(() => !!(id = listCompares(stateDir).find((c) => loadCompare(stateDir, c).prompt === 'Answer twice') ?? ''), 30_000, 'the comparison record');
    await waitForNotification(page, `Comparison ${id} ended: 2 of 2 run(s) started, 2 ended (2 done).`, 60_000);
    const record = loadCompare(stateDir, id);
    assert.deepEqual(record.entries.map((e) => [e.runner, e.model, e.outcome?.status]), [['codex', 'gpt-5-mini', 'done'], ['codex', undefined, 'done']]);
    const [chosen, other] = record.entries.map((e) => e.name!);

    // The Comparisons node, the comparison (a click opens its table), its two runs as rows.
    await showSwitchboard(page);
    const sidebarRow = (label: string) => page.locator(`.part.sidebar .monaco-list-row[aria-label^="${label}"]`).first();
    await sidebarRow('Comparisons').click();
    const comparisonRow = sidebarRow(`${id}, done · codex:gpt-5-mini, codex`);
    await comparisonRow.click();
    await page.locator('.tabs-container .tab', { hasText: `${id}.md` }).first().waitFor({ timeout: 30_000 });
    assert.match(await editorText(page, `| codex | gpt-5-mini | done |`), new RegExp(`\\| codex \\| \\(default\\) \\| done \\|.*\\| ${other} \\|`));
    if ((await comparisonRow.getAttribute('aria-expanded')) !== 'true') await comparisonRow.locator('.monaco-tl-twistie').click();
    const chosenRow = sidebarRow(`${chosen}, done, gpt-5-mini · codex · `);
    const otherRow = sidebarRow(`${other}, done, default model · codex · `);
    await chosenRow.waitFor();
    await otherRow.waitFor();
    await screenshot(page, 'compare-05-comparisons-node');

    await contextMenu(page, chosenRow, 'Merge Run Branch…');
    assert.match(await answerDialog(page, 'Merge'), new RegExp(`Merge switchboard/run/${chosen} into main\\?`));
    await waitForNotification(page, `switchboard/run/${chosen} was merged into main as`);
    assert.equal(gitIn(workspace, 'merge-base', '--is-ancestor', `switchboard/run/${chosen}`, 'main'), '');
    assert.equal(fs.readFileSync(path.join(workspace, 'codex.txt'), 'utf8'), 'Answer twice\n');

    // Continue in Terminal: Codex's own `resume` on the run's session, started in the run's worktree.
    const run = registry.resolve(other!);
    assert.match(run.sessionId ?? '', /^th-\d+$/);
    await contextMenu(page, otherRow, 'Continue in Terminal');
    await page.locator('.part.panel').getByText(`${other} · Codex`).first().waitFor({ timeout: 30_000 });
    await until(() => fs.existsSync(resumed), 30_000, 'codex resume started by the terminal');
    assert.equal(fs.readFileSync(resumed, 'utf8').trim(), `${run.worktree!.folder}|resume --sandbox workspace-write ${run.sessionId}`);
    await screenshot(page, 'compare-06-continue-in-terminal');
    await runCommand(page, 'Terminal: Kill the Active Terminal Instance');
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
    const told = `its work is on branch switchboard/run/${name}.`;
    const toast = await waitForNotification(page, told);
    assert.match(toast, new RegExp(`Agent ${name} finished \\(\\d+s\\); ${told.replace(/[./]/g, '\\$&')}`));
    for (const button of ['Open Diff', 'Merge…', 'Show Output']) assert.ok(toast.includes(button), toast);
    await screenshot(page, 'compare-07-worktree-row');
    // Away from the row (Escape would hide the notification too).
    await page.mouse.move(900, 700);
    await clickNotificationButton(page, told, 'Open Diff');
    await page.locator('.tabs-container .tab', { hasText: `codex.txt (${name}: main ↔ switchboard/run/${name})` }).first().waitFor({ timeout: 30_000 });
    assert.match(await diffText(page, 'Note the date'), /Note the date/);
    await screenshot(page, 'compare-08-run-diff');

    await contextMenu(page, agentRow(page, name), 'Remove Run Worktree…');
    assert.match(await answerDialog(page, 'Remove Worktree'), new RegExp(`Remove the worktree of ${name}\\?`));
    assert.match(await answerDialog(page, 'Force Remove'), new RegExp(`switchboard/run/${name} has 1 commit\\(s\\) not merged into main`));
    await waitForNotification(page, `Removed ${name}'s worktree; branch switchboard/run/${name} kept.`);
    assert.equal(fs.existsSync(run.worktree!.folder), false);
    assert.match(gitIn(workspace, 'rev-parse', '--verify', `switchboard/run/${name}`), /^[0-9a-f]{40}$/, 'the branch stays');
  });
});
