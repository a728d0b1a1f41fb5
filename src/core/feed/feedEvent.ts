/**
 * One change in the live feed: a JSON line of the journal with a sequence number that only grows,
 * the time, a type, the key of the entity that changed (`run:<id>`, `team:<name>`,
 * `task:<team>/<id>`, `pool:<name>`, `gate:<workspace>/<gate>`, `discovery:<goal or team>/<id>`, `compare:<id>`) and the entity as it is after the change.
 */

/** The types of change, with what each means. */
export const FEED_TYPES = {
  'agent.started': 'a run has started (its agent process has a pid)',
  'agent.updated': 'a running agent reported something new: its session, usage, an answer',
  'agent.waiting': 'a running agent waits for a person (an approval, input)',
  'agent.completed': 'a run ended done',
  'agent.failed': 'a run ended failed',
  'agent.killed': 'a run was killed',
  'agent.orphaned': 'a run lost its processes without a recorded exit',
  'agent.removed': 'a finished run and its logs were removed',
  'steering.intervention': 'a message, an interrupt or a kill was sent to a running agent',
  'pool.queued': 'a run took a place in a pool\'s line',
  'pool.admitted': 'a run was given a slot in a pool',
  'pool.released': 'a run left its slot or its place in line',
  'team.started': 'a team was made and starts working',
  'team.updated': 'a team changed: planned, resumed, taken over, let go',
  'team.ended': 'a team ended: done, failed, shut down, interrupted',
  'task.added': 'a task was added to a team',
  'task.assigned': 'a task went to a worker (its run starts)',
  'task.completed': 'a task is done',
  'task.failed': 'a task failed (it may be tried again)',
  'task.blocked': 'a task cannot run: something it depends on failed or was cancelled',
  'task.cancelled': 'a task was cancelled',
  'task.updated': 'a task changed otherwise (back in line after a cut-short start, say)',
  'merge.started': "a worker's or a run's branch is being merged",
  'merge.completed': "a worker's or a run's branch was merged",
  'merge.failed': "a worker's or a run's branch could not be merged",
  'compare.started': 'a comparison started its runs (one prompt, several runners or models, each in a worktree)',
  'compare.updated': "a comparison moved on: a run of it ended, its gates ran in one's worktree",
  'compare.ended': 'a comparison ended: its runs ended and its gates ran, or it was cancelled',
  'gate.passed': 'a verification gate (a test or lint command) passed',
  'gate.failed': 'a verification gate failed, timed out, could not run, or was not run because its breaker is open',
  'breaker.opened': "a gate's circuit breaker opened after failures in a row: the gate fails at once until it recovers",
  'breaker.reset': "a gate's circuit breaker was reset to Closed",
  'goal.created': 'a goal was created (its objective, budgets and gates settled)',
  'goal.updated': 'a goal moved on: a new phase or iteration, paused, resumed, blocked',
  'goal.ended': 'a goal ended: ready, not ready, cancelled, or failed',
  'budget.warning': "a goal has spent 80% of one of its budgets",
  'budget.exhausted': 'a goal has spent one of its budgets: it starts no run and its agents are stopped',
  'budget.extended': "a goal's budget was raised",
  'goal.stagnation': 'a goal was found going in circles after an iteration (circular fixes, a repeated failure, no progress, budget burn)',
  'goal.rollback': "a goal's branch and state were rolled back to a recovery checkpoint (the work left is kept under a ref)",
  'discovery.created': 'an agent reported work nobody planned (a discovery of its goal or team)',
  'discovery.promoted': 'a discovery became a task of its goal or team',
  'discovery.dismissed': 'a discovery was dismissed, with the reason',
} as const;

export type FeedType = keyof typeof FEED_TYPES;
export const FEED_TYPE_NAMES = Object.keys(FEED_TYPES) as FeedType[];

export interface FeedEvent<E = unknown> {
  v: 1;
  seq: number;
  /** Milliseconds since the epoch. */
  ts: number;
  type: FeedType;
  key: string;
  entity: E;
  /** The process that wrote it. */
  pid: number;
}

/** What a writer says; the journal adds the rest. */
export interface FeedChange<E = unknown> {
  type: FeedType;
  key: string;
  entity: E;
}

export const runKey = (id: string): string => `run:${id}`;
export const teamKey = (name: string): string => `team:${name}`;
export const taskKey = (team: string, id: string): string => `task:${team}/${id}`;
export const poolKey = (name: string): string => `pool:${name}`;
export const goalKey = (id: string): string => `goal:${id}`;
/** `workspace`: the short hash that names the workspace's gates in the state folder. */
export const gateKey = (workspace: string, gate: string): string => `gate:${workspace}/${gate}`;
export const compareKey = (id: string): string => `compare:${id}`;
/** `owner`: the goal id, or the team's name. */
export const discoveryKey = (owner: string, id: string): string => `discovery:${owner}/${id}`;

/** Whether `type` matches a filter: a full type (`agent.started`) or a family (`agent`, `agent.*`). */
export function typeMatches(type: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => f === type || type.startsWith(`${f.replace(/\.\*$/, '')}.`));
}

const FAMILIES = new Set(FEED_TYPE_NAMES.map((t) => t.split('.')[0]!));

/** The filters that name no type (`agent.started`) and no family (`agent`, `agent.*`), and what the known ones are. */
export function unknownFeedTypes(filters: readonly string[]): { unknown: string[]; known: string } {
  const unknown = filters.filter((f) => !FEED_TYPE_NAMES.includes(f as FeedType) && !FAMILIES.has(f.replace(/\.\*$/, '')));
  return { unknown, known: `types: ${FEED_TYPE_NAMES.join(', ')} (or a family: ${[...FAMILIES].join(', ')}, also as agent.*)` };
}
