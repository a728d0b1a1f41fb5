/**
 * What a registry tidies in the state folder as it opens it: what processes that died there left
 * (temp files of writes cut short, worktrees of runs never recorded), and a pools ledger that cannot
 * be read (set aside, rebuilt and said now, not found at the next run's start).
 */
import { errorMessage } from '../errors';
import type { Logger } from '../logger';
import type { Pools } from '../pools/pools';
import type { StateMap } from '../state/stateMap';
import { sweepStaleTemps } from '../store/staleTemps';
import { sweepAbandonedWorktrees } from './abandonedWorktrees';

export async function openingUpkeep(paths: StateMap, pools: Pools, log: Logger): Promise<void> {
  // The folders every kind of process writes in; a run's own is swept as the run ends.
  const swept = paths.fixedFolders.reduce((count, dir) => count + sweepStaleTemps(dir).length, 0);
  if (swept > 0) log.info(`removed ${swept} temp file${swept === 1 ? '' : 's'} left by writes cut short (their processes are gone)`);
  await pools.check().catch((error: unknown) => log.warn(`could not check the pools ledger: ${errorMessage(error)}`));
  await sweepAbandonedWorktrees(paths, log);
}
