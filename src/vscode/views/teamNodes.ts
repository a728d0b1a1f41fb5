/**
 * The rows of the Teams view as data (no `vscode` import): what each row is, its stable key, the
 * groups under a team and the rows below each. How they look is in teamItems.ts.
 */
import type { TeamSnapshot } from '../teams/teamWatcher';

/** A row of the Teams view; the same object for as long as the row exists (menus hand it to commands). */
export type TeamNode =
  | { kind: 'team'; team: string }
  | { kind: 'workers'; team: string }
  | { kind: 'tasks'; team: string }
  | { kind: 'discoveries'; team: string; /** Empty: a row of its own, so that it opens expanded once it has rows. */ none?: true }
  | { kind: 'worker'; team: string; worker: string }
  | { kind: 'task'; team: string; task: string }
  | { kind: 'discovery'; team: string; discovery: string };

export type TeamGroup = 'workers' | 'tasks' | 'discoveries';

export function nodeKey(node: TeamNode): string {
  const leaf = node.kind === 'worker' ? node.worker : node.kind === 'task' ? node.task : node.kind === 'discovery' ? node.discovery : node.kind === 'discoveries' && node.none ? 'none' : '';
  return `${node.kind}:${node.team}/${leaf}`;
}

/** The groups under a team: Workers and Tasks, and Discoveries unless the team is a goal's (its discoveries are the goal's). */
export function teamGroups(snapshot: TeamSnapshot): TeamGroup[] {
  return snapshot.view.team.goal ? ['workers', 'tasks'] : ['workers', 'tasks', 'discoveries'];
}

/** The nodes below one (not yet interned: the view keeps one object per row). */
export function teamChildNodes(node: TeamNode, snapshot: TeamSnapshot): TeamNode[] {
  const { team } = snapshot.view;
  if (node.kind === 'team') return teamGroups(snapshot).map((kind) => (kind === 'discoveries' && snapshot.discoveries.length === 0 ? { kind, team: team.name, none: true } : { kind, team: team.name }));
  if (node.kind === 'workers') return team.workers.map((w) => ({ kind: 'worker', team: team.name, worker: w.name }));
  if (node.kind === 'tasks') return team.tasks.map((t) => ({ kind: 'task', team: team.name, task: t.id }));
  if (node.kind === 'discoveries') return snapshot.discoveries.map((d) => ({ kind: 'discovery', team: team.name, discovery: d.id }));
  return [];
}

const GROUP_OF = { worker: 'workers', task: 'tasks', discovery: 'discoveries' } as const;

/** The parent of a row, as a node (not yet interned); undefined for a team row. */
export function teamParentNode(node: TeamNode): TeamNode | undefined {
  if (node.kind === 'team') return undefined;
  if (node.kind === 'workers' || node.kind === 'tasks' || node.kind === 'discoveries') return { kind: 'team', team: node.team };
  return { kind: GROUP_OF[node.kind], team: node.team };
}

/** The rows of each group under a team, to tell a group whose rows came or went. */
export function teamMembers(snapshot: TeamSnapshot): Partial<Record<TeamGroup, string>> {
  const { team } = snapshot.view;
  const lists: Record<TeamGroup, () => string[]> = {
    workers: () => team.workers.map((w) => w.name),
    tasks: () => team.tasks.map((t) => t.id),
    discoveries: () => snapshot.discoveries.map((d) => d.id),
  };
  return Object.fromEntries(teamGroups(snapshot).map((group) => [group, lists[group]().join('\0')]));
}
