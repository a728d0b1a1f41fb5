/** Goals as they are kept on disk: `<state>/goals/<id>/goal.json` (atomic) and the goal's own timeline, `events.jsonl`. */
import * as fs from 'node:fs';
import { SwitchboardError } from '../errors';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { sweepStaleTemps } from '../store/staleTemps';
import { appendJsonLine } from '../store/jsonLines';
import { datedId } from '../store/datedId';
import { isSettledGoal, type GoalRecord } from './goalRecord';

const ID = /^goal-\d{8}-[a-z0-9]{6}$/;
/** `goal-YYYYMMDD-<6 chars>`, unused in this state folder. */
export const newGoalId = (stateDir: string, now = new Date()): string => datedId('goal', (id) => fs.existsSync(new StateMap(stateDir).goal(id).dir), now);

export function checkGoalId(id: string): string {
  if (!ID.test(id)) throw new SwitchboardError('invalid_argument', `"${id}" is not a goal id.`, 'Goal ids look like goal-20261206-abc123; `switchboard goal list` shows them.');
  return id;
}

export function saveGoal(stateDir: string, goal: GoalRecord): void {
  const paths = new StateMap(stateDir).goal(goal.id);
  ensureFolder(paths.dir);
  writeJsonAtomic(paths.record, goal, { durable: false });
  // Settled, it is seldom written again: what writes cut short left goes now.
  if (isSettledGoal(goal.status)) sweepStaleTemps(paths.dir);
}

export function loadGoal(stateDir: string, id: string): GoalRecord {
  const read = readJsonFile<GoalRecord>(new StateMap(stateDir).goal(checkGoalId(id)).record, (v) => ((v as GoalRecord)?.version === 1 && typeof (v as GoalRecord).id === 'string' ? undefined : 'not a version 1 goal'));
  if (read.kind === 'ok') return read.value;
  if (read.kind === 'corrupt') throw new SwitchboardError('invalid_argument', `The record of goal ${id} was corrupt (${read.reason}); it was set aside as ${read.setAsideAs}.`, 'The goal is no longer listed; what could be kept of it is in that file, and its runs are still listed.');
  throw new SwitchboardError('unknown_goal', `There is no goal ${id}.`, `Goals: ${listGoals(stateDir).join(', ') || 'none yet'}.`);
}

/** Goal ids with a record, newest first (ids sort by day). */
export function listGoals(stateDir: string): string[] {
  const state = new StateMap(stateDir);
  try {
    return fs.readdirSync(state.goals).filter((n) => ID.test(n) && fs.existsSync(state.goal(n).record)).sort().reverse();
  } catch {
    return [];
  }
}

/** One entry of a goal's own timeline. */
export interface GoalEvent {
  ts: number;
  kind: string;
  actor?: string;
  summary: string;
}

export function appendGoalEvent(stateDir: string, id: string, event: Omit<GoalEvent, 'ts'>): void {
  const paths = new StateMap(stateDir).goal(id);
  ensureFolder(paths.dir);
  appendJsonLine(paths.events, { ts: Date.now(), ...event });
}
