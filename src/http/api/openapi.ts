/**
 * The OpenAPI 3.1 document of the HTTP API (`GET /api/v1/openapi.json`), made from the routes and
 * the operations' own zod schemas, so that it says exactly what is checked and answered.
 */
import { z } from 'zod';
import { FEED_TYPE_NAMES } from '../../core/feed/feedEvent';
import { ownFields, type Route } from './routes';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Json {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

const errorRef = { $ref: '#/components/schemas/Error' };
const errorResponse = (description: string): Json => ({ description, content: { 'application/json': { schema: errorRef } } });

const COMMON_ERRORS: Json = {
  '401': errorResponse('No bearer token, or a wrong one'),
  '403': errorResponse('A Host or Origin that is not loopback'),
};

function errorsOf(route: Route): Json {
  const errors: Json = { '400': errorResponse('Invalid arguments (the message names each bad field)'), ...COMMON_ERRORS };
  if (route.params) errors['404'] = errorResponse('No such run, team or goal');
  if (route.method === 'POST') {
    errors['409'] = errorResponse('Not possible in its present state (not running, name taken…)');
    errors['413'] = errorResponse('The body is over 4 MiB');
  }
  return errors;
}

function parameters(route: Route): Json[] {
  const path = Object.keys(route.params ?? {}).map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' }, description: route.op.input.shape[route.params![name]!]?.description }));
  if (route.method !== 'GET') return path;
  const fields = ownFields(route).shape as Record<string, z.ZodType>;
  const query = Object.entries(fields).map(([name, field]) => ({ name, in: 'query', required: !field.safeParse(undefined).success, schema: jsonSchema(field, 'input'), ...(field.description ? { description: field.description } : {}) }));
  return [...path, ...query];
}

function operationOf(route: Route): Json {
  const ok = route.method === 'POST' && route.status?.({}) === 201 ? '201' : '200';
  const body = route.method === 'POST' ? { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(ownFields(route), 'input') } } } } : {};
  return {
    operationId: route.op.name,
    summary: route.op.title,
    description: route.op.description,
    tags: [route.tag],
    parameters: parameters(route),
    ...body,
    responses: { [ok]: { description: route.op.title, content: { 'application/json': { schema: jsonSchema(route.view?.schema ?? route.op.output, 'output') } } }, ...errorsOf(route) },
  };
}

const eventsPath: Json = {
  get: {
    operationId: 'events',
    summary: 'The live feed (Server-Sent Events)',
    description: 'Each event: `id:` its feed sequence number, `event:` its type, `data:` the feed event as JSON ({"v":1,"seq","ts","type","key","entity","pid"}). Reconnect with Last-Event-ID to miss nothing; a `: heartbeat` comment comes every 15 s.',
    tags: ['events'],
    parameters: [
      { name: 'type', in: 'query', required: false, schema: { type: 'array', items: { type: 'string' } }, explode: true, description: `A type, or a family (agent, goal.*); repeatable. Types: ${FEED_TYPE_NAMES.join(', ')}` },
      { name: 'team', in: 'query', required: false, schema: { type: 'string' }, description: "Only the team's changes: itself, its tasks, its runs, its discoveries" },
      { name: 'goal', in: 'query', required: false, schema: { type: 'string' }, description: "Only the goal's changes: itself, its budget, its runs, its discoveries" },
      { name: 'run', in: 'query', required: false, schema: { type: 'string' }, description: "Only one run's changes (its id, name or a unique id prefix)" },
      { name: 'since', in: 'query', required: false, schema: { type: 'string' }, description: 'Start after this seq (0: everything kept; default: now); Last-Event-ID wins' },
      { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } },
    ],
    responses: { '200': { description: 'An event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, '400': errorResponse('An unknown type or a bad Last-Event-ID'), ...COMMON_ERRORS },
  },
};

export function openApiDocument(routes: readonly Route[], version: string): Json {
  const paths: Record<string, Json> = { '/events': eventsPath, '/openapi.json': { get: { operationId: 'openapi', summary: 'This document', tags: ['system'], responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } } } } };
  for (const route of routes) (paths[route.path] ??= {})[route.method.toLowerCase()] = operationOf(route);
  return {
    openapi: '3.1.0',
    info: { title: 'Switchboard HTTP API', version, description: 'The operations of Switchboard (the MCP tools) over plain HTTP on 127.0.0.1, with the same bearer token.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'The token in <state folder>/mcp/token' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } } } },
        },
      },
    },
  };
}
