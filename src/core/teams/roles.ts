/**
 * A role is what a worker is told and allowed: a prompt preamble, a default runner and that
 * runner's permission mode. `planner`, `executor` and `reviewer` exist out of the box; settings
 * (config `roles`) change them or add others.
 */
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
