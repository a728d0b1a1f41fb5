/** Reading and writing one run's `run.json` (atomic, versioned, validated). */
import * as fs from 'node:fs';
import { isNoSpace, withReserve } from '../store/diskSpace';
import { overwriteInPlace, readJsonFile, writeJsonAtomic, type ReadResult } from '../store/atomicFile';
import { RunPaths } from '../state/stateMap';
import { isFinished, RUN_STATUSES, type RunRecord } from './types';

function validateRecord(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return 'expected a JSON object';
  const r = value as Partial<RunRecord>;
  if (r.version !== 1) return `unsupported version ${String(r.version)}`;
  if (typeof r.id !== 'string' || !r.id) return 'missing id';
  if (typeof r.runner !== 'string') return 'missing runner';
  if (!RUN_STATUSES.includes(r.status as RunRecord['status'])) return `unknown status ${String(r.status)}`;
  if (typeof r.createdAt !== 'number') return 'missing createdAt';
  return undefined;
}

export function readRecord(paths: RunPaths): ReadResult<RunRecord> {
  const read = readJsonFile<RunRecord>(paths.record, validateRecord);
  if (read.kind === 'ok') {
    // Fields added after a record was written get their defaults.
    read.value.usage ??= { inputTokens: 0, outputTokens: 0 };
    read.value.links ??= {};
    read.value.outputBytes ??= 0;
    read.value.eventCount ??= 0;
  }
  return read;
}

/**
 * A final record (the run ended) that cannot be written for want of space is written with the state
 * folder's reserve given up; the records of running runs never touch the reserve.
 */
export function writeRecord(paths: RunPaths, record: RunRecord, options: { durable?: boolean } = {}): void {
  const write = (): void => writeJsonAtomic(paths.record, record, options);
  if (!isFinished(record.status)) return write();
  try {
    withReserve(paths.diskReserve, write);
  } catch (error) {
    // No reserve left either: over the old record's own bytes, when the compact form fits there.
    if (!isNoSpace(error) || !overwriteInPlace(paths.record, JSON.stringify(record))) throw error;
  }
}

/** The ids of the runs in `runsDir`: its folders (a file put there, a .DS_Store or a stray copy, is no run). Throws as readdir does. */
export function runFolderIds(runsDir: string): string[] {
  return fs.readdirSync(runsDir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? [entry.name] : []));
}

/** The same, none when the folder cannot be read. */
export function runFolderIdsOrNone(runsDir: string): string[] {
  try {
    return runFolderIds(runsDir);
  } catch {
    return [];
  }
}

/** The run's record as on disk, read without setting a bad file aside (it may be another process's); undefined when it cannot be read. */
export function recordOnDisk(paths: RunPaths): Partial<RunRecord> | undefined {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(paths.record, 'utf8'));
    return value !== null && typeof value === 'object' ? (value as Partial<RunRecord>) : undefined;
  } catch {
    return undefined;
  }
}

/** The run's record as on disk when it is a whole one (see recordOnDisk); undefined otherwise. */
export function wholeRecordOnDisk(paths: RunPaths): RunRecord | undefined {
  const value = recordOnDisk(paths);
  return value && validateRecord(value) === undefined ? (value as RunRecord) : undefined;
}

/** The status the run's record on disk says (see recordOnDisk); undefined when it cannot be read. */
export function statusOnDisk(paths: RunPaths): RunRecord['status'] | undefined {
  return recordOnDisk(paths)?.status;
}

/** Whether the run's record on disk says it has ended (written by another process); a record that cannot be read does not. */
export function isFinishedOnDisk(paths: RunPaths): boolean {
  const status = statusOnDisk(paths);
  return status !== undefined && isFinished(status);
}
