#!/usr/bin/env node
/**
 * The `switchboard` bin (dist/cli.js): runs the CLI bundle (dist/cliBundle.js, built from cliMain.ts)
 * from a V8 code cache, so that a command starts without parsing the whole bundle (see codeCache.ts).
 * A `run` whose state folder has no supervisor host of this build has one started first
 * (dist/coldHost.js), so that it gets ready while the bundle loads.
 */
import * as path from 'node:path';
import type { startColdHost } from './cli/coldHost';
import { takeGlobalOptions } from './cli/globalOptions';
import { SUPERVISOR_SCRIPT } from './cli/supervisorScript';
import { runBundle } from './codeCache';
import { hostPrefix, hostSockets } from './core/registry/hostSockets';
import { defaultStateDir } from './core/state/stateDir';
import { StateMap } from './core/state/stateMap';

const argv = process.argv.slice(2);
const command = takeGlobalOptions(argv).rest[0];

/**
 * For a cold `run` (its state folder's hosts/ has no socket of this build), its host being started;
 * nothing otherwise (a warm host is left to the bundle to find), nor when that fails (the bundle looks
 * again, and tells what is wrong).
 */
function startingHost(): Promise<void> | undefined {
  if (command !== 'run') return undefined;
  try {
    const stateDir = defaultStateDir();
    if (hostSockets(new StateMap(stateDir).hosts, hostPrefix(SUPERVISOR_SCRIPT)).length) return undefined;
    return (runBundle(path.join(__dirname, 'coldHost.js'), 'coldHost') as { startColdHost: typeof startColdHost }).startColdHost(argv, stateDir);
  } catch {
    return undefined;
  }
}

// The cache is made by the first command run, and written again once for each other command (its part: the command's name, after any global option).
const load = (): unknown => runBundle(path.join(__dirname, 'cliBundle.js'), 'cli', { part: command });
const starting = startingHost();
// The host was spawned in this turn's microtasks: the bundle is loaded after them.
if (starting) setImmediate(load);
else load();
