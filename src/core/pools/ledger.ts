/**
 * The pools' shared ledger (`<state>/pools/ledger.json`): which runs hold a slot, which wait in
 * line, and the counts, for every process over the state directory (the extension, CLI commands,
 * MCP servers). Changed only under an exclusive lock (a directory made with mkdir), which a holder
 * that died or hung past LOCK_STALE_MS loses.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
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
const LOCK_WAIT_MS = 15_000;

export const ledgerFile = (stateDir: string): string => new StateMap(stateDir).poolLedger;
const lockDir = (stateDir: string): string => new StateMap(stateDir).poolLock;

const empty = (): Ledger => ({ version: 1, slots: [], queue: [], counts: {} });

function read(stateDir: string): Ledger {
  const result = readJsonFile<Ledger>(ledgerFile(stateDir), (v) => ((v as Ledger)?.version === 1 && Array.isArray((v as Ledger).slots) && Array.isArray((v as Ledger).queue) ? undefined : 'not a version 1 ledger'));
  // A corrupt ledger was set aside by readJsonFile; the runs themselves are untouched, and cleanup rebuilds what matters.
  return result.kind === 'ok' ? { ...empty(), ...result.value } : empty();
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Runs `change` on the ledger under the lock and writes what it leaves; returns what it returns. */
export function withLedger<T>(stateDir: string, change: (ledger: Ledger) => T): T {
  ensureFolder(path.dirname(lockDir(stateDir)));
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(lockDir(stateDir), { mode: 0o700 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let age = 0;
      try {
        age = Date.now() - fs.statSync(lockDir(stateDir)).mtimeMs;
      } catch {
        continue; // Released meanwhile.
      }
      if (age > LOCK_STALE_MS) fs.rmSync(lockDir(stateDir), { recursive: true, force: true });
      else if (Date.now() > deadline) throw new SwitchboardError('state_unwritable', `The pools ledger stayed locked for ${LOCK_WAIT_MS / 1000} s.`, `Another Switchboard process holds ${lockDir(stateDir)}; remove it if none is running.`);
      else sleepSync(5);
    }
  }
  try {
    const ledger = read(stateDir);
    const result = change(ledger);
    writeJsonAtomic(ledgerFile(stateDir), ledger, { durable: false });
    return result;
  } finally {
    fs.rmSync(lockDir(stateDir), { recursive: true, force: true });
  }
}

export function readLedger(stateDir: string): Ledger {
  return read(stateDir);
}
