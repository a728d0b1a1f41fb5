/**
 * The pools' shared ledger (`<state>/pools/ledger.json`): which runs hold a slot, which wait in
 * line, and the counts, for every process over the state directory (the extension, CLI commands,
 * MCP servers). Changed only under a fair lock (store/fairLock.ts), held for the moment of a read,
 * a change in memory and a write; a holder that died or hung past LOCK_STALE_MS loses it.
 */
import * as path from 'node:path';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { withFairLock } from '../store/fairLock';
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

function read(stateDir: string): Ledger {
  const result = readJsonFile<Ledger>(ledgerFile(stateDir), (v) => ((v as Ledger)?.version === 1 && Array.isArray((v as Ledger).slots) && Array.isArray((v as Ledger).queue) ? undefined : 'not a version 1 ledger'));
  // A corrupt ledger was set aside by readJsonFile; the runs themselves are untouched, and cleanup rebuilds what matters.
  return result.kind === 'ok' ? { ...empty(), ...result.value } : empty();
}

/** Runs `change` on the ledger under the lock (in line after those who asked first) and writes what it leaves; returns what it returns. */
export function withLedger<T>(stateDir: string, change: (ledger: Ledger) => T): Promise<T> {
  ensureFolder(path.dirname(lockDir(stateDir)));
  return withFairLock(lockDir(stateDir), () => {
    const ledger = read(stateDir);
    const result = change(ledger);
    writeJsonAtomic(ledgerFile(stateDir), ledger, { durable: false });
    return result;
  }, { what: 'the pools ledger', staleMs: LOCK_STALE_MS, waitMs: LOCK_WAIT_MS });
}

export function readLedger(stateDir: string): Ledger {
  return read(stateDir);
}
