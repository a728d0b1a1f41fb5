/** Reading and acting on the Switchboard Agents view and editors in the workbench. */
import type { Browser, Locator, Page } from 'playwright-core';
import * as path from 'node:path';

/** The Agents view row of a run (its accessible label starts with the run's name). */
export function agentRow(page: Page, name: string): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name}, "]`).first();
}

/** Waits until the run's row shows this status (the row's accessible label is "<name>, <status>, <description>"). */
export async function waitForRow(page: Page, name: string, status: string, timeoutMs = 30_000): Promise<void> {
  await page.locator(`.part.sidebar .monaco-list-row[aria-label^="${name}, ${status},"]`).first().waitFor({ timeout: timeoutMs });
}

export async function rowLabel(page: Page, name: string): Promise<string> {
  return (await agentRow(page, name).getAttribute('aria-label')) ?? '';
}

/**
 * Right-clicks `target` and clicks the menu item with this label. A right-click that lands while
 * the workbench is still restoring (just after a reload) opens no menu, so it is tried again. A click
 * that lands while the menu is still settling does nothing and leaves the menu open, so it is
 * clicked again while the menu shows (a click that worked closes the menu, so nothing runs twice).
 */
export async function contextMenu(page: Page, target: Locator, item: string): Promise<void> {
  const menu = page.locator('.context-view .monaco-menu');
  const entry = menu.locator('.action-item', { hasText: item }).first();
  for (let attempt = 1; ; attempt++) {
    await target.click({ button: 'right' });
    const shown = await entry.waitFor({ state: 'visible', timeout: 10_000 }).then(() => true, () => false);
    if (shown) break;
    if (attempt === 3) throw new Error(`the context menu with "${item}" did not open after 3 right-clicks`);
    await page.keyboard.press('Escape');
  }
  for (let attempt = 1; attempt <= 5 && (await menu.isVisible()); attempt++) {
    await page.waitForTimeout(300);
    if (await entry.isVisible()) await entry.click({ timeout: 2000 }).catch(() => undefined);
  }
  await menu.waitFor({ state: 'hidden', timeout: 5000 });
}

/**
 * Chooses `label` if the command asked which run it should act on (it does when the row it was
 * invoked on could not be handed over); does nothing if no such question shows up.
 */
export async function answerRunPickIfAsked(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
  if (await row.waitFor({ state: 'visible', timeout: 1500 }).then(() => true, () => false)) await row.click();
}

/** The text of the active editor, once it contains `expected`. */
export async function editorText(page: Page, expected: string, timeoutMs = 30_000): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await lines.filter({ hasText: expected }).waitFor({ timeout: timeoutMs });
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** Opens the workbench and, if VS Code asks whether to trust the folder, answers "No, I don't trust the authors". */
export async function untrustedWorkbench(browser: Browser, url: string, folder: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/?folder=${encodeURIComponent(path.resolve(folder))}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const refuse = page.locator('.monaco-dialog-box').getByRole('button', { name: /No, I don.t trust/ });
  await refuse.waitFor({ timeout: 20_000 }).then(
    () => refuse.click(),
    () => undefined, // no prompt: the folder opened in Restricted Mode straight away
  );
  return page;
}

/**
 * Shows the Switchboard container unless it is already showing. After a reload its activity bar
 * item can be marked active while the side bar is hidden, so the item is clicked until the view shows.
 */
export async function showSwitchboard(page: Page): Promise<void> {
  const agents = page.locator('.part.sidebar .pane-header .title', { hasText: /^Agents$/i });
  const item = page.locator('.part.activitybar .action-item:has([aria-label^="Switchboard"])').first();
  for (let attempt = 0; attempt < 3 && !(await agents.isVisible()); attempt++) {
    await item.click();
    await agents.waitFor({ state: 'visible', timeout: 3000 }).catch(() => undefined);
  }
  await agents.waitFor({ state: 'visible' });
}
