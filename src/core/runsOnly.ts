/**
 * The light ways to open a state folder, beside `openSwitchboard` (the whole core object):
 * `openFeed`, the live feed alone (for a command that reads or tells the feed, such as `events` or
 * `gates reset`), and `openRuns`, the run registry with the feed it tells — what `Switchboard.open`
 * builds first, and all that a process which only starts or reads runs (`switchboard run`) needs,
 * so that it neither loads nor starts the team, goal, discovery and comparison services.
 */
import { Feed } from './feed/feed';
import { silentLogger, type Logger } from './logger';
import { RunRegistry, type RegistryOptions } from './registry/registry';
import { ensureStateDir } from './state/stateDir';
import { StateMap } from './state/stateMap';

export interface Runs {
  readonly state: StateMap;
  readonly feed: Feed;
  readonly runs: RunRegistry;
}

/** Opens the feed of the state folder (made owner-only if need be); the caller disposes it. */
export function openFeed(stateDir: string, logger: Logger = silentLogger): Pick<Runs, 'state' | 'feed'> {
  ensureStateDir(stateDir);
  const state = new StateMap(stateDir);
  return { state, feed: new Feed(state, { logger }) };
}

/** Opens the feed and the registry; rejects (with nothing left open) when the registry cannot open. */
export async function openRuns(options: Omit<RegistryOptions, 'feed'>): Promise<Runs> {
  const { state, feed } = openFeed(options.stateDir, options.logger);
  try {
    return { state, feed, runs: await RunRegistry.open({ ...options, feed }) };
  } catch (error) {
    feed.dispose();
    throw error;
  }
}
