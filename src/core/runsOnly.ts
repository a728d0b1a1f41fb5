/**
 * The run registry over a state folder with the live feed it tells, and nothing else of the core
 * object: what `Switchboard.open` builds first, and all that a process which only starts or reads
 * runs (`switchboard run`) needs, so that it neither loads nor starts the team, goal, discovery and
 * comparison services.
 */
import { Feed } from './feed/feed';
import { silentLogger } from './logger';
import { RunRegistry, type RegistryOptions } from './registry/registry';
import { ensureStateDir } from './state/stateDir';
import { StateMap } from './state/stateMap';

export interface Runs {
  readonly state: StateMap;
  readonly feed: Feed;
  readonly runs: RunRegistry;
}

/** Opens the feed and the registry; rejects (with nothing left open) when the registry cannot open. */
export async function openRuns(options: Omit<RegistryOptions, 'feed'>): Promise<Runs> {
  ensureStateDir(options.stateDir);
  const state = new StateMap(options.stateDir);
  const feed = new Feed(state, { logger: options.logger ?? silentLogger });
  try {
    return { state, feed, runs: await RunRegistry.open({ ...options, feed }) };
  } catch (error) {
    feed.dispose();
    throw error;
  }
}
