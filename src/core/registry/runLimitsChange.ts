/**
 * Changing a run's hard limits. A running run's are asked of its supervisor over the run's control
 * socket: it answers from whichever process supervises the run (a detached supervisor host, maybe
 * started by another process), so this works from any process that shares the state folder. A run
 * still waiting in line gets them when it starts (see raisedLimits.ts).
 */
import { SwitchboardError } from '../errors';
import { writeRaisedLimits } from '../runs/raisedLimits';
import { recordOnDisk } from '../runs/recordFile';
import type { RunLimits, RunRecord } from '../runs/types';
import type { RunPaths } from '../state/stateMap';
import { ControlClient } from './controlClient';

/** Gives `run` the limits `limits` from now on; resolves with its record as its supervisor has it then. */
export async function setRunLimits(run: RunRecord, limits: RunLimits, source: string): Promise<RunRecord> {
  if (run.status !== 'running' || !run.controlSocket) throw new SwitchboardError('not_running', `Run ${run.name} is ${run.status}, not running: its limits are not changed.`);
  const client = await ControlClient.connect(run.controlSocket);
  try {
    return await client.request<RunRecord>({ op: 'limits', limits, source });
  } finally {
    client.close();
  }
}

/** Gives `run` the limits `limits`: now if it runs, as it starts if it waits in line. */
export async function changeRunLimits(paths: RunPaths, run: RunRecord, limits: RunLimits, source: string): Promise<void> {
  if (run.status === 'queued') {
    writeRaisedLimits(paths, { limits, source });
    // Its supervisor takes them once its record says it runs: one that looked before they were written runs by now.
    const now = recordOnDisk(paths);
    if (now?.status !== 'running') return;
    run = { ...run, ...now };
  }
  await setRunLimits(run, limits, source);
}
