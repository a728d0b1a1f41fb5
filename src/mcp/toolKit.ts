/** Operations as MCP tools: their listing (JSON Schemas from the zod ones) and each call's result. */
import type { CallToolResult, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import { invokeOperation } from '../ops/invoke';
import type { Operation } from '../ops/operation';
import type { McpDeps } from './deps';

/** The listing of a tool, its schemas as JSON Schema. */
export function describeTool(op: Operation): Tool {
  return {
    name: op.name,
    title: op.title,
    description: op.description,
    inputSchema: z.toJSONSchema(op.input, { io: 'input', target: 'draft-7' }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(op.output, { io: 'output', target: 'draft-7' }) as Tool['outputSchema'],
    annotations: op.annotations,
  };
}

export function errorResult(code: string, message: string, hint?: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${code}: ${message}${hint ? ` ${hint}` : ''}` }] };
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/** Answers one call: never throws, whatever the arguments or the core do. */
export async function callTool(op: Operation | undefined, name: string, args: unknown, deps: McpDeps, source: string, extra: Extra): Promise<CallToolResult> {
  const progressToken = extra._meta?.progressToken;
  const answer = await invokeOperation(op, name, args, {
    sb: deps.sb,
    host: deps.host,
    source,
    signal: extra.signal,
    progress: async (progress, message) => {
      if (progressToken === undefined) return;
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => {});
    },
  });
  if (!answer.ok) return errorResult(answer.code, answer.message, answer.hint);
  return { content: [{ type: 'text', text: answer.summary }], structuredContent: answer.structured };
}
