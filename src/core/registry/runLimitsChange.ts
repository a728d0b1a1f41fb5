/**
 * Changing a running run's hard limits, asked of its supervisor over the run's control socket: it
 * answers from whichever process supervises the run (a detached supervisor host, maybe started by
 * another process), so this works from any process that shares the state folder.
 */
import { SwitchboardError } from '../errors';
import type { RunLimits, RunRecord } from '../runs/types';
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
