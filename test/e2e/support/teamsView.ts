/** Reading and acting on the Switchboard Teams view, its dialogs and diff editors in the workbench. */
import * as path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { REPO_ROOT } from './codeServer';
import { focusView, viewRow, waitForViewRow } from './sidebar';

const TEAM_WORKER = path.join(REPO_ROOT, 'test', 'e2e', 'support', 'teamWorker.mjs');

/** The custom runner's command for team tests: the scripted git worker (see teamWorker.mjs), with these arguments. */
export function teamWorkerCommand(...args: string[]): string {
  return [process.execPath, TEAM_WORKER, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ') + ' {prompt}';
}

/** Gives the Teams view the side bar (Agents and Goals collapsed), widened so that the screenshots show the descriptions. */
export const focusTeamsView = (page: Page, width = 520): Promise<void> => focusView(page, 'Teams', width);

/** The Teams view row whose accessible label ("<label>, <state>, <description>") starts with `prefix`. */
export const teamRow = (page: Page, prefix: string): Locator => viewRow(page, 'Teams', prefix);

/** Waits for the row of `label` in `state` (e.g. `T1: part 1 of the goal`, `done`); returns its whole accessible label. */
export const waitForTeamRow = (page: Page, label: string, state: string, timeoutMs = 60_000): Promise<string> => waitForViewRow(page, 'Teams', label, state, timeoutMs);

/** Clicks `button` in the modal dialog on screen (window.dialogStyle is custom in these tests); returns the dialog's text. */
export async function answerDialog(page: Page, button: string): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ timeout: 15_000 });
  const text = (await dialog.innerText()).replace(/\s+/g, ' ').trim();
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
  return text;
}

/** In an open multi-select quick pick: checks the items with these labels, then accepts. */
export async function pickQuickItems(page: Page, labels: string[]): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible' });
  for (const label of labels) {
    await input.fill(label);
    const row = widget.locator('.monaco-list-row').filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${label}\\s*$`) }) }).first();
    await row.locator('input[type="checkbox"], .quick-input-list-checkbox, .monaco-custom-toggle').first().click();
  }
  await input.fill('');
  await input.press('Enter');
  await widget.waitFor({ state: 'hidden' });
}

/** The text of the modified (right) side of the diff editor in the active group, once it contains `expected`. */
export async function diffText(page: Page, expected: string, timeoutMs = 30_000): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-diff-editor .editor.modified .view-lines').filter({ hasText: expected }).first();
  await lines.waitFor({ timeout: timeoutMs });
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** The text of the hover (a row's tooltip) on screen, once it contains `expected`. */
export async function hoverText(page: Page, expected: string, timeoutMs = 15_000): Promise<string> {
  const hover = page.locator('.monaco-hover:not(.hidden)', { hasText: expected }).first();
  await hover.waitFor({ timeout: timeoutMs });
  return (await hover.innerText()).replace(/\u00a0/g, ' ');
}
