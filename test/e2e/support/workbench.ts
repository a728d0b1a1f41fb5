/** Driving the real VS Code workbench (code-server) in Debian's chromium through playwright-core. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { REPO_ROOT, setupVscode } from './codeServer';

export const ARTIFACTS_DIR = path.join(REPO_ROOT, '.test-artifacts', 'e2e');
const QUICK_INPUT = '.quick-input-widget';

/** Headless chromium with a fresh profile (playwright makes a temporary user-data-dir and removes it on close). */
export async function launchBrowser(): Promise<Browser> {
  const { chromium: executablePath } = await setupVscode();
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/** Opens the workbench on a folder in a new page and waits until it is usable. */
export async function openWorkbench(browser: Browser, url: string, folder: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const page = await context.newPage();
  await page.goto(`${url}/?folder=${encodeURIComponent(path.resolve(folder))}`);
  await waitForWorkbench(page);
  return page;
}

async function waitForWorkbench(page: Page): Promise<void> {
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await page.locator('.part.activitybar .action-item, .part.activitybar [role="tab"]').first().waitFor({ timeout: 60_000 });
  await page.locator('.part.statusbar .statusbar-item').first().waitFor({ timeout: 60_000 });
  await dismissBlockers(page);
}

/** Answers what can block the workbench: the workspace trust dialog and any other modal dialog. */
export async function dismissBlockers(page: Page): Promise<void> {
  const dialog = page.locator('.monaco-dialog-box');
  for (let i = 0; i < 5 && (await dialog.isVisible()); i++) {
    const trust = dialog.getByRole('button', { name: /Yes, I trust/ });
    if (await trust.isVisible()) await trust.click();
    else await page.keyboard.press('Escape');
    await page.waitForTimeout(300);
  }
}

/**
 * Trusts the open folder (for a server started with `trust: true`). code-server shows no trust prompt:
 * the folder opens in Restricted Mode at once, with the extensions that do not support it disabled.
 */
export async function trustWorkspace(page: Page): Promise<void> {
  await runCommand(page, 'Workspaces: Manage Workspace Trust');
  await page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first().click();
  await page.locator('.part.statusbar', { hasText: 'Restricted Mode' }).waitFor({ state: 'detached' });
  await runCommand(page, 'View: Close Editor');
}

/**
 * Runs a command by its palette title (F1, type, click the row with exactly that title). Contributed
 * commands show up only once the extension host has registered its extensions, so until `timeoutMs`
 * the palette is closed and opened again when the command is not listed yet.
 */
export async function runCommand(page: Page, title: string, timeoutMs = 30_000): Promise<void> {
  const row = await findCommandRow(page, title, timeoutMs);
  await row.click();
  await waitQuickInputDone(page, `>${title}`);
}

async function findCommandRow(page: Page, title: string, timeoutMs: number): Promise<Locator> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await openPalette(page);
    const row = quickRow(page, title);
    try {
      // A palette closed as soon as it opened (the workbench moved the focus: a view refreshed, an
      // editor opened) is opened again, rather than waited on for the whole action timeout.
      await page.locator(`${QUICK_INPUT} .quick-input-box input`).fill(`>${title}`, { timeout: 2000 });
      await row.waitFor({ state: 'visible', timeout: 2000 });
      return row;
    } catch {
      await page.keyboard.press('Escape');
      if (Date.now() > deadline) throw new Error(`no command titled "${title}" in the command palette`);
      await page.waitForTimeout(500);
    }
  }
}

async function openPalette(page: Page): Promise<void> {
  const widget = page.locator(QUICK_INPUT);
  for (let attempt = 0; attempt < 3; attempt++) {
    await page.keyboard.press(attempt === 1 ? 'Control+Shift+P' : 'F1');
    try {
      await widget.waitFor({ state: 'visible', timeout: 5000 });
      return;
    } catch {
      await page.locator('.monaco-workbench').click({ position: { x: 5, y: 5 }, force: true });
    }
  }
  throw new Error('the command palette did not open');
}

