#!/usr/bin/env node
/**
 * The `switchboard` bin (dist/cli.js): runs the CLI bundle (dist/cliBundle.js, built from cliMain.ts)
 * from a V8 code cache, so that a command starts without parsing the whole bundle (see codeCache.ts).
 */
import * as path from 'node:path';
import { runBundle } from './codeCache';

runBundle(path.join(__dirname, 'cliBundle.js'), 'cli');
