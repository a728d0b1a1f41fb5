/**
 * Limits given to a run while it waits in a pool's line (its goal's budget extended). Its plan holds
 * the limits it was queued with, and is the host's to take, not to be written again: the new ones
 * are written beside it (`limits.json`), and its supervisor takes them once its record says it runs.
 * Whoever gives them reads the record after writing them, and asks the supervisor directly when it
 * runs by then: of the two, one always sees the other (see changeRunLimits).
 */
import * as fs from 'node:fs';
import type { RunPaths } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import type { RunLimits } from './types';

export interface RaisedLimits {
  limits: RunLimits;
  /** Who gave them, as the run's events say it. */
  source: string;
}

export function writeRaisedLimits(paths: RunPaths, raised: RaisedLimits): void {
  writeJsonAtomic(paths.raisedLimits, raised, { durable: false });
}

/** The limits given while the run waited, once (the file goes); undefined when none were. */
export function takeRaisedLimits(paths: RunPaths): RaisedLimits | undefined {
  const read = readJsonFile<RaisedLimits>(paths.raisedLimits, (v) => {
    const raised = v as RaisedLimits | null;
    return raised && typeof raised.limits === 'object' && raised.limits !== null && typeof raised.source === 'string' ? undefined : 'not raised limits';
  });
  if (read.kind !== 'ok') return undefined;
  fs.rmSync(paths.raisedLimits, { force: true });
  return read.value;
}
