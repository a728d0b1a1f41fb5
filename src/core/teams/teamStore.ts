/** A team as it is kept on disk (`<state>/teams/<name>/team.json`, written atomically on every change). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { SETTLED_TASK_STATUSES, type Task } from '../dag/task';
import type { ProcessIdentity } from '../runs/types';
import type { Role } from './roles';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { sweepStaleTemps } from '../store/staleTemps';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';

export type TeamStatus = 'planning' | 'running' | 'done' | 'failed' | 'shutdown' | 'interrupted';

/** A team whose scheduler is (or should be) at work. */
export const isActiveTeam = (status: TeamStatus): boolean => status === 'planning' || status === 'running';

export interface TeamWorker {
  name: string;
  role: string;
  runner: string;
  /** Where its runs go when not local (`docker`, `swarm`, …), from the spec's `@backend`. */
  backend?: string;
  /** Where it works: its worktree, or the shared workspace when that is not a git repository. */
  cwd: string;
  branch?: string;
  folder?: string;
}

export interface TeamRecord {
  version: 1;
  name: string;
  spec: string;
  task: string;
  workspace: string;
  status: TeamStatus;
  workers: TeamWorker[];
  tasks: Task[];
  createdAt: number;
  endedAt?: number;
  /** Why workers share the workspace, when they do. */
  warning?: string;
  /** The branch (or, detached, the commit) the worker branches were made from, and are merged into. */
  base?: string;
  /** The planner step, when the tasks came from a planner. */
  plan?: { runIds: string[]; from?: string; rejected?: string[] };
  /** Why the team failed when no task did (a plan that was rejected twice, say). */
  reason?: string;
  /** Files copied into each worktree (they do not count as a worker's uncommitted changes). */
  copyFiles?: string[];
  /** The roles and attempts it was started with, so that any process can take it over as it was. */
  roles?: Record<string, Role>;
  maxAttempts?: number;
  /** The process that runs the scheduler; absent: nobody does. */
  owner?: ProcessIdentity;
  /** Where that process takes requests about the team from other processes (see teamRequests). */
  ownerSocket?: string;
  /** The goal whose iteration this team works (its runs are linked to it, and count against its budget). */
  goal?: string;
}

const TEAM_NAME = /^[A-Za-z0-9][\w.-]{0,63}$/;
const teamFile = (stateDir: string, name: string): string => new StateMap(stateDir).team(name).record;

export function checkTeamName(name: string): string {
  if (!TEAM_NAME.test(name) || name.includes('..')) throw new SwitchboardError('invalid_argument', `"${name}" is not a usable team name.`, 'Use 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit.');
  return name;
}

export function saveTeam(stateDir: string, team: TeamRecord): void {
  const folder = path.dirname(teamFile(stateDir, team.name));
  ensureFolder(folder);
  writeJsonAtomic(teamFile(stateDir, team.name), team, { durable: false });
  // Once it has ended, nothing writes there any more: what writes cut short left goes now.
  if (team.endedAt !== undefined) sweepStaleTemps(folder);
}

export function loadTeam(stateDir: string, name: string): TeamRecord {
  const read = readJsonFile<TeamRecord>(teamFile(stateDir, checkTeamName(name)), (v) => ((v as TeamRecord)?.version === 1 ? undefined : 'not a version 1 team'));
  if (read.kind === 'ok') return read.value;
  if (read.kind === 'corrupt') throw new SwitchboardError('invalid_argument', `The record of team ${name} was corrupt (${read.reason}); it was set aside as ${read.setAsideAs}.`, 'The team is no longer listed; what could be kept of it is in that file, and its runs are still listed.');
  throw new SwitchboardError('unknown_team', `There is no team ${name}.`, `Teams: ${listTeams(stateDir).join(', ') || 'none yet'}.`);
}

export function listTeams(stateDir: string): string[] {
  try {
    return fs.readdirSync(new StateMap(stateDir).teams).filter((n) => fs.existsSync(teamFile(stateDir, n))).sort();
  } catch {
    return [];
  }
}

/** A shut-down team's tasks that had not finished: cancelled, saying why. */
export function cancelUnfinished(tasks: Task[]): void {
  for (const task of tasks) if (!SETTLED_TASK_STATUSES.has(task.status)) Object.assign(task, { status: 'cancelled', reason: 'the team was shut down' });
}

/**
 * Runs `work` holding the team's takeover lock (`<state>/teams/<name>/takeover.lock`, made
 * exclusively), so that two processes cannot resume one team at once. A lock whose process died is broken.
 */
export async function withTakeoverLock<T>(stateDir: string, name: string, work: () => Promise<T>): Promise<T> {
  const lock = new StateMap(stateDir).team(checkTeamName(name)).takeoverLock;
  const me = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(lock, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
      const holder = readJsonFile<ProcessIdentity>(lock, () => undefined);
      if (holder.kind === 'ok' && isSameProcessAlive(holder.value)) throw new SwitchboardError('name_taken', `Team ${name} is being taken over by process ${holder.value.pid}.`, 'Wait a moment and look at `switchboard team status`.');
      fs.rmSync(lock, { force: true });
    }
  }
  try {
    return await work();
  } finally {
    fs.rmSync(lock, { force: true });
  }
}