/** The quick-input row whose label is exactly `label` (icons and surrounding spaces aside). */
function quickRow(page: Page, label: string): Locator {
  const exact = new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`);
  return page.locator(`${QUICK_INPUT} .monaco-list-row`).filter({ has: page.locator('.label-name', { hasText: exact }) }).first();
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Waits until the quick input is closed or shows another prompt than the one it had. */
async function waitQuickInputDone(page: Page, previousValue: string, timeoutMs = 15_000): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!(await input.isVisible()) || (await input.inputValue()) !== previousValue) return;
    await page.waitForTimeout(50);
  }
  throw new Error(`the quick input still shows "${previousValue}" after ${timeoutMs} ms`);
}

/** Types into an open input box (showInputBox / a quick pick's filter) and presses Enter. */
export async function answerQuickInput(page: Page, text: string): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(text);
  await input.press('Enter');
  await waitQuickInputDone(page, text);
}

/** Picks the item labelled `label` in an open quick pick (filtering by it first); `picking` is called just before the click. */
export async function pickQuickItem(page: Page, label: string, picking?: () => void): Promise<void> {
  const input = page.locator(`${QUICK_INPUT} .quick-input-box input`);
  await input.waitFor({ state: 'visible' });
  await input.fill(label);
  const row = quickRow(page, label);
  await row.waitFor();
  picking?.();
  await row.click();
  await waitQuickInputDone(page, label);
}

/**
 * Shows a view container by its activity bar item (whose aria-label starts with the prefix, e.g. "Explorer").
 * An extension's container appears only once the extension host has registered it, and clicking the
 * active item hides the sidebar, so this clicks only when needed and retries until `timeoutMs`.
 */
export async function openViewContainer(page: Page, ariaLabelPrefix: string, timeoutMs = 30_000): Promise<void> {
  const item = page.locator(`.part.activitybar .action-item:has(> [aria-label^="${ariaLabelPrefix}"])`).first();
  const sidebar = page.locator('.part.sidebar:not(.empty)');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checked = (await item.count()) > 0 && ((await item.getAttribute('class')) ?? '').split(' ').includes('checked');
    if (checked && (await sidebar.isVisible())) return;
    if (Date.now() > deadline) throw new Error(`cannot show the view container "${ariaLabelPrefix}"`);
    if ((await item.count()) > 0) await item.click();
    await page.waitForTimeout(500);
  }
}

/** The sidebar pane with this title, expanded if it was collapsed. */
async function pane(page: Page, viewTitle: string): Promise<Locator> {
  const found = page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: new RegExp(`^${escapeRegExp(viewTitle)}$`, 'i') }) }).first();
  await found.waitFor({ state: 'visible' });
  const header = found.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return found;
}

/** The texts of the tree/list rows shown in a sidebar view (or the whole sidebar). */
export async function treeRows(page: Page, viewTitle?: string): Promise<string[]> {
  const scope = viewTitle ? await pane(page, viewTitle) : page.locator('.part.sidebar');
  // A row's text pieces (label, description, ...) joined by single spaces: innerText would glue them together.
  // (no named functions in here: tsx would wrap them in a helper the page does not have)
  return scope.locator('.monaco-list-row').evaluateAll((rows) =>
    rows.map((row) => {
      interface TextNode { nodeType: number; textContent: string | null; childNodes: ArrayLike<TextNode> }
      const parts: string[] = [];
      const stack: TextNode[] = [row as unknown as TextNode];
      while (stack.length > 0) {
        const node = stack.pop() as TextNode;
        if (node.nodeType === 3) parts.push(node.textContent?.trim() ?? '');
        else stack.push(...Array.from(node.childNodes).reverse());
      }
      return parts.filter(Boolean).join(' ').replace(/\s+/g, ' ');
    }),
  );
}

/** The texts of the notification toasts on screen. */
export async function notifications(page: Page): Promise<string[]> {
  const toasts = await page.locator('.notification-toast').allInnerTexts();
  return toasts.map((toast) => toast.replace(/\s+/g, ' ').trim());
}

/** Waits for a notification toast containing the text and returns its whole text. */
export async function waitForNotification(page: Page, text: string, timeoutMs = 15_000): Promise<string> {
  // `notification-fade-in-done` marks the end of the fade-in: earlier, screenshots show a faint toast.
  const toast = page.locator('.notification-toast.notification-fade-in-done', { hasText: text }).first();
  await toast.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await toast.innerText()).replace(/\s+/g, ' ').trim();
}

/** Saves a PNG of the page as .test-artifacts/e2e/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path: file });
  return file;
}

/** Runs "Developer: Reload Window" and waits for the reloaded workbench. */
export async function reloadWindow(page: Page): Promise<void> {
  const row = await findCommandRow(page, 'Developer: Reload Window', 30_000);
  await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), row.click()]);
  await waitForWorkbench(page);
}
