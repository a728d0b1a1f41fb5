/**
 * The rows of the Goals view as data (no `vscode` import): what each row is, its stable key, the
 * groups under a goal and the rows below each. How they look is in goalItems.ts and goalPartItems.ts.
 */
import type { GoalSnapshot } from '../goals/goalWatcher';
import { checkpointEntries } from '../goals/checkpointRows';

export type GoalGroup = 'gates' | 'tasks' | 'discoveries' | 'iterations' | 'checkpoints' | 'artifacts';
export const GOAL_GROUPS: readonly GoalGroup[] = ['gates', 'tasks', 'discoveries', 'iterations', 'checkpoints', 'artifacts'];

/** A row of the Goals view; the same object for as long as the row exists (menus hand it to commands). */
export type GoalNode =
  | { kind: 'goal'; goal: string }
  | { kind: GoalGroup; goal: string; /** An empty group: a row of its own, so that it opens expanded once it has rows. */ none?: true }
  | { kind: 'gate'; goal: string; gate: string }
  | { kind: 'task'; goal: string; task: string }
  | { kind: 'discovery'; goal: string; discovery: string }
  | { kind: 'iteration'; goal: string; n: number }
  | { kind: 'gateResult'; goal: string; n: number; gate: string }
  | { kind: 'checkpoint'; goal: string; checkpoint: string }
  | { kind: 'rollback'; goal: string; at: number }
  | { kind: 'artifact'; goal: string; path: string };

export const isGoalGroup = (node: GoalNode): node is Extract<GoalNode, { kind: GoalGroup }> => (GOAL_GROUPS as readonly string[]).includes(node.kind);

function leafOf(node: GoalNode): string {
  switch (node.kind) {
    case 'gate':
      return node.gate;
    case 'task':
      return node.task;
    case 'discovery':
      return node.discovery;
    case 'iteration':
      return String(node.n);
    case 'gateResult':
      return `${node.n}/${node.gate}`;
    case 'checkpoint':
      return node.checkpoint;
    case 'rollback':
      return String(node.at);
    case 'artifact':
      return node.path;
    default:
      return isGoalGroup(node) && node.none ? 'none' : '';
  }
}

export function goalNodeKey(node: GoalNode): string {
  return `${node.kind}:${node.goal}/${leafOf(node)}`;
}

/** The groups under a goal: Checkpoints once there is one, Artifacts once there is one, the others always. */
export function goalGroups(snapshot: GoalSnapshot): GoalGroup[] {
  const { goal } = snapshot.view;
  const has: Record<GoalGroup, boolean> = { gates: true, tasks: true, discoveries: true, iterations: true, checkpoints: !!(goal.recoveryPoints?.length || goal.rollbacks?.length), artifacts: goal.artifacts.length > 0 };
  return GOAL_GROUPS.filter((g) => has[g]);
}

/** The nodes below one (not yet interned: the view keeps one object per row). */
export function goalChildNodes(node: GoalNode, snapshot: GoalSnapshot): GoalNode[] {
  const { goal } = snapshot.view;
  const id = goal.id;
  switch (node.kind) {
    case 'goal':
      return goalGroups(snapshot).map((kind) => (kind === 'discoveries' && snapshot.discoveries.length === 0 ? { kind, goal: id, none: true } : { kind, goal: id }));
    case 'gates':
      return goal.gates.map((g) => ({ kind: 'gate', goal: id, gate: g.name }));
    case 'tasks':
      return goal.tasks.map((t) => ({ kind: 'task', goal: id, task: t.id }));
    case 'discoveries':
      return snapshot.discoveries.map((d) => ({ kind: 'discovery', goal: id, discovery: d.id }));
    case 'iterations':
      return goal.iterations.map((i) => ({ kind: 'iteration', goal: id, n: i.n }));
    case 'checkpoints':
      return checkpointEntries(goal).map((e) => (e.kind === 'checkpoint' ? { kind: 'checkpoint', goal: id, checkpoint: e.point.id } : { kind: 'rollback', goal: id, at: e.rollback.at }));
    case 'artifacts':
      return goal.artifacts.map((a) => ({ kind: 'artifact', goal: id, path: a.path }));
    case 'iteration':
      return (goal.iterations.find((i) => i.n === node.n)?.gates ?? []).map((g) => ({ kind: 'gateResult', goal: id, n: node.n, gate: g.name }));
    default:
      return [];
  }
}

const PARENT_GROUP: Partial<Record<GoalNode['kind'], GoalGroup>> = { gate: 'gates', task: 'tasks', discovery: 'discoveries', iteration: 'iterations', checkpoint: 'checkpoints', rollback: 'checkpoints', artifact: 'artifacts' };

/** The parent of a row, as a node (not yet interned); undefined for a goal row. */
export function goalParentNode(node: GoalNode): GoalNode | undefined {
  if (node.kind === 'goal') return undefined;
  if (isGoalGroup(node)) return { kind: 'goal', goal: node.goal };
  if (node.kind === 'gateResult') return { kind: 'iteration', goal: node.goal, n: node.n };
  return { kind: PARENT_GROUP[node.kind]!, goal: node.goal };
}

/** The rows of each group under a goal (of the groups it has), to tell a group whose rows came or went. */
export function goalMembers(snapshot: GoalSnapshot): Partial<Record<GoalGroup, string>> {
  const { goal } = snapshot.view;
  const lists: Record<GoalGroup, () => string[]> = {
    gates: () => goal.gates.map((g) => g.name),
    tasks: () => goal.tasks.map((t) => t.id),
    discoveries: () => snapshot.discoveries.map((d) => d.id),
    iterations: () => goal.iterations.map((i) => `${i.n}:${i.gates?.map((g) => g.name).join(',') ?? ''}`),
    checkpoints: () => checkpointEntries(goal).map((e) => (e.kind === 'checkpoint' ? e.point.id : `r${e.rollback.at}`)),
    artifacts: () => goal.artifacts.map((a) => a.path),
  };
  return Object.fromEntries(goalGroups(snapshot).map((group) => [group, lists[group]().join('\0')]));
}
