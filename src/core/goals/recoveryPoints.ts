/**
 * Recovery checkpoints and rollback. Every iteration starts with one: the goal branch's commit kept
 * under `refs/switchboard/goals/<goal>/checkpoints/<cp>` and the goal's state (its task graph and
 * iterations) in `goals/<goal>/checkpoints/<cp>.json`. A rollback puts the branch and the state
 * back to one, and never loses work: the tip it leaves is kept under an `abandoned/` ref (and
 * changes nobody committed in the goal's checkout, as a commit under another), named in the result.
 */
import { changeDiscoveries, readDiscoveries, type Discovery } from '../discoveries/discoveryStore';
import { SwitchboardError } from '../errors';
import { git } from '../git/gitCommand';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { restoreGoalCheckout } from './goalCheckout';
import type { GoalRecord, Iteration, RecoveryPoint, Rollback } from './goalRecord';

/** What a checkpoint keeps of the goal: enough to go on from there. */
interface CheckpointState {
  version: 1;
  goal: string;
  point: RecoveryPoint;
  phase: GoalRecord['phase'];
  iteration: number;
  tasks: GoalRecord['tasks'];
  iterations: Iteration[];
}

export const goalRefs = (id: string): string => `refs/switchboard/goals/${id}`;

const stamp = (at: number): string => new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

async function head(checkout: string): Promise<string> {
  return (await git(checkout, ['rev-parse', '--verify', 'HEAD^{commit}'])).stdout.trim();
}

/** Records the checkpoint the current iteration starts from (once per iteration), in git and on disk. */
export async function recordRecoveryPoint(stateDir: string, goal: GoalRecord, iteration: Iteration, now = Date.now()): Promise<RecoveryPoint> {
  const points = (goal.recoveryPoints ??= []);
  const id = `cp-${points.length + 1}`;
  const commit = await head(goal.checkout);
  const ref = `${goalRefs(goal.id)}/checkpoints/${id}`;
  await git(goal.checkout, ['update-ref', ref, commit]);
  const point: RecoveryPoint = { id, iteration: iteration.n, at: now, commit, ref };
  iteration.checkpoint = id;
  const state: CheckpointState = { version: 1, goal: goal.id, point, phase: goal.phase, iteration: goal.iteration, tasks: structuredClone(goal.tasks), iterations: structuredClone(goal.iterations) };
  const map = new StateMap(stateDir);
  ensureFolder(map.goal(goal.id).checkpoints);
  writeJsonAtomic(map.goalCheckpoint(goal.id, id), state);
  points.push(point);
  return point;
}

/** The checkpoint `to` names (`cp-2`, or `2`), or the one the current iteration started from. */
export function findRecoveryPoint(goal: GoalRecord, to?: string): RecoveryPoint {
  const points = goal.recoveryPoints ?? [];
  const listed = points.map((p) => `${p.id} (iteration ${p.iteration})`).join(', ') || 'none yet (one is made as each iteration starts)';
  if (points.length === 0) throw new SwitchboardError('invalid_argument', `Goal ${goal.id} has no recovery checkpoint to roll back to.`, `Its checkpoints: ${listed}.`);
  // The last: the one the current iteration started from (after a rollback, later ones belong to the line it left).
  if (to === undefined || to === '') {
    const current = goal.iterations.at(-1)?.checkpoint;
    return points.find((p) => p.id === current) ?? [...points].reverse().find((p) => p.iteration <= goal.iteration) ?? points.at(-1)!;
  }
  const wanted = /^\d+$/.test(to.trim()) ? `cp-${to.trim()}` : to.trim();
  const point = points.find((p) => p.id === wanted);
  if (!point) throw new SwitchboardError('invalid_argument', `Goal ${goal.id} has no checkpoint "${to}".`, `Its checkpoints: ${listed}.`);
  return point;
}

function loadState(stateDir: string, goal: GoalRecord, point: RecoveryPoint): CheckpointState {
  const file = new StateMap(stateDir).goalCheckpoint(goal.id, point.id);
  const read = readJsonFile<CheckpointState>(file, (v) => ((v as CheckpointState)?.version === 1 && Array.isArray((v as CheckpointState).tasks) ? undefined : 'not a version 1 checkpoint'));
  if (read.kind === 'ok') return read.value;
  const why = read.kind === 'corrupt' ? `was corrupt (${read.reason}; set aside as ${read.setAsideAs})` : 'is missing';
  throw new SwitchboardError('invalid_argument', `The state of checkpoint ${point.id} of goal ${goal.id} ${why}; the goal is left as it was.`, `Roll back to another checkpoint: ${(goal.recoveryPoints ?? []).map((p) => p.id).join(', ')}.`);
}

/**
 * Puts the goal branch (its checkout) and the goal's task graph and iterations back to `point`.
 * The caller makes sure nothing works on the goal meanwhile (its team stopped).
 */
export async function rollBack(stateDir: string, goal: GoalRecord, point: RecoveryPoint, now = Date.now()): Promise<Rollback> {
  const state = loadState(stateDir, goal, point);
  await restoreGoalCheckout(stateDir, goal);
  const rollback: Rollback = { at: now, to: point.id, commit: point.commit };
  const label = `${point.id}-${stamp(now)}`;
  // A merge left half done is undone (its branches still hold the work); other changes nobody
  // committed in the checkout (a gate's edits, say) are kept as a commit first.
  await git(goal.checkout, ['merge', '--abort'], { okExitCodes: [128] });
  const dirty = (await git(goal.checkout, ['stash', 'create', `switchboard: uncommitted in goal ${goal.id} before rolling back to ${point.id}`])).stdout.trim();
  if (dirty) {
    rollback.uncommittedRef = `${goalRefs(goal.id)}/abandoned/${label}-uncommitted`;
    await git(goal.checkout, ['update-ref', rollback.uncommittedRef, dirty]);
  }
  const tip = await head(goal.checkout);
  if (tip !== point.commit) {
    rollback.abandonedCommit = tip;
    rollback.abandonedRef = `${goalRefs(goal.id)}/abandoned/${label}`;
    await git(goal.checkout, ['update-ref', rollback.abandonedRef, tip]);
  }
  await git(goal.checkout, ['reset', '--quiet', '--hard', point.commit]);
  // The state as it was (the loop names the teams that work it again after those it had).
  goal.tasks = state.tasks;
  goal.iterations = state.iterations.map((i) => ({ ...i }));
  const current = goal.iterations.at(-1)!;
  current.spentBefore = undefined;
  goal.iteration = state.iteration;
  goal.phase = state.phase;
  goal.team = undefined;
  goal.stagnation = undefined;
  rollback.reopened = await reopenDiscoveries(stateDir, goal, point, now);
  (goal.rollbacks ??= []).push(rollback);
  return rollback;
}

/** Discoveries promoted into tasks the rollback took out of the graph are pending again (their work went with it). */
async function reopenDiscoveries(stateDir: string, goal: GoalRecord, point: RecoveryPoint, now: number): Promise<string[] | undefined> {
  const owner = { goal: goal.id };
  const gone = (d: Discovery): boolean => d.status === 'promoted' && !!d.promotedTask && !goal.tasks.some((t) => t.id === d.promotedTask);
  if (!readDiscoveries(stateDir, owner).some(gone)) return undefined;
  return changeDiscoveries(stateDir, owner, (list) =>
    list.filter(gone).map((d) => {
      Object.assign(d, { status: 'pending', promotedTask: undefined, reason: `its task ${d.promotedTask} was rolled back with the goal to ${point.id}; promote it again`, updatedAt: now });
      return d.id;
    }),
  );
}
