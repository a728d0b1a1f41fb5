/**
 * The HTTP API's errors: `{"error":{"code","message","hint"}}` with the status each code deserves,
 * and always a hint: the one the error came with, else what to do about its code.
 */
import type * as http from 'node:http';
import type { ErrorCode } from '../../core/errors';
import { answerPieces, writePieces } from '../../ops/answerText';
import { API_PATH } from './apiPath';

export type ApiErrorCode = ErrorCode | 'unknown_tool' | 'not_found' | 'method_not_allowed' | 'invalid_json' | 'unauthorized' | 'forbidden' | 'too_large';

const STATUS: Partial<Record<ApiErrorCode, number>> = {
  invalid_argument: 400,
  invalid_json: 400,
  unknown_runner: 400,
  bad_cwd: 400,
  ambiguous_run: 400,
  ambiguous_discovery: 400,
  unauthorized: 401,
  forbidden: 403,
  unknown_run: 404,
  unknown_team: 404,
  unknown_goal: 404,
  unknown_discovery: 404,
  unknown_compare: 404,
  unknown_tool: 404,
  not_found: 404,
  method_not_allowed: 405,
  name_taken: 409,
  not_running: 409,
  not_steerable: 409,
  not_waiting: 409,
  merge_conflict: 409,
  not_merged: 409,
  uncommitted_changes: 409,
  budget_exhausted: 409,
  too_large: 413,
  runner_not_installed: 422,
  pool_full: 429,
  unresponsive: 504,
  state_unwritable: 503,
  spawn_failed: 500,
  internal: 500,
};

export const statusOfCode = (code: ApiErrorCode): number => STATUS[code] ?? 500;

const ROUTES = `the routes and the fields each takes are in ${API_PATH}/openapi.json`;
const LOG = 'the Switchboard log has the details';

/** What to do about an error of each code, when the error itself does not say. */
const HINTS: Record<ApiErrorCode, string> = {
  invalid_argument: `Check the fields you sent: ${ROUTES}.`,
  invalid_json: 'Send a JSON object (content-type: application/json), or no body.',
  unknown_runner: `Use one of the runners GET ${API_PATH}/health lists under checks.`,
  runner_not_installed: `Install the agent CLI (or set its binary in config.json); GET ${API_PATH}/health checks each one.`,
  unknown_run: `GET ${API_PATH}/runs lists the runs; a unique prefix of an id is enough.`,
  unknown_team: `GET ${API_PATH}/teams lists the teams.`,
  unknown_goal: `GET ${API_PATH}/goals lists the goals.`,
  unknown_discovery: `GET ${API_PATH}/discoveries lists the discoveries.`,
  unknown_compare: '`switchboard compare` starts comparisons; this state folder has none of that id.',
  unresponsive: `The agent did not answer in time: try again, or interrupt or kill it (POST ${API_PATH}/runs/{id}/interrupt|kill).`,
  ambiguous_discovery: 'Give more of the id, or the goal or team it belongs to.',
  ambiguous_run: 'Give more characters of the run id.',
  budget_exhausted: `Extend the goal (POST ${API_PATH}/goals/{id}/extend) or start one with a larger budget.`,
  bad_cwd: 'Give an existing folder as cwd (an absolute path).',
  not_running: `The run has ended; start another (POST ${API_PATH}/runs).`,
  not_steerable: `This run takes no messages while it works; interrupt or kill it (POST ${API_PATH}/runs/{id}/interrupt|kill).`,
  not_waiting: `The run is not waiting for an answer; steer it instead (POST ${API_PATH}/runs/{id}/steer).`,
  pool_full: `Wait for a run of the pool to end, or raise the pool's max_workers in config.json (GET ${API_PATH}/pools shows them).`,
  merge_conflict: 'Resolve the conflict in the worktree, commit, and merge again.',
  not_merged: 'Merge the work first (its merge status says what is merged).',
  uncommitted_changes: 'Commit or stash the changes, then try again.',
  name_taken: 'Choose another name, or shut the one of that name down first.',
  state_unwritable: `Free disk space or fix the state folder's permissions; GET ${API_PATH}/health checks both.`,
  spawn_failed: `The agent could not be started: ${LOG}; GET ${API_PATH}/health checks each agent CLI.`,
  docker_unavailable: 'Start Docker (or install it); `switchboard doctor` checks it.',
  docker_error: `Docker refused: ${LOG}.`,
  internal: `This is a bug in Switchboard; ${LOG}.`,
  unknown_tool: `There is no such operation: ${ROUTES}.`,
  not_found: `There is nothing here: ${ROUTES}.`,
  method_not_allowed: `Use a method the Allow header names: ${ROUTES}.`,
  unauthorized: 'Send Authorization: Bearer <token>; the token is in <state folder>/mcp/token (`switchboard mcp config claude` prints it).',
  forbidden: 'Call it from this machine as http://127.0.0.1:<port>, from a page on a loopback address or with no Origin.',
  too_large: 'Send a smaller body (at most 4 MiB).',
};

/** An error answer; without a hint of its own, the one of its code. */
export function sendError(res: http.ServerResponse, status: number, code: ApiErrorCode, message: string, hint?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message, hint: hint || HINTS[code] } }));
}

/** The code of a refusal by its status (the listener's checks speak in statuses). */
export const codeOfStatus = (status: number): ApiErrorCode =>
  status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not_found' : status === 405 ? 'method_not_allowed' : status === 413 ? 'too_large' : status === 400 ? 'invalid_argument' : 'internal';

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  writePieces(res, answerPieces(body));
  res.end();
}
