#!/usr/bin/env node
/**
 * The `switchboard` bin (dist/cli.js): runs the CLI bundle (dist/cliBundle.js, built from cliMain.ts)
 * from a V8 code cache, so that a command starts without parsing the whole bundle (see codeCache.ts).
 * A run's cold supervisor host is started first, so that it gets ready while the bundle loads.
 */
import * as path from 'node:path';
import { startColdHost } from './cli/runHost';
import { takeGlobalOptions } from './cli/globalOptions';
import { runBundle } from './codeCache';

const argv = process.argv.slice(2);
// The cache is made by the first command run, and written again once for each other command (its part: the command's name, after any global option).
const load = (): unknown => runBundle(path.join(__dirname, 'cliBundle.js'), 'cli', { part: takeGlobalOptions(argv).rest[0] });
// The host's spawn comes in this turn's microtasks; the bundle is loaded after them.
if (startColdHost(argv)) setImmediate(load);
else load();
