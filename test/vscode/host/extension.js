// Test-only extension: runs the in-host suite (suite.js beside it, bundled from test/vscode by
// scripts/buildInhost.mjs) inside this extension host, where Switchboard is installed too. At
// startup when SWITCHBOARD_INHOST_RESULTS names a file (test/inhost/inhost.test.ts sets it), else on
// the command "Switchboard (tests): Run the In-Host Tests". The suite writes its results to that
// file; a suite that cannot even load is written there as an error.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- an extension's main is CommonJS
const vscode = require('vscode');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fs = require('node:fs');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const path = require('node:path');

let running;

function runSuite() {
  running ??= (async () => {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      await require(path.join(__dirname, 'suite.js')).run();
    } catch (error) {
      const file = process.env.SWITCHBOARD_INHOST_RESULTS;
      // run() writes its results itself; only a suite that did not get that far is written here.
      if (file && !fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ results: [], durationMs: 0, error: String(error && error.stack || error) }));
      throw error;
    } finally {
      running = undefined;
    }
  })();
  return running;
}

function activate(context) {
  context.subscriptions.push(vscode.commands.registerCommand('switchboardTest.runInHostTests', runSuite));
  if (process.env.SWITCHBOARD_INHOST_RESULTS) runSuite().catch(() => undefined);
}

module.exports = { activate, deactivate() {} };
