/** The Switchboard views in the side bar (Agents, Teams, Goals): giving one the room, and finding its rows. */
import type { Locator, Page } from 'playwright-core';

export type ViewTitle = 'Agents' | 'Teams' | 'Goals';

/** The side bar pane titled `title`. */
export const viewPane = (page: Page, title: ViewTitle): Locator =>
  page.locator('.part.sidebar .pane').filter({ has: page.locator('.pane-header .title', { hasText: new RegExp(`^${title}$`, 'i') }) }).first();

/**
 * Gives one view the side bar: the other views collapsed, this one expanded (a list draws only the
 * rows in view), and the side bar widened so that the screenshots show the rows' descriptions.
 */
export async function focusView(page: Page, title: ViewTitle, width: number): Promise<void> {
  const bar = await page.locator('.part.sidebar').boundingBox();
  if (bar && bar.width < width) {
    const y = bar.y + bar.height / 2;
    await page.mouse.move(bar.x + bar.width + 1, y);
    await page.mouse.down();
    await page.mouse.move(bar.x + width, y, { steps: 5 });
    await page.mouse.up();
  }
  const others = (['Agents', 'Teams', 'Goals'] as const).filter((t) => t !== title);
  for (const [view, open] of [...others.map((t) => [t, false] as const), [title, true] as const]) {
    const header = viewPane(page, view).locator('.pane-header');
    await header.waitFor();
    if (((await header.getAttribute('aria-expanded')) === 'true') !== open) await header.click();
  }
}

/** The row of a view whose accessible label ("<label>, <state>, <description>") starts with `prefix`. */
export function viewRow(page: Page, title: ViewTitle, prefix: string): Locator {
  return viewPane(page, title).locator(`.monaco-list-row[aria-label^="${prefix.replace(/"/g, '\\"')}"]`).first();
}

/** Waits for the row of `label` in `state` (`Iteration 1`, `failed`); returns its whole accessible label. */
export async function waitForViewRow(page: Page, title: ViewTitle, label: string, state: string, timeoutMs = 60_000): Promise<string> {
  const row = viewRow(page, title, `${label}, ${state},`);
  await row.waitFor({ timeout: timeoutMs });
  return (await row.getAttribute('aria-label')) ?? '';
}
