#!/usr/bin/env node
/**
 * The `switchboard` bin (dist/cli.js): runs the CLI bundle (dist/cliBundle.js, built from cliMain.ts)
 * from a V8 code cache, so that a command starts without parsing the whole bundle (see codeCache.ts).
 */
import * as path from 'node:path';
import { takeGlobalOptions } from './cli/globalOptions';
import { runBundle } from './codeCache';

// The cache is made by the first command run, and written again once for each other command (its part: the command's name, after any global option).
runBundle(path.join(__dirname, 'cliBundle.js'), 'cli', { part: takeGlobalOptions(process.argv.slice(2)).rest[0] });
