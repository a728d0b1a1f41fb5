/**
 * The HTTP API at /api/v1 on the loopback listener (which has already checked Host, Origin, token
 * and size, and read the body): finds the route, builds the operation's arguments from the path,
 * the query string or the JSON body, invokes it as MCP does, and answers JSON; `/events` is the
 * live feed as Server-Sent Events and `/openapi.json` the description of it all.
 */
import { Lifecycle } from '../../core/lifecycle';
import type * as http from 'node:http';
import type { z } from 'zod';
import { RUN_HEADER } from '../../core/runners/types';
import { StateMap } from '../../core/state/stateMap';
import type { McpDeps } from '../../mcp/deps';
import { invokeOperation } from '../../ops/invoke';
import type { Mount, Refuse } from '../loopbackListener';
import { codeOfStatus, sendError, sendJson, statusOfCode } from './apiErrors';
import { API_PATH } from './apiPath';
import { EventStream, type EventStreamOptions } from './eventStream';
import { openApiDocument } from './openapi';
import { ownFields, routes, type Route } from './routes';


/** The listener's refusals (401, 403, 404, 413) in the API's words, with what to do. */
export const refuseApi: Refuse = (res, status, message, headers) => sendError(res, status, codeOfStatus(status), message, undefined, headers);

interface Compiled {
  route: Route;
  regex: RegExp;
  names: string[];
}

function compile(route: Route): Compiled {
  const names: string[] = [];
  const source = route.path.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, name: string) => (names.push(name), '([^/]+)'));
  return { route, regex: new RegExp(`^${source}$`), names };
}

/** The zod type under optional/default wrappers: how a query string value is read. */
function baseType(schema: z.ZodType | undefined): string | undefined {
  let s = schema as { _zod: { def: { type: string; innerType?: unknown } } } | undefined;
  while (s && (s._zod.def.type === 'optional' || s._zod.def.type === 'default' || s._zod.def.type === 'nullable')) s = s._zod.def.innerType as typeof s;
  return s?._zod.def.type;
}

/** Where the fields a route takes are described (its full path, as the caller called it). */
const fieldsHint = (route: Route): string => `See ${route.method} ${API_PATH}${route.path} in ${API_PATH}/openapi.json for the fields it takes.`;

/** A query string as the operation's arguments: numbers and booleans read as such (a wrong one is left for the schema to name). */
function queryArgs(route: Route, query: URLSearchParams): Record<string, unknown> {
  const shape = ownFields(route).shape as Record<string, z.ZodType>;
  const args: Record<string, unknown> = {};
  for (const key of new Set(query.keys())) {
    const values = query.getAll(key);
    const type = baseType(shape[key]);
    const last = values.at(-1)!;
    if (type === 'array') args[key] = values;
    else if (type === 'number') args[key] = last.trim() !== '' && !Number.isNaN(Number(last)) ? Number(last) : last;
    else if (type === 'boolean') args[key] = last === 'true' ? true : last === 'false' ? false : last;
    else args[key] = last;
  }
  return args;
}

export interface ApiOptions {
  deps: McpDeps;
  events?: EventStreamOptions;
}

export class ApiMount extends Lifecycle implements Mount {
  readonly refuse = refuseApi;
  private readonly compiled: Compiled[];
  private readonly events: EventStream;
  private openapi: unknown;

  constructor(private readonly options: ApiOptions) {
    super();
    const state = new StateMap(options.deps.sb.stateDir);
    this.compiled = routes((name) => state.team(name).dir).map(compile);
    this.events = this.register(new EventStream(options.deps.sb, options.events));
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.slice(API_PATH.length).replace(/\/$/, '') || '/';
    const method = req.method ?? 'GET';
    if (path === '/events' || path === '/openapi.json') {
      if (method !== 'GET') return sendError(res, 405, 'method_not_allowed', `${API_PATH}${path} answers GET, not ${method}.`, `Call GET ${API_PATH}${path}.`, { allow: 'GET' });
      if (path === '/events') return this.events.serve(req, res, url.searchParams);
      return sendJson(res, 200, (this.openapi ??= openApiDocument(this.compiled.map((c) => c.route), this.options.deps.host.version)));
    }
    const matches = this.compiled.map((c) => ({ c, m: c.regex.exec(path) })).filter((x) => x.m);
    if (!matches.length) return sendError(res, 404, 'not_found', `There is no route ${method} ${API_PATH}${path}.`, `The routes are listed in ${API_PATH}/openapi.json.`);
    const match = matches.find((x) => x.c.route.method === method);
    if (!match) {
      const allow = [...new Set(matches.map((x) => x.c.route.method))].join(', ');
      return sendError(res, 405, 'method_not_allowed', `${API_PATH}${path} answers ${allow}, not ${method}.`, `Call ${allow.split(', ').map((m) => `${m} ${API_PATH}${path}`).join(' or ')}; ${API_PATH}/openapi.json describes each.`, { allow });
    }
    const { route, names } = match.c;
    let args: Record<string, unknown>;
    if (method === 'GET') args = queryArgs(route, url.searchParams);
    else {
      const text = (body ?? Buffer.alloc(0)).toString('utf8').trim();
      let parsed: unknown = {};
      try {
        if (text) parsed = JSON.parse(text);
      } catch (error) {
        return sendError(res, 400, 'invalid_json', `The body is not valid JSON: ${(error as Error).message}.`, 'Send a JSON object (content-type: application/json), or no body.');
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return sendError(res, 400, 'invalid_argument', 'The body must be a JSON object.', fieldsHint(route));
      args = parsed as Record<string, unknown>;
    }
    for (const [i, name] of names.entries()) {
      const segment = match.m![i + 1]!;
      try {
        args[route.params![name]!] = decodeURIComponent(segment);
      } catch {
        // A lone `%` or a broken UTF-8 sequence: the caller's, not a bug of ours.
        return sendError(res, 400, 'invalid_argument', `The path segment "${segment}" is not valid percent-encoding.`, 'Encode each id or name in the path as encodeURIComponent does (a % as %25).');
      }
    }
    await this.answer(req, res, route, args);
  }

  private async answer(req: http.IncomingMessage, res: http.ServerResponse, route: Route, args: Record<string, unknown>): Promise<void> {
    const aborted = new AbortController();
    res.once('close', () => aborted.abort());
    const runHeader = req.headers[RUN_HEADER.toLowerCase()];
    const callerRun = (Array.isArray(runHeader) ? runHeader[0] : runHeader)?.trim();
    const client = req.headers['user-agent']?.split(/[\s/]/)[0] || 'client';
    const answer = await invokeOperation(route.op, route.op.name, args, {
      sb: this.options.deps.sb,
      host: this.options.deps.host,
      source: `api:${client}`,
      ...(callerRun ? { callerRun } : {}),
      signal: aborted.signal,
      progress: async () => {},
    });
    if (!answer.ok) {
      const hint = answer.hint ?? (answer.code === 'invalid_argument' ? fieldsHint(route) : undefined);
      return sendError(res, statusOfCode(answer.code), answer.code, answer.message, hint);
    }
    sendJson(res, route.status?.(answer.structured) ?? 200, route.view ? route.view.shape(answer.structured) : answer.structured);
  }
}
