#!/usr/bin/env node
/**
 * The `switchboard` bin (dist/cli.js): runs the CLI bundle (dist/cliBundle.js, built from cliMain.ts)
 * from a V8 code cache, so that a command starts without parsing the whole bundle (see codeCache.ts).
 */
import * as path from 'node:path';
import { runBundle } from './codeCache';

/** Commands that change V8's flags as they start (`switchboard mcp` and `serve`: see mcp.ts), whose cache every other process would reject. */
const CHANGES_V8_FLAGS = new Set(['mcp', 'serve']);

// The cache is made by the first command run, and written again once for each other command (its part).
const part = process.argv[2];
runBundle(path.join(__dirname, 'cliBundle.js'), 'cli', { part, save: !CHANGES_V8_FLAGS.has(part ?? '') });
