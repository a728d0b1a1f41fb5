/**
 * A role is what a worker is told and allowed: a prompt preamble, a default runner and that
 * runner's permission mode. `planner`, `executor` and `reviewer` exist out of the box; settings
 * (config `teams.roles`) change them or add others. Also here: which worker's role takes which task.
 */
import type { Task } from '../dag/task';
import { SwitchboardError } from '../errors';

export interface Role {
  /** Put before every task's prompt. */
  preamble: string;
  /** The runner a worker of this role uses unless its spec names one. */
  runner: string;
  /**
   * The permission mode of `runner` for this role (see RunnerSettings.permissionMode). It is that
   * CLI's word, so it applies only when a worker uses the role's own runner; absent: the runner's default.
   */
  permissionMode?: string;
}

export const DEFAULT_ROLES: Readonly<Record<string, Role>> = {
  planner: {
    preamble:
      'You are the planner of a team of coding agents. Do not change any file. Split the task into small tasks that can be done ' +
      'independently where possible, each with an id, a title, a description and the ids it depends on.',
    runner: 'claude',
    permissionMode: 'plan',
  },
  executor: {
    preamble:
      'You are an executor in a team of coding agents, working in your own git worktree on your own branch. Do the task below, ' +
      'run the relevant tests, and commit your work with a message that says what changed and why. Stay within the task.',
    runner: 'claude',
    permissionMode: 'acceptEdits',
  },
  reviewer: {
    preamble:
      'You are a reviewer in a team of coding agents. Read the changes the task names, run the tests, and report problems ' +
      'precisely (file, line, what is wrong, what to do). Do not change any file.',
    runner: 'claude',
    permissionMode: 'plan',
  },
};

/** The built-in roles with the configured ones over them. */
export function mergeRoles(configured: Readonly<Record<string, Partial<Role>>> = {}): Record<string, Role> {
  const roles: Record<string, Role> = { ...DEFAULT_ROLES };
  for (const [name, role] of Object.entries(configured)) {
    const base = roles[name];
    const runner = role.runner ?? base?.runner ?? 'claude';
    // A permission mode is its runner's word: the built-in one does not carry over to another runner.
    const permissionMode = role.permissionMode ?? (runner === base?.runner ? base.permissionMode : undefined);
    roles[name] = { preamble: role.preamble ?? base?.preamble ?? '', runner, permissionMode };
  }
  return roles;
}

/** Roles that take only the tasks meant for them, while the team has workers of other roles. */
const SPECIALISTS: ReadonlySet<string> = new Set(['planner', 'reviewer']);

/** Whether a worker of role `role` takes `task`: a task for a role goes to that role; others to the team's generalists (executors, roles from settings). */
export function takes(task: Task, role: string, workers: readonly { role: string }[]): boolean {
  if (task.role) return task.role === role;
  if (workers.some((w) => !SPECIALISTS.has(w.role))) return !SPECIALISTS.has(role);
  return role !== 'planner' || workers.every((w) => w.role === 'planner');
}

/** Refuses tasks meant for a role no worker of the team has (they could never start). */
export function checkTaskRoles(tasks: readonly Task[], workers: readonly { role: string }[]): void {
  const roles = new Set(workers.map((w) => w.role));
  const orphan = tasks.find((t) => t.role && !roles.has(t.role));
  if (orphan) throw new SwitchboardError('invalid_argument', `Task ${orphan.id} is for role ${orphan.role}, which no worker of the team has.`, `The team's roles: ${[...roles].join(', ')}.`);
}
