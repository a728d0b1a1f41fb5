/**
 * One change in the live feed: a JSON line of the journal with a sequence number that only grows,
 * the time, a type, the key of the entity that changed (`run:<id>`, `team:<name>`,
 * `task:<team>/<id>`, `pool:<name>`) and the entity as it is after the change.
 */

/** The types of change, with what each means; goals, gates and budgets will add theirs. */
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
  'merge.started': 'a worker branch is being merged',
  'merge.completed': 'a worker branch was merged',
  'merge.failed': 'a worker branch could not be merged',
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

/** Whether `type` matches a filter: a full type (`agent.started`) or a family (`agent`, `agent.*`). */
export function typeMatches(type: string, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  return filters.some((f) => f === type || type.startsWith(`${f.replace(/\.\*$/, '')}.`));
}
