/**
 * The Agents view's rows as they change, in a real VS Code (code-server) driven by a real browser:
 * a running agent's tooltip stays up under a mouse at rest while the row's clock runs, and once
 * the run ends behind fifty finished runs, the oldest of them goes under Older Runs. Screenshots
 * go to .test-artifacts/e2e/.
 */
import * as assert from 'node:assert/strict';
import { fillHistory } from '../support/finishedRuns';
import { RECENT_FINISHED } from '../../src/core/registry/registry';
import { fakeCommand, tempDir } from '../support/harness';
import { agentRow, showSwitchboard, waitForRow } from './support/agentsView';
import { suiteSession } from './support/session';
import { screenshot } from './support/workbench';

describe('The Agents view\'s rows as they change, in a real VS Code', function () {
  this.timeout(180_000);
  let workspace = '';
  const session = suiteSession('agentRows', () => {
    workspace = tempDir('sb-e2e-rows-');
    return { workspace, settings: { 'switchboard.killGraceSeconds': 1 } };
  });

  it('a running agent\'s tooltip stays up while its clock runs; when it ends, the oldest of the fifty finished runs below it goes under Older Runs', async () => {
    const { page, registry, stateDir } = session();
    fillHistory(stateDir, RECENT_FINISHED); // finished runs named claude-1 to claude-50, written as another process would
    await showSwitchboard(page);
    await agentRow(page, `claude-${RECENT_FINISHED}`).waitFor({ timeout: 30_000 });
    const run = await registry.run({ runner: 'custom', prompt: 'a long job', cwd: workspace, command: fakeCommand('--sleep', '120000') });
    await waitForRow(page, run.name, 'running');

    // A person moves the mouse onto the row until its tooltip shows, then rests to read it.
    const box = (await agentRow(page, run.name).boundingBox())!;
    const tooltip = page.locator('.workbench-hover', { hasText: `${run.name} — running` });
    for (let i = 0; i < 100 && !(await tooltip.isVisible()); i++) {
      await page.mouse.move(box.x + 20 + (i % 10) * 8, box.y + box.height / 2);
      await page.waitForTimeout(100);
    }
    await tooltip.waitFor({ timeout: 1000 });
    const label = await agentRow(page, run.name).getAttribute('aria-label');
    // Long enough for the clock to turn twice: each redraw of the row would close its tooltip.
    await page.waitForTimeout(2500);
    assert.ok(await tooltip.isVisible(), `the tooltip closed under a resting mouse (the row was "${label}")`);
    await screenshot(page, 'rows-01-running-tooltip');

    // While it ran it was listed with fifty finished runs; once it ends, only fifty are.
    await page.mouse.move(box.x + box.width + 400, box.y + 300);
    await registry.kill(run.id, { source: 'test' });
    await waitForRow(page, run.name, 'killed');
    // The list draws only the rows in sight: its end is where Older Runs is.
    const older = page.locator('.part.sidebar .monaco-list-row[aria-label^="Older Runs"]');
    const list = page.locator('.part.sidebar .monaco-list[aria-label="Agents"]');
    for (let i = 0; i < 30 && (await older.getAttribute('aria-label', { timeout: 500 }).catch(() => undefined)) !== 'Older Runs, 1 finished'; i++) {
      await list.focus();
      await page.keyboard.press('End');
    }
    assert.equal(await older.getAttribute('aria-label', { timeout: 1000 }), 'Older Runs, 1 finished');
    await screenshot(page, 'rows-02-older-runs');
  });
});
