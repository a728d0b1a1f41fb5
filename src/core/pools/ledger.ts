/**
 * The pools' shared ledger (`<state>/pools/ledger.json`): which runs hold a slot, which wait in
 * line, and the counts, for every process over the state directory (the extension, CLI commands,
 * MCP servers). Changed only under a fair lock (store/fairLock.ts), held for the moment of a read,
 * a change in memory and a write; a holder that died or hung past LOCK_STALE_MS loses it. A ledger
 * lost or corrupt is rebuilt from the runs on disk, so that no pool admits more than its size.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { withFairLock } from '../store/fairLock';
import { recordOnDisk, runFolderIdsOrNone } from '../runs/recordFile';
import type { ProcessIdentity } from '../runs/types';

export interface Slot {
  runId: string;
  pool: string;
  admittedAt: number;
}

export interface QueueEntry {
  runId: string;
  pool: string;
  queuedAt: number;
  /** The process that will start the run when a slot frees (it holds what the run needs). */
  launcher: ProcessIdentity;
}

export interface PoolCounts {
  admitted: number;
  rejected: number;
  queued: number;
}

export interface Ledger {
  version: 1;
  slots: Slot[];
  queue: QueueEntry[];
  counts: Record<string, PoolCounts>;
}

const LOCK_STALE_MS = 10_000;
const LOCK_WAIT_MS = 30_000;

export const ledgerFile = (stateDir: string): string => new StateMap(stateDir).poolLedger;
const lockDir = (stateDir: string): string => new StateMap(stateDir).poolLock;

const empty = (): Ledger => ({ version: 1, slots: [], queue: [], counts: {} });

const validate = (v: unknown): string | undefined => ((v as Ledger)?.version === 1 && Array.isArray((v as Ledger).slots) && Array.isArray((v as Ledger).queue) ? undefined : 'not a version 1 ledger');

/**
 * The slots of the runs on disk that hold one: those running, and those a supervisor is starting.
 * Places in line are not rebuilt: a queued record does not tell whether its run was admitted a
 * moment ago or waits (its keeper then ends it, saying its place was lost).
 */
function rebuilt(stateDir: string): Ledger {
  const map = new StateMap(stateDir);
  const ledger = empty();
  for (const id of runFolderIdsOrNone(map.runs)) {
    const run = recordOnDisk(map.run(id));
    if (typeof run?.pool !== 'string') continue;
    if (run.status === 'running' || (run.status === 'queued' && run.supervisor)) ledger.slots.push({ runId: id, pool: run.pool, admittedAt: run.startedAt ?? run.createdAt ?? Date.now() });
  }
  return ledger;
}

/**
 * Under the lock: the ledger as written. A missing one is rebuilt from the runs on disk (slots of
 * live runs count whoever deleted it); a corrupt one is set aside (kept), rebuilt so, and said.
 */
function readHeld(stateDir: string, warn: LedgerWarn): Ledger {
  const result = readJsonFile<Ledger>(ledgerFile(stateDir), validate);
  if (result.kind === 'ok') return { ...empty(), ...result.value };
  const ledger = rebuilt(stateDir);
  if (result.kind === 'corrupt') {
    warn(
      `The pools ledger could not be read (${result.reason}); it was set aside as ${result.setAsideAs} and rebuilt from the runs on disk ` +
      `(slots held again by running runs: ${ledger.slots.length}). Runs that were waiting in line lost their place and end saying so (start them again); the admitted, queued and rejected counts start from 0.`,
    );
  }
  return ledger;
}

/** Told what a person should know: the ledger was found corrupt, set aside and rebuilt. */
export type LedgerWarn = (message: string) => void;

/** Runs `change` on the ledger under the lock (in line after those who asked first) and writes what it leaves; returns what it returns. */
export function withLedger<T>(stateDir: string, change: (ledger: Ledger) => T, warn: LedgerWarn = () => undefined): Promise<T> {
  ensureFolder(path.dirname(lockDir(stateDir)));
  return withFairLock(lockDir(stateDir), () => {
    const ledger = readHeld(stateDir, warn);
    const result = change(ledger);
    writeJsonAtomic(ledgerFile(stateDir), ledger, { durable: false });
    return result;
  }, { what: 'the pools ledger', staleMs: LOCK_STALE_MS, waitMs: LOCK_WAIT_MS, tookOver: warn });
}

/**
 * The ledger as last written, read outside the lock: one that cannot be read is rebuilt from the
 * runs on disk but left where it is (the next change, under the lock, sets it aside and says so).
 */
export function readLedger(stateDir: string): Ledger {
  const written = asWritten(stateDir);
  return typeof written === 'object' ? written : rebuilt(stateDir);
}

/** Whether the ledger as written can be read (a missing one can: it is made with the first run). */
export function ledgerReadable(stateDir: string): boolean {
  return asWritten(stateDir) !== 'unreadable';
}

/** The ledger as written, without the lock and setting nothing aside; or why there is none. */
function asWritten(stateDir: string): Ledger | 'missing' | 'unreadable' {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(ledgerFile(stateDir), 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  return validate(value) === undefined ? { ...empty(), ...(value as Ledger) } : 'unreadable';
}
