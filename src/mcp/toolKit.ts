/**
 * How a tool is described (zod input and output, a handler over the core) and how every call is
 * answered: validated here with messages that name the field, never thrown, counted, and returned
 * as structured content plus a one-line text summary.
 */
import type { CallToolResult, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import { SwitchboardError } from '../core/errors';
import type { McpDeps } from './deps';

export interface ToolContext {
  deps: McpDeps;
  /** Who is calling, as recorded in a run's events: `mcp:<client name>`. */
  source: string;
  signal: AbortSignal;
  /** Reports progress when the client asked for it (a progress token); otherwise does nothing. */
  progress(progress: number, message: string): Promise<void>;
}

export interface ToolAnswer<O> {
  structured: O;
  summary: string;
}

export interface ToolSpec<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: Tool['annotations'];
  handle(args: z.output<I>, ctx: ToolContext): Promise<ToolAnswer<z.input<O>>>;
}

/** Keeps each spec's own input and output types while collecting them in one list. */
export const defineTool = <I extends z.ZodObject, O extends z.ZodObject>(spec: ToolSpec<I, O>): ToolSpec => spec as unknown as ToolSpec;

/** The listing of a tool, its schemas as JSON Schema. */
export function describeTool(spec: ToolSpec): Tool {
  return {
    name: spec.name,
    title: spec.title,
    description: spec.description,
    inputSchema: z.toJSONSchema(spec.input, { io: 'input', target: 'draft-7' }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(spec.output, { io: 'output', target: 'draft-7' }) as Tool['outputSchema'],
    annotations: spec.annotations,
  };
}

const fieldName = (path: PropertyKey[]): string => (path.length ? path.map(String).join('.') : 'arguments');

/** The value the arguments hold at `path`, and whether they hold one at all. */
function valueAt(args: unknown, path: PropertyKey[]): { present: boolean; value: unknown } {
  let value = args;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !(key in value)) return { present: false, value: undefined };
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return { present: value !== undefined, value };
}

/** One sentence per problem, each naming the field and what was expected. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], args: unknown): string {
  return issues
    .map((issue) => {
      const field = `\`${fieldName(issue.path)}\``;
      const given = valueAt(args, issue.path);
      if (!given.present && (issue.code === 'invalid_type' || issue.code === 'invalid_value')) {
        return `${field} is required (${issue.code === 'invalid_type' ? issue.expected : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`})`;
      }
      switch (issue.code) {
        case 'invalid_type':
          return `${field} must be a ${issue.expected}, not ${describeValue(given.value)}`;
        case 'invalid_value':
          return `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, not ${describeValue(given.value)}`;
        case 'unrecognized_keys':
          return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `\`${k}\``).join(', ')}${issue.path.length ? ` in ${field}` : ''}`;
        default:
          return `${field}: ${issue.message}`;
      }
    })
    .join('; ');
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

export function errorResult(code: string, message: string, hint?: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}${hint ? ` ${hint}` : ''}` }] };
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Answers one call: never throws, whatever the arguments or the core do. */
export async function callTool(spec: ToolSpec | undefined, name: string, args: unknown, deps: McpDeps, source: string, extra: Extra): Promise<CallToolResult> {
  if (!spec) {
    deps.metrics.recordCall(name, true);
    return errorResult('unknown_tool', `There is no tool "${name}".`, 'List the tools to see what this server offers.');
  }
  const parsed = spec.input.safeParse(args ?? {});
  if (!parsed.success) {
    deps.metrics.recordCall(spec.name, true);
    return errorResult('invalid_argument', `${spec.name}: ${describeIssues(parsed.error.issues, args ?? {})}.`);
  }
  const progressToken = extra._meta?.progressToken;
  const ctx: ToolContext = {
    deps,
    source,
    signal: extra.signal,
    progress: async (progress, message) => {
      if (progressToken === undefined) return;
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => {});
    },
  };
  try {
    const answer = await spec.handle(parsed.data, ctx);
    deps.metrics.recordCall(spec.name, false);
    return { content: [{ type: 'text', text: answer.summary }], structuredContent: answer.structured as Record<string, unknown> };
  } catch (error) {
    deps.metrics.recordCall(spec.name, true);
    if (error instanceof SwitchboardError) return errorResult(error.code, error.message, error.hint);
    deps.logger.error(`[mcp] ${spec.name} failed: ${(error as Error)?.stack ?? String(error)}`);
    return errorResult('internal', `${spec.name} failed: ${(error as Error)?.message ?? String(error)}`, 'This is a bug in Switchboard; the Switchboard log has the details.');
  }
}
