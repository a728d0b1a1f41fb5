/**
 * Bundle entry (dist/coldHost.js) that the bin runs for a `run` in a state folder with no supervisor
 * host of this build (a cold start), before it loads the CLI's bundle (some 25 ms of compiling 2.8 MB):
 * the host is started now, so that it gets ready while the bundle loads and the run is prepared. It is
 * let go of once ready; the bundle's hostForCommandLine (runHost.ts) finds it, or waits behind the
 * host-start lock until it is. A command line `run` refuses starts none.
 */
import { SupervisorHost } from '../core/registry/supervisorHost';
import { ensureStateDir } from '../core/state/stateDir';
import { startsRun } from './runHost';
import { cliHostOptions } from './supervisorScript';

/**
 * Undefined when nothing is being started. Else the host's spawn comes in this turn's microtasks (the
 * checks and the host-start lock, when no other process holds it, wait on no I/O): the bin loads the
 * bundle after them.
 */
export function startColdHost(argv: string[], stateDir: string): Promise<void> | undefined {
  if (!startsRun(argv)) return undefined;
  try {
    ensureStateDir(stateDir);
  } catch {
    // Told by the bundle, which meets it again.
    return undefined;
  }
  return new SupervisorHost(cliHostOptions(stateDir)).warmUp();
}
