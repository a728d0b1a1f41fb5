/**
 * Counters that last: one document in the state folder (`metrics/counters.json`) that every process
 * of the folder adds to under a file lock, so that `switchboard metrics`, MCP `get_metrics` and the
 * HTTP API all see the totals of every process, across restarts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { tryFileLock, withFileLock } from '../feed/fileLock';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';

/** Every counter, with what it counts (the Prometheus HELP text). */
export const COUNTERS = {
  total_runs: 'agent runs that started',
  total_runs_failed: 'runs that ended failed or lost their processes (orphaned)',
  total_kills: 'runs killed',
  total_steers: 'messages sent to running agents (steer)',
  total_interrupts: 'interrupts sent to running agents',
  total_team_runs: 'teams started',
  total_spawns: 'teams started (the same figure as total_team_runs, for tools that read this name)',
  total_shutdowns: 'teams shut down',
  total_tasks_created: 'tasks added to teams',
  total_tasks_completed: 'tasks done',
  total_tasks_failed: 'task attempts that failed',
  total_goal_runs: 'goals created',
  total_goal_iterations: 'goal iterations verified by their gates',
  total_gate_runs: 'verification gate runs',
  total_gate_failures: 'verification gate runs that failed',
  total_mcp_calls: 'MCP tool calls',
  total_mcp_errors: 'MCP tool calls that answered an error',
  total_api_calls: 'HTTP API calls of operations',
  total_api_errors: 'HTTP API calls of operations that answered an error',
  total_input_tokens: 'input tokens of runs that ended',
  total_output_tokens: 'output tokens of runs that ended',
  total_tokens: 'input and output tokens of runs that ended',
  total_cost_usd: 'US dollars spent by runs that ended (reported, else estimated)',
} as const;

export type CounterName = keyof typeof COUNTERS;
export const COUNTER_NAMES = Object.keys(COUNTERS) as CounterName[];
export type CounterDeltas = Partial<Record<CounterName, number>>;

/** `set_aside`: counter files found unreadable and set aside (what was counted before `created_at` is in them). */
export type Counters = Record<CounterName, number> & { created_at: string; updated_at: string; set_aside?: string[] };

interface CountersFile {
  version: 1;
  created_at: string;
  updated_at: string;
  counters: Partial<Record<CounterName, number>>;
}

function validate(value: unknown): string | undefined {
  const doc = value as CountersFile;
  if (!doc || typeof doc !== 'object' || doc.version !== 1 || typeof doc.created_at !== 'string' || !doc.counters || typeof doc.counters !== 'object') return 'not a counters document (version 1)';
  return undefined;
}

function load(state: StateMap): CountersFile | undefined {
  const read = readJsonFile<CountersFile>(state.metricsCounters, validate);
  return read.kind === 'ok' ? read.value : undefined;
}

function shaped(doc: CountersFile | undefined, now: string): Counters {
  const counters = Object.fromEntries(COUNTER_NAMES.map((name) => [name, Number(doc?.counters[name] ?? 0) || 0])) as Record<CounterName, number>;
  counters.total_cost_usd = Math.round(counters.total_cost_usd * 1e6) / 1e6;
  return { ...counters, created_at: doc?.created_at ?? now, updated_at: doc?.updated_at ?? now };
}

/** The counters as they are now (all zero, dated now, before anything was counted). */
export function readCounters(state: StateMap): Counters {
  const counters = shaped(load(state), new Date().toISOString());
  const setAside = setAsideFiles(state.metricsCounters);
  return setAside.length > 0 ? { ...counters, set_aside: setAside } : counters;
}

/** Why the counters start at their created_at, when their file was found unreadable. */
export const countersRestartedWhy = (setAside: readonly string[]): string => `the file that kept them was unreadable and was set aside as ${setAside.join(', ')}.`;

/** The counter files set aside beside `file` (see readJsonFile): they say why the counts restarted. */
function setAsideFiles(file: string): string[] {
  const prefix = `${path.basename(file)}.corrupt-`;
  try {
    return fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith(prefix)).sort().map((name) => path.join(path.dirname(file), name));
  } catch {
    return [];
  }
}

/**
 * Adds to the counters, under the lock so that no other process's addition is lost. Never waits:
 * added now when the lock is free, else as soon as it frees (the promise says when; it rejects
 * when the folder cannot be written).
 */
export async function addCounters(state: StateMap, deltas: CounterDeltas): Promise<void> {
  const names = COUNTER_NAMES.filter((n) => deltas[n]);
  if (!names.length) return;
  ensureFolder(state.at('metrics/'));
  const add = (): true => {
    const now = new Date().toISOString();
    const doc: CountersFile = load(state) ?? { version: 1, created_at: now, updated_at: now, counters: {} };
    for (const name of names) doc.counters[name] = (doc.counters[name] ?? 0) + deltas[name]!;
    doc.updated_at = now;
    writeJsonAtomic(state.metricsCounters, doc, { durable: false });
    return true;
  };
  if (!tryFileLock(state.metricsLock, add)) await withFileLock(state.metricsLock, add);
}
