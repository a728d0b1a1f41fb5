/** The HTTP API's errors: `{"error":{"code","message","hint"}}` with the status each code deserves. */
import type * as http from 'node:http';
import type { ErrorCode } from '../../core/errors';

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

export function sendError(res: http.ServerResponse, status: number, code: string, message: string, hint?: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify({ error: { code, message, ...(hint ? { hint } : {}) } }));
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
