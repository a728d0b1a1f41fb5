#!/usr/bin/env node
/** Bundle entry of the headless CLI (dist/cliBundle.js, which the `switchboard` bin dist/cli.js runs from a code cache). */
import { main } from './cli/main';
import { flushStdio, stdout } from './cli/stdio';
import { writesSettled } from './core/feed/journal';

void main(process.argv.slice(2)).then(async (code) => {
  // Feed lines and counters that waited for a lock another process held are written first.
  await writesSettled();
  // Exit only once stdout and stderr have written everything: a pipe's reader may be slower than us.
  await flushStdio();
  if (stdout.error && code === 0) {
    process.stderr.write(`switchboard: could not write the output: ${stdout.error.message}\n`);
    code = 1;
  }
  process.exit(code);
});
