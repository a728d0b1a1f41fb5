/**
 * A kill asked by a process that cannot write the state folder (remounted read-only, or not this
 * user's to write): the registry cannot open there, yet the run's supervisor can still stop it, and
 * records the kill itself (now, or once its folder can be written again). The run is found and its
 * supervisor asked without writing anything; a run without a live supervisor is refused, since
 * stopping it from here would leave its end unrecorded.
 */
import { DEFAULT_CONFIG, loadConfigFile } from '../config';
import { SwitchboardError } from '../errors';
import { isSameProcessAlive } from '../proc/processTable';
import { runFolderIdsOrNone, wholeRecordOnDisk } from '../runs/recordFile';
import { isFinished, type RunRecord } from '../runs/types';
import { isPlainSegment, StateMap } from '../state/stateMap';
import { KILL_ANSWER_MARGIN_MS, type KillResult } from '../supervisor/protocol';
import { ControlClient } from './controlClient';
import { resolveRun } from './resolveRun';

/** Every whole record of the folder, read as it is (nothing corrupt is set aside: that is a write). */
function recordsAsTheyAre(map: StateMap, query: string): RunRecord[] {
  const id = query.trim();
  const exact = isPlainSegment(id) ? wholeRecordOnDisk(map.run(id)) : undefined;
  if (exact) return [exact];
  return runFolderIdsOrNone(map.runs).flatMap((id) => wholeRecordOnDisk(map.run(id)) ?? []);
}

/** The kill grace of the folder's settings (a config.json that cannot be read, nor set aside here: the default). */
function killGraceMs(stateDir: string): number {
  try {
    return loadConfigFile(stateDir).config.killGraceMs;
  } catch {
    return DEFAULT_CONFIG.killGraceMs;
  }
}

/**
 * Stops the run named `query` through its supervisor, writing nothing here. `unwritable` says why the
 * folder cannot be written (it is told when the run cannot be stopped so).
 */
export async function killThroughSupervisor(stateDir: string, query: string, options: { force?: boolean; source: string }, unwritable: string): Promise<{ run: RunRecord; result: KillResult }> {
  let run: RunRecord;
  try {
    run = resolveRun(recordsAsTheyAre(new StateMap(stateDir), query), query);
  } catch (error) {
    // Not found (or not only one) as the folder can be read: why it cannot be written is said first.
    const { code, message, hint, details } = error as SwitchboardError;
    throw new SwitchboardError(code, `${unwritable} ${message}`, hint, details);
  }
  if (isFinished(run.status)) return { run, result: { killed: false, pid: run.agent?.pid, status: run.status } };
  const refuse = (why: string): SwitchboardError =>
    new SwitchboardError('state_unwritable', `${unwritable} Run ${run.name} cannot be stopped without writing there: ${why}.`, 'Make the state folder writable again (or run this as the user who owns it), then kill it again.');
  if (run.status === 'queued' && !run.supervisor) throw refuse('it waits in line, and taking it out of the line is a write');
  if (!run.supervisor || !run.controlSocket || !isSameProcessAlive(run.supervisor)) throw refuse('its supervisor is gone, so its end would be recorded from here');
  let client: ControlClient;
  try {
    client = await ControlClient.connect(run.controlSocket);
  } catch (error) {
    throw refuse(`its supervisor cannot be reached (${(error as Error).message}), so its end would be recorded from here`);
  }
  try {
    return { run, result: await client.request<KillResult>({ op: 'kill', force: options.force ?? false, source: options.source }, killGraceMs(stateDir) + KILL_ANSWER_MARGIN_MS) };
  } catch (error) {
    throw refuse(`its supervisor did not answer (${(error as Error).message}), so its end would be recorded from here`);
  } finally {
    client.close();
  }
}
