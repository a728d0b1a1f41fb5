/**
 * The supervisor host of a `switchboard run`, looked for (or started: a cold one takes the longest to
 * get ready) as the CLI starts, so that it gets ready meanwhile. The bin starts a cold one before it
 * loads the CLI's bundle (startColdHost), the bundle looks for it before the command's modules, the
 * config and the core load (hostForCommandLine). Only a command line that starts a run does so: help,
 * the other commands and arguments `run` refuses start none.
 */
import * as path from 'node:path';
import type { SupervisorHost } from '../core/registry/supervisorHost';
import { defaultStateDir, ensureStateDir } from '../core/state/stateDir';
import { asksHelp, takeFormat } from './commandLine';
import { readRunArgs } from './commands/runArgs';

/** The supervisor host script of this build, beside the CLI's bundle. */
export const SUPERVISOR_SCRIPT = path.join(__dirname, 'supervisor.js');

async function hostOf(stateDir: string): Promise<SupervisorHost> {
  ensureStateDir(stateDir);
  const { SupervisorHost } = await import('../core/registry/supervisorHost.js');
  return new SupervisorHost({ stateDir, supervisorScript: SUPERVISOR_SCRIPT, nodePath: process.execPath, env: process.env });
}

/** A supervisor host of the state folder, found or started now, for a run about to start (the registry takes it over). */
export async function findHostSoon(stateDir: string): Promise<SupervisorHost> {
  const host = await hostOf(stateDir);
  host.prepare();
  return host;
}

/** Whether the command line starts a run: `run` with arguments it takes, not asking for help. */
function startsRun(argv: string[]): boolean {
  try {
    const [name, ...args] = takeFormat(argv).rest;
    if (name !== 'run' || asksHelp(args)) return false;
    readRunArgs(args);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a command line that starts a run: its host, being found or started. Undefined otherwise, and
 * when that fails (a state folder that cannot be used): the command meets the problem again and tells it.
 */
export function hostForCommandLine(argv: string[]): Promise<SupervisorHost | undefined> | undefined {
  if (!startsRun(argv)) return undefined;
  return findHostSoon(defaultStateDir()).catch(() => undefined);
}

/**
 * For the bin, before it loads the CLI's bundle (some 25 ms): a command line that starts a run in a
 * state folder with no host of this build has one started now, let go of once ready; the bundle's
 * hostForCommandLine finds it. Undefined when none is being started (not a run, or a host's socket is
 * there already: the bundle looks for it as always). The host is spawned before this returns (the
 * look and the host-start lock, when no other process holds it, take no I/O that waits): the bundle
 * is loaded after (setImmediate), while the host starts.
 */
export function startColdHost(argv: string[]): Promise<void> | undefined {
  if (!startsRun(argv)) return undefined;
  return hostOf(defaultStateDir()).then(
    (host) => (host.hasSocket() ? host.dispose() : host.warmUp()),
    () => undefined,
  );
}
