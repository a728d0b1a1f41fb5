/** Codex: `codex exec --json`, JSON-lines events; steering goes through interrupt + `exec resume`. Its app-server (live) is codexAppServer.ts. */
import type { AgentEventBody } from '../runs/types';
import { asNumber, asRecord, asString, MCP_SERVER_NAME, parseJsonLine, RUN_HEADER, type LineParser, type Runner, type RunnerSettings, type StartRequest } from './types';

function createCodexParser(): LineParser {
  let lastMessage: string | undefined;
  const itemEvents = (phase: string, item: Record<string, unknown>): AgentEventBody[] => {
    const id = asString(item.id);
    switch (item.type) {
      case 'agent_message':
        if (phase !== 'completed') return [];
        lastMessage = asString(item.text) ?? '';
        return [{ type: 'text', text: lastMessage }];
      case 'command_execution':
        return phase === 'started'
          ? [{ type: 'tool_call', name: 'shell', callId: id, input: { command: item.command } }]
          : [{ type: 'tool_result', callId: id, output: asString(item.aggregated_output) ?? '', isError: asNumber(item.exit_code) !== 0 }];
      case 'file_change':
        if (phase !== 'completed') return [];
        return [
          { type: 'tool_call', name: 'apply_patch', callId: id, input: { changes: item.changes } },
          { type: 'tool_result', callId: id, output: asString(item.status) ?? 'applied', isError: item.status === 'failed' },
        ];
      case 'mcp_tool_call':
        return phase === 'started'
          ? [{ type: 'tool_call', name: `${asString(item.server) ?? 'mcp'}.${asString(item.tool) ?? '?'}`, callId: id, input: item.arguments }]
          : [{ type: 'tool_result', callId: id, output: JSON.stringify(item.result ?? item.error ?? ''), isError: item.status === 'failed' }];
      case 'error':
        return phase === 'completed' ? [{ type: 'error', message: asString(item.message) ?? 'error' }] : [];
      default:
        return [];
    }
  };
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return undefined;
    const type = asString(line.type) ?? '';
    if (type === 'thread.started' && asString(line.thread_id)) return [{ type: 'session', sessionId: line.thread_id as string }];
    if (type === 'turn.started') return [];
    if (type.startsWith('item.')) {
      const item = asRecord(line.item);
      return item ? itemEvents(type.slice(5), item) : [];
    }
    if (type === 'turn.completed') {
      const usage = asRecord(line.usage) ?? {};
      return [
        { type: 'usage', inputTokens: asNumber(usage.input_tokens), outputTokens: asNumber(usage.output_tokens) },
        { type: 'result', ok: true, text: lastMessage },
      ];
    }
    if (type === 'turn.failed') {
      const message = asString(asRecord(line.error)?.message) ?? 'the turn failed';
      return [{ type: 'result', ok: false, error: message }];
    }
    if (type === 'error') return [{ type: 'error', message: asString(line.message) ?? 'error' }];
    return undefined;
  };
}

/** What Codex may do on its own: its sandbox (`permissionMode`), `workspace-write` by default. */
export const codexSandbox = (settings: RunnerSettings): string => settings.permissionMode ?? 'workspace-write';

/** Switchboard's server as a streamable HTTP MCP server (`-c` options); Codex reads the token from the named variable. */
export function mcpConfigArgs(request: StartRequest): string[] {
  if (!request.mcp) return [];
  const args = ['-c', `mcp_servers.${MCP_SERVER_NAME}.url=${JSON.stringify(request.mcp.url)}`, '-c', `mcp_servers.${MCP_SERVER_NAME}.bearer_token_env_var=${JSON.stringify(request.mcp.tokenEnv)}`];
  // The run's id as a header too, read from the named variable (env_http_headers).
  if (request.mcp.runEnv) args.push('-c', `mcp_servers.${MCP_SERVER_NAME}.env_http_headers={ ${JSON.stringify(RUN_HEADER)} = ${JSON.stringify(request.mcp.runEnv)} }`);
  return args;
}

export const codexRunner: Runner = {
  id: 'codex',
  displayName: 'Codex',
  defaultBinary: 'codex',
  installHint: 'Install it with `npm install -g @openai/codex`, or set its path in the settings.',
  structured: true,
  steering: 'interrupt-resume',
  canResume: true,
  takesMcpServer: true,
  usageScope: 'session',
  reportsCost: false,
  build(request) {
    const args = ['exec', '--json', '--skip-git-repo-check', '--sandbox', codexSandbox(request.settings), ...(request.settings.model ? ['-m', request.settings.model] : []), ...mcpConfigArgs(request), ...request.settings.extraArgs];
    if (request.resumeSessionId) args.push('resume', request.resumeSessionId);
    args.push(request.prompt);
    return { command: request.settings.binary, args, env: {}, stdin: 'ignore', initialInput: [] };
  },
  // `codex resume <id>`: its interactive session, with the run's sandbox and model.
  interactive: ({ sessionId, settings }) => ({
    command: settings.binary,
    args: ['resume', '--sandbox', codexSandbox(settings), ...(settings.model ? ['-m', settings.model] : []), sessionId],
    env: {},
  }),
  createParser: createCodexParser,
};
