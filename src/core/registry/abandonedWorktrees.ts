/**
 * Worktrees of runs that never got a record. The process starting a `run --worktree` makes the run's
 * worktree and branch (and runs the setup command there) before it writes the run's record: one
 * killed in between (kill -9, a window closed) left both where nothing lists them, nor can `cleanup`
 * find them. Once the run's folder has had no record for RECORDLESS_MS (a setup may take that long),
 * its worktree, its branch and the empty folder are taken away. Nothing was done in them: no agent
 * starts without a record.
 */
import * as fs from 'node:fs';
import { errorMessage } from '../errors';
import { git } from '../git/gitCommand';
import type { Logger } from '../logger';
import { runBranch, runBranchLeaf } from '../runs/runWork';
import type { StateMap } from '../state/stateMap';
import { discardWorktree } from './isolateRun';
import { RECORDLESS_MS } from './runNames';

/** The ids of run worktrees whose run has had no record for RECORDLESS_MS (cheap: asked each time a registry opens). */
function abandonedIds(paths: StateMap, now: number): string[] {
  let ids: string[];
  try {
    ids = fs.readdirSync(paths.runWorktrees);
  } catch {
    return [];
  }
  return ids.filter((id) => {
    const run = paths.run(id);
    if (fs.existsSync(run.record)) return false;
    // Only the mark of a start that died: its run's folder, made and never recorded (a removed run's folder is gone, and its branch has work).
    const made = fs.statSync(run.dir, { throwIfNoEntry: false })?.mtimeMs;
    return made !== undefined && now - made > RECORDLESS_MS;
  });
}

/** Takes away the worktrees (and branches) of runs that never got a record; returns how many. */
export async function sweepAbandonedWorktrees(paths: StateMap, log: Logger, now = Date.now()): Promise<number> {
  const ids = abandonedIds(paths, now);
  for (const id of ids) {
    const folder = paths.runWorktree(id);
    try {
      const branch = (await git(folder, ['rev-parse', '--abbrev-ref', 'HEAD'])).stdout.trim();
      const repo = (await git(folder, ['rev-parse', '--path-format=absolute', '--git-common-dir'])).stdout.trim();
      // Only a branch of a run's own is deleted; a worktree on any other is only removed.
      if (runBranch(runBranchLeaf(branch)) === branch) await discardWorktree({ repo, folder, branch });
      else await git(repo, ['worktree', 'remove', '--force', folder], { okExitCodes: [128] });
    } catch (error) {
      // Not a worktree (its making was cut short): the folder is all there is.
      log.warn(`the worktree of ${id}, a run that never started, is not one git knows (${errorMessage(error)}); its folder is removed`);
    }
    fs.rmSync(folder, { recursive: true, force: true });
    fs.rmSync(paths.run(id).dir, { recursive: true, force: true });
    log.info(`took away the worktree of ${id}: its run was never recorded (the process starting it went away)`);
  }
  return ids.length;
}
