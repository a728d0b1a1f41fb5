/**
 * Runs the in-host suite (test/vscode) inside code-server's extension host, as part of `npm test`:
 * one code-server with the packaged Switchboard, the test-only extension that runs the suite at
 * startup and the scripted language model installed beside it; the browser only opens the
 * workbench (the extension host starts with a window). Each in-host test is reported here as a test
 * of its own, failing with the in-host failure's message and stack.
 */
import * as assert from 'node:assert/strict';
import Mocha from 'mocha';
import type { InHostResults } from '../vscode/index';
import { answerDialogAsked, buildInhost, inHostFixture, INHOST_EXTENSION, readResults, SCRIPTED_MODEL } from '../vscode/support/fixture';
import { openSwitchboard, screenshotIfFailed, type SwitchboardSession } from '../e2e/support/session';

/** How long the whole in-host suite may take once the workbench is open. */
const SUITE_TIMEOUT_MS = 15 * 60_000;

/** Waits for the suite's results, answering the modal dialogs its tests ask about meanwhile. */
async function waitForResults(file: string, dialogs: string, session: SwitchboardSession): Promise<InHostResults> {
  const deadline = Date.now() + SUITE_TIMEOUT_MS;
  for (;;) {
    const results = readResults<InHostResults>(file);
    if (results) return results;
    await answerDialogAsked(dialogs, session.page);
    if (Date.now() > deadline) throw new Error(`the in-host suite wrote no results to ${file} within ${SUITE_TIMEOUT_MS / 60_000} min\n--- code-server output ---\n${session.server.logs().slice(-4000)}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe('In the extension host: the VS Code layer through the real API (code-server)', function () {
  this.timeout(60_000);
  let session: SwitchboardSession | undefined;
  let results: InHostResults | undefined;

  before(async function () {
    this.timeout(30 * 60_000 + SUITE_TIMEOUT_MS);
    const started = Date.now();
    buildInhost();
    const fixture = inHostFixture();
    session = await openSwitchboard(fixture.workspace, fixture.settings, fixture.env, [INHOST_EXTENSION, SCRIPTED_MODEL]);
    const opened = Date.now();
    results = await waitForResults(fixture.resultsFile, fixture.dialogs, session);
    console.log(`      (the in-host suite: ${results.results.length} tests in ${(results.durationMs / 1000).toFixed(1)} s; VS Code ready in ${((opened - started) / 1000).toFixed(1)} s)`);
    // One test here per test there, run after this hook (mocha takes a suite's tests when its hooks have run).
    const suite = this.test!.parent!;
    for (const result of results.results) {
      suite.addTest(new Mocha.Test(result.titlePath.join(' › '), function (this: Mocha.Context) {
        if (result.state === 'pending') this.skip();
        if (result.state === 'failed') {
          const error = new Error(result.error?.split('\n')[0] ?? 'failed in the extension host');
          error.stack = `in the extension host, after ${result.durationMs} ms:\n${result.error ?? ''}`;
          throw error;
        }
      }));
    }
  });

  after(async () => {
    await session?.close();
  });

  afterEach(async function () {
    await screenshotIfFailed(this, session?.page, 'inhost');
  });

  it('the suite ran inside the extension host', () => {
    assert.ok(results, 'no results');
    assert.equal(results.error, undefined, results.error);
    assert.ok(results.results.length > 0, 'the in-host suite ran no test');
  });
});
