/**
 * The supervisor host of a `switchboard run`, looked for (or started: a cold one takes the longest to
 * get ready) as the CLI starts, so that it gets ready meanwhile. The bin has a cold one started before
 * it loads the CLI's bundle (coldHost.ts); the bundle looks for it before the command's modules, the
 * config and the core load (hostForCommandLine). Only a command line that starts a run does so: help,
 * the other commands and arguments `run` refuses start none.
 */
import type { SupervisorHost } from '../core/registry/supervisorHost';
import { defaultStateDir, ensureStateDir } from '../core/state/stateDir';
import { asksHelp, takeFormat } from './commandLine';
import { readRunArgs } from './commands/runArgs';
import { cliHostOptions } from './supervisorScript';

/** A supervisor host of the state folder, found or started now, for a run about to start (the registry takes it over). */
export async function findHostSoon(stateDir: string): Promise<SupervisorHost> {
  ensureStateDir(stateDir);
  const { SupervisorHost } = await import('../core/registry/supervisorHost.js');
  const host = new SupervisorHost(cliHostOptions(stateDir));
  host.prepare();
  return host;
}

/** Whether the command line starts a run: `run` with arguments it takes, not asking for help. */
export function startsRun(argv: string[]): boolean {
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
