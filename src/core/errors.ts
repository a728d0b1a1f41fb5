/**
 * Errors a person or an agent can act on: what was wrong, and what to do.
 * `code` is stable for programs (MCP results, CLI JSON); `message` is for people.
 */
export type ErrorCode =
  | 'invalid_argument'
  | 'unknown_runner'
  | 'runner_not_installed'
  | 'unknown_run'
  | 'unknown_team'
  | 'unknown_goal'
  | 'unknown_discovery'
  | 'unresponsive'
  | 'unknown_compare'
  | 'ambiguous_discovery'
  | 'budget_exhausted'
  | 'ambiguous_run'
  | 'bad_cwd'
  | 'not_running'
  | 'not_steerable'
  | 'not_waiting'
  | 'pool_full'
  | 'merge_conflict'
  | 'not_merged'
  | 'uncommitted_changes'
  | 'name_taken'
  | 'state_unwritable'
  | 'spawn_failed'
  | 'docker_unavailable'
  | 'docker_error'
  | 'internal';

export class SwitchboardError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** What the user can do about it. */
    readonly hint?: string,
    /** Extra structured facts (e.g. the candidates of an ambiguous prefix). */
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'SwitchboardError';
  }
}

export function errorMessage(error: unknown): string {
  if (error instanceof SwitchboardError) return error.hint ? `${error.message} ${error.hint}` : error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
