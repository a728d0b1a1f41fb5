/**
 * Reaching inside a webview panel in the workbench: code-server puts each webview in an iframe
 * (`iframe.webview`) holding another (`#active-frame`) with the page; the page's frame is found by
 * what it shows. Clicks, keys and reads go to elements of that frame.
 */
import type { Frame, Page } from 'playwright-core';

/** The frame of the webview page that has an element matching `selector` (waits for one to show up), other than those `except`. */
export async function webviewFrame(page: Page, selector: string, timeoutMs = 30_000, except: ReadonlySet<Frame> = new Set()): Promise<Frame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      if (frame === page.mainFrame() || frame.isDetached() || except.has(frame)) continue;
      if (await frame.locator(selector).count().catch(() => 0)) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows ${selector}`);
    await page.waitForTimeout(200);
  }
}

/** Records every dialog (alert, confirm) any frame of the page opens, dismissing it: none should. */
export function watchDialogs(page: Page): string[] {
  const opened: string[] = [];
  page.on('dialog', (dialog) => {
    opened.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  return opened;
}
