/**
 * A comparison (`switchboard compare`): one prompt given to several runners (and models) at once,
 * each in a worktree of its own, then the same gates run in each. Kept in
 * `<state>/compares/<id>/compare.json` (atomic), with its gates' logs beside it.
 */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import type { GateResult, GateSpec } from '../gates/gate';
import type { ProcessIdentity, RunStatus, Usage } from '../runs/types';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { datedId } from '../store/datedId';

/** `running`: its agents work; `verifying`: its gates run; then `done`, or `cancelled` (stopped by a person). */
export const COMPARE_STATUSES = ['running', 'verifying', 'done', 'cancelled'] as const;
export type CompareStatus = (typeof COMPARE_STATUSES)[number];

/** One contender's gates: whether every required one passed, and each result (its output is in its log). */
export interface EntryGates {
  passed: boolean;
  results: Pick<GateResult, 'name' | 'passed' | 'required' | 'exitCode' | 'timedOut' | 'durationMs' | 'log'>[];
}

/** What a contender's run came to, kept when the comparison ends (the run itself may be removed later). */
export interface EntryOutcome {
  status: RunStatus;
  elapsedMs: number;
  usage: Usage;
  model?: string;
  files: number;
  insertions: number;
  deletions: number;
}

export interface CompareEntry {
  runner: string;
  /** The model asked for (absent: the runner's configured one). */
  model?: string;
  runId?: string;
  /** The run's name, for `switchboard diff/merge <name>`. */
  name?: string;
  branch?: string;
  /** Why it could not start. */
  error?: string;
  gates?: EntryGates;
  /** Why its gates were not run (its run did not end done, the comparison was cancelled). */
  gatesSkipped?: string;
  outcome?: EntryOutcome;
}

export interface CompareRecord {
  version: 1;
  id: string;
  /** Secrets redacted (each run got it whole). */
  prompt: string;
  workspace: string;
  status: CompareStatus;
  gates: GateSpec[];
  entries: CompareEntry[];
  createdAt: number;
  endedAt?: number;
  /** The process that runs it (waits for its runs, runs its gates). */
  owner?: ProcessIdentity;
  startedBy?: string;
}

/** A contender as it stands: its run's live figures while the run is known, else what was kept when the comparison ended. */
export interface CompareRow extends Partial<Omit<EntryOutcome, 'status'>> {
  runner: string;
  model?: string;
  name?: string;
  runId?: string;
  branch?: string;
  status: RunStatus | 'not started';
  gates?: CompareEntry['gates'];
  gatesSkipped?: string;
  error?: string;
}

export interface CompareView {
  record: CompareRecord;
  rows: CompareRow[];
  /** False when it had not ended but the process that ran it has exited (nothing will run its gates). */
  owned: boolean;
}

const ID = /^cmp-\d{8}-[a-z0-9]{6}$/;
/** `cmp-YYYYMMDD-<6 chars>`, unused in this state folder. */
export const newCompareId = (stateDir: string, now = new Date()): string => datedId('cmp', (id) => fs.existsSync(new StateMap(stateDir).compare(id).dir), now);

export function saveCompare(stateDir: string, record: CompareRecord): void {
  const paths = new StateMap(stateDir).compare(record.id);
  ensureFolder(paths.dir);
  writeJsonAtomic(paths.record, record, { durable: false });
}

/** Comparison ids with a record, by day, newest first. */
export function listCompares(stateDir: string): string[] {
  const state = new StateMap(stateDir);
  try {
    return fs.readdirSync(state.compares).filter((n) => ID.test(n) && fs.existsSync(state.compare(n).record)).sort((a, b) => b.localeCompare(a));
  } catch {
    return [];
  }
}

export function loadCompare(stateDir: string, id: string): CompareRecord {
  const unknown = (): SwitchboardError => new SwitchboardError('unknown_compare', `There is no comparison ${id}.`, `Comparisons: ${listCompares(stateDir).slice(0, 10).join(', ') || 'none yet'} (switchboard compare list).`);
  if (!ID.test(id)) throw unknown();
  const read = readJsonFile<CompareRecord>(new StateMap(stateDir).compare(id).record, (v) => ((v as CompareRecord)?.version === 1 && Array.isArray((v as CompareRecord).entries) ? undefined : 'not a version 1 comparison'));
  if (read.kind === 'ok') return read.value;
  if (read.kind === 'corrupt') throw new SwitchboardError('invalid_argument', `The record of comparison ${id} was corrupt (${read.reason}); it was set aside as ${read.setAsideAs}.`);
  throw unknown();
}
