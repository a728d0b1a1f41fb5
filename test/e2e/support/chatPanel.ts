/**
 * Driving the chat panel in code-server (see REAL-VSCODE.md, "The chat panel"): open it, wait for
 * the scripted model in its picker, send a query, and read the answers (by text: rows reorder) and
 * their buttons.
 */
import type { Locator, Page } from 'playwright-core';

const INPUT = '.interactive-input-part';
const RESPONSE = '.interactive-item-container.interactive-response';

/** Opens the chat view and waits until its model picker names `model`. */
export async function openChat(page: Page, model: string): Promise<void> {
  const input = page.locator(INPUT).first();
  for (let i = 0; i < 5 && !(await input.isVisible()); i++) {
    await page.keyboard.press('Control+Alt+KeyI');
    await page.waitForTimeout(1000);
  }
  await input.waitFor({ timeout: 30_000 });
  await page.locator(`${INPUT} .model-picker-name, ${INPUT} a.action-label`, { hasText: model }).first().waitFor({ timeout: 60_000 });
}

/** Types a query into the chat input (emptied first: a sticky participant is already there) and sends it. */
export async function sendChat(page: Page, query: string): Promise<void> {
  await page.locator(`${INPUT} .monaco-editor`).first().click();
  await page.keyboard.press('Control+KeyA');
  await page.keyboard.press('Backspace');
  await page.keyboard.type(query, { delay: 5 });
  if (await page.locator('.suggest-widget.visible').isVisible()) await page.keyboard.press('Escape');
  await page.keyboard.press('Enter');
  // The input can take an Enter without sending (just after a reload, or while the last answer
  // settles): the query is then still there, so send it again until it leaves the input.
  const lines = page.locator(`${INPUT} .view-lines`).first();
  const rest = query.replace(/^@\S+\s*/, '').slice(0, 20);
  const waiting = async () => (await lines.innerText().catch(() => '')).replace(/\s+/g, ' ').includes(rest.replace(/\s+/g, ' '));
  for (let i = 0; i < 5 && (await waiting()); i++) {
    await page.waitForTimeout(1500);
    if (await waiting()) await page.keyboard.press('Enter');
  }
}

/** Cancels the request in progress with the input's stop button. */
export async function cancelChat(page: Page): Promise<void> {
  await page.locator(INPUT).first().getByRole('button', { name: /^(Cancel|Stop)/ }).first().click();
}

/** The last answer whose text matches `text`, once it shows. */
export async function answerWith(page: Page, text: string | RegExp, timeoutMs = 60_000): Promise<Locator> {
  const answer = page.locator(RESPONSE, { hasText: text }).last();
  await answer.waitFor({ timeout: timeoutMs });
  return answer;
}

/** The titles of an answer's buttons (not the workbench's own, such as "Used 1 reference"). */
export async function buttonsOf(answer: Locator): Promise<string[]> {
  return (await answer.locator('.monaco-button').allInnerTexts()).map((t) => t.trim()).filter((t) => t && !/^Used \d+ references?$/.test(t));
}
