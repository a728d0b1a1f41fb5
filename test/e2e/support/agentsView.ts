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

/** Right-clicks `target` and chooses the menu item with this label. */
export async function contextMenu(page: Page, target: Locator, item: string): Promise<void> {
  await target.click({ button: 'right' });
  const entry = page.locator('.context-view .monaco-menu .action-item', { hasText: item }).first();
  await entry.waitFor({ state: 'visible' });
  await entry.click();
}

/** The text of the active editor, once it contains `expected`. */
export async function editorText(page: Page, expected: string, timeoutMs = 30_000): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  await lines.filter({ hasText: expected }).waitFor({ timeout: timeoutMs });
  return (await lines.innerText()).replace(/\u00a0/g, ' ');
}

/** Opens the workbench and answers the trust dialog with "No, I don't trust the authors". */
export async function untrustedWorkbench(browser: Browser, url: string, folder: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${url}/?folder=${encodeURIComponent(path.resolve(folder))}`);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  const refuse = page.locator('.monaco-dialog-box').getByRole('button', { name: /No, I don.t trust/ });
  await refuse.waitFor({ timeout: 60_000 });
  await refuse.click();
  return page;
}
