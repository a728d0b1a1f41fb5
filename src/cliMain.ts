#!/usr/bin/env node
/** Bundle entry of the headless CLI (dist/cliBundle.js, which the `switchboard` bin dist/cli.js runs from a code cache). */
import { hostForCommandLine } from './cli/runHost';

const argv = process.argv.slice(2);
// A run's supervisor host is looked for (a cold one started) first, so that it gets ready while the rest of the CLI loads.
const runHost = hostForCommandLine(argv);

void (async () => {
  const { main } = await import('./cli/main.js');
  let code = await main(argv, runHost);
  const [{ writesSettled }, { flushStdio, stdout }] = await Promise.all([import('./core/feed/journal.js'), import('./cli/stdio.js')]);
  // Feed lines and counters that waited for a lock another process held are written first.
  await writesSettled();
  // Exit only once stdout and stderr have written everything: a pipe's reader may be slower than us.
  await flushStdio();
  if (stdout.error && code === 0) {
    process.stderr.write(`switchboard: could not write the output: ${stdout.error.message}\n`);
    code = 1;
  }
  process.exit(code);
})();
