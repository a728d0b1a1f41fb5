/** Operations as MCP tools: their listing (JSON Schemas from the zod ones) and each call's result. */
import type { CallToolResult, ServerNotification, ServerRequest, Tool } from '@modelcontextprotocol/sdk/types.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import { z } from 'zod';
import { RUN_ID_ENV } from '../core/runs/runMarker';
import { RUN_HEADER } from '../core/runners/types';
import { summaryAndJson } from '../ops/answerText';
import { invokeOperation } from '../ops/invoke';
import type { Operation } from '../ops/operation';
import type { McpDeps } from './deps';

/**
 * An output schema leaves its objects open (no `additionalProperties: false`, which zod writes for
 * every object it outputs). Our answers never hold a field their shape does not name (see toShape),
 * so the check finds nothing; but a client that has the listing checks every answer against it (the
 * SDK's client does, with ajv), and that check of the keys was 0.10 of its 0.11 ms over list_agents'
 * thousand briefs. Open objects also let a client with an older listing take a field added since.
 */
const openObjects = ({ jsonSchema }: { jsonSchema: { additionalProperties?: unknown } }): void => {
  if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
};

/** The listing of a tool, its schemas as JSON Schema. */
export function describeTool(op: Operation): Tool {
  return {
    name: op.name,
    title: op.title,
    description: op.description,
    inputSchema: z.toJSONSchema(op.input, { io: 'input', target: 'draft-7' }) as Tool['inputSchema'],
    outputSchema: z.toJSONSchema(op.output, { io: 'output', target: 'draft-7', override: openObjects }) as Tool['outputSchema'],
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
  // Over HTTP an agent names its run in a header; a stdio server an agent started itself has the agent's environment.
  const runHeader = extra.requestInfo ? extra.requestInfo.headers[RUN_HEADER.toLowerCase()] : process.env[RUN_ID_ENV];
  const callerRun = (Array.isArray(runHeader) ? runHeader[0] : runHeader)?.trim();
  const answer = await invokeOperation(op, name, args, {
    sb: deps.sb,
    host: deps.host,
    source,
    ...(callerRun ? { callerRun } : {}),
    signal: extra.signal,
    progress: async (progress, message) => {
      if (progressToken === undefined) return;
      await extra.sendNotification({ method: 'notifications/progress', params: { progressToken, progress, message } }).catch(() => {});
    },
  });
  if (!answer.ok) return errorResult(answer.code, answer.message, answer.hint);
  // The text holds the JSON too, as the spec asks of a tool with an output schema: many clients give
  // their model only the text (Gemini CLI, Qwen Code and OpenCode do), which with the summary alone
  // said "12 agents: 3 running, 9 done" and not one run. Those that give it the structured content
  // instead (Claude Code) lose nothing.
  return { content: [{ type: 'text', text: summaryAndJson(answer.summary, answer.structured) }], structuredContent: answer.structured };
}
