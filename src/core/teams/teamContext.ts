/** What a team is started with (its spec, its task or tasks, its workspace) and what it works with (the runs, the feed, its owner's socket, a guard). */
import type { TaskSpec } from '../dag/task';
import type { Feed } from '../feed/feed';
import type { RunRegistry } from '../registry/registry';
import type { RunGuard } from '../runs/types';
import type { Role } from './roles';

export interface TeamOptions {
  name: string;
  spec: string;
  /** What the team is for: planned into tasks by a planner worker, or a single task when there is none. */
  task: string;
  /** The tasks, when given (no planner step then). */
  tasks?: TaskSpec[];
  workspace: string;
  /** Over the configured ones (config `teams`). */
  roles?: Record<string, Partial<Role>>;
  setup?: string;
  copyFiles?: string[];
  maxAttempts?: number;
  /** The goal this team works an iteration of. */
  goal?: string;
}

/** What a team works with: the runs, the feed it reports to, and where its owner takes requests. */
export interface TeamContext {
  registry: RunRegistry;
  feed?: Feed;
  /** The socket this process answers requests about its teams on (see teamRequests). */
  ownerSocket?: string;
  /** Asked before each run starts; throws to refuse it (a goal whose budget is spent), else gives the limits it starts with. */
  guard?: RunGuard;
}
