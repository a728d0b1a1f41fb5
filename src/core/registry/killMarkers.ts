/**
 * Kills that must stick. A run killed from here because its supervisor could not be reached gets
 * a marker (`kill.json` in its folder, runs/killMarker.ts): the supervisor, if it still lives, records
 * the run killed as the marker says; should it have written its record first, every process that
 * reads that record makes it `killed` again. A marker is looked for when a finished record is read
 * from its file; a record taken from the record cache was looked at when it was cached, and noting a
 * kill tells every cache made before to look again (finishedRecordChanged).
 */
import type { Logger } from '../logger';
import type { StateMap } from '../state/stateMap';
import { writeRecord } from '../runs/recordFile';
import { isFinished, type RunRecord } from '../runs/types';
import { readKillMarker, writeKillMarker } from '../runs/killMarker';
import { finishedRecordChanged } from './recordCache';

export class KillMarkers {
  private readonly killedHere = new Map<string, string>();

  constructor(private readonly paths: StateMap, private readonly log: Logger, private readonly warn: (message: string) => void) {}

  /** Remembers the kill, on disk too, so that the supervisor's own record of the agent's death does not undo it. */
  note(id: string, reason: string): void {
    this.killedHere.set(id, reason);
    try {
      writeKillMarker(this.paths.run(id), reason);
      // A record cached as finished before the marker (the run ended as it was being killed) is looked at again.
      finishedRecordChanged(this.paths.runsCacheGeneration);
    } catch (error) {
      this.log.warn(`could not note the kill of ${id}: ${(error as Error).message}`);
    }
  }

  /**
   * A run the user killed stays killed, whatever its supervisor recorded after. `fromFile`: the
   * record was read from its file (false: taken from the record cache, whose records were looked at).
   */
  keepKilled(record: RunRecord, fromFile = true): RunRecord {
    if (record.status === 'killed') return record;
    let reason = this.killedHere.get(record.id);
    // Another process's kill is looked up only once the run has ended: a marker is rare, records are many.
    if (reason === undefined && fromFile && isFinished(record.status)) reason = readKillMarker(this.paths.run(record.id))?.reason;
    if (reason === undefined) return record;
    const killed: RunRecord = { ...record, status: 'killed', endedAt: record.endedAt ?? Date.now(), lastError: reason };
    if (isFinished(record.status)) {
      // The supervisor has written its last: put the kill back on disk for every later reader.
      try {
        writeRecord(this.paths.run(record.id), killed);
        finishedRecordChanged(this.paths.runsCacheGeneration);
      } catch (error) {
        this.warn(`could not write the record of ${record.id}: ${(error as Error).message}`);
      }
    }
    return killed;
  }

  forget(id: string): void {
    this.killedHere.delete(id);
  }
}
