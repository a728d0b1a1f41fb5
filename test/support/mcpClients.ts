/** Real MCP clients for tests and benchmarks: the official SDK client over HTTP (with the token) and over stdio (`switchboard mcp --stdio`). */
import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { CLI } from './harness';

export type TransportKind = 'http' | 'stdio';

/** `headers`: more to send with every request (an agent's `X-Switchboard-Run`, say). */
export async function connectHttp(url: string, token: string, name = 'test-client', headers: Record<string, string> = {}): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}`, ...headers } } }));
  return client;
}

/** Starts the built CLI's stdio server over `stateDir`; its stderr is kept for failure messages. */
export async function connectStdio(stateDir: string, name = 'test-client', env: NodeJS.ProcessEnv = {}): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'mcp', '--stdio'],
    env: { ...(process.env as Record<string, string>), ...(env as Record<string, string>), SWITCHBOARD_HOME: stateDir },
    stderr: 'pipe',
  });
  await client.connect(transport);
  return client;
}

/** Calls a tool and returns its result, typed for what the tests look at. */
export async function call(client: Client, name: string, args: Record<string, unknown> = {}): Promise<CallToolResult & { structuredContent?: Record<string, unknown> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & { structuredContent?: Record<string, unknown> };
}

/**
 * The summary a tool's text block starts with. The rest of the text is the answer as JSON, which
 * clients that give their model only the text rely on: it is checked here to be the structured
 * content, to the field.
 */
export function textOf(result: CallToolResult): string {
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  if (result.isError || !result.structuredContent) return text;
  // JSON holds no raw line break: the last one is where it starts.
  const at = text.lastIndexOf('\n');
  assert.ok(at >= 0, `the text holds the answer as JSON: ${text.slice(0, 200)}`);
  assert.deepEqual(JSON.parse(text.slice(at + 1)), result.structuredContent, 'the JSON in the text is the structured content');
  return text.slice(0, at);
}
