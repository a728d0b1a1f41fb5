/**
 * Team and worker names as they appear in branch names (`switchboard/<team>/<worker>`), and the
 * refusals the git layer gives when it will not do something (one place to change their codes).
 */
import { SwitchboardError, type ErrorCode } from '../errors';

export const BRANCH_PREFIX = 'switchboard';

/**
 * A name people give a run or a team: what the tools' `name` fields and the CLI's --name accept, so
 * that it can be typed back as one word (`switchboard logs <name>`) and be part of a branch name.
 */
export const NAME_PATTERN = /^[A-Za-z0-9][\w.-]{0,63}$/;
export const NAME_RULE = '1-64 letters, digits, ".", "_" or "-", starting with a letter or digit';

const ACCEPTED = `${NAME_RULE}, without "..", not ending in "." or ".lock" (e.g. auth-refactor, worker-2)`;

/** Refuses a name that cannot be one part of a branch name, naming the value and the accepted form. */
export function checkSlug(what: 'team' | 'worker', value: string): string {
  const ok = NAME_PATTERN.test(value) && !value.includes('..') && !value.endsWith('.') && !value.toLowerCase().endsWith('.lock');
  if (!ok) {
    throw new SwitchboardError('invalid_argument', `${JSON.stringify(value)} is not a usable ${what} name.`, `Use ${ACCEPTED}.`, { field: what, value });
  }
  return value;
}

/** The branch of one worker: `switchboard/<team>/<worker>`. */
export function workerBranch(team: string, worker: string): string {
  return `${BRANCH_PREFIX}/${checkSlug('team', team)}/${checkSlug('worker', worker)}`;
}

/** Why the git layer refused: kept in `details.reason` so programs can tell the cases apart. */
export type GitRefusalReason = 'merge_conflict' | 'not_merged' | 'uncommitted_changes' | 'exists' | 'no_base' | 'unknown_branch' | 'setup_failed';

const CODES: Record<GitRefusalReason, ErrorCode> = {
  merge_conflict: 'merge_conflict',
  not_merged: 'not_merged',
  uncommitted_changes: 'uncommitted_changes',
  exists: 'name_taken',
  setup_failed: 'spawn_failed',
  no_base: 'invalid_argument',
  unknown_branch: 'invalid_argument',
};

/** A refusal the user can act on; the precise reason is also in `details.reason`. */
export function gitRefusal(reason: GitRefusalReason, message: string, hint: string, details: Record<string, unknown> = {}): SwitchboardError {
  const code = CODES[reason];
  return new SwitchboardError(code, message, hint, { reason, ...details });
}

/** `a.txt, b.txt and 3 more` — a list short enough for a message. */
export function listSome(items: readonly string[], max = 10): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}
