/** Claude Code: stream-json in and out, so a run can be steered live and interrupted without a kill. */
import { randomUUID } from 'node:crypto';
import { MCP_SERVER_NAME, RUN_HEADER, type AgentMcpAccess, type Runner } from './types';
import { approvalLine, createStreamJsonParser, initializeLine, userMessageLine } from './streamJson';

/**
 * Switchboard's server as an HTTP MCP server; Claude Code expands `${VAR}` in the headers, so the
 * token stays in the environment (as does the run's id, which names the caller). Its tools are
 * allowed, so the agent can start and wait for others.
 */
function mcpArgs(mcp: AgentMcpAccess): string[] {
  const headers = { Authorization: `Bearer \${${mcp.tokenEnv}}`, ...(mcp.runEnv ? { [RUN_HEADER]: `\${${mcp.runEnv}}` } : {}) };
  const config = { mcpServers: { [MCP_SERVER_NAME]: { type: 'http', url: mcp.url, headers } } };
  return ['--mcp-config', JSON.stringify(config), '--allowedTools', `mcp__${MCP_SERVER_NAME}`];
}

export const claudeRunner: Runner = {
  id: 'claude',
  displayName: 'Claude Code',
  defaultBinary: 'claude',
  installHint: 'Install it with `npm install -g @anthropic-ai/claude-code`, or set its path in the settings.',
  structured: true,
  steering: 'live',
  canResume: true,
  takesMcpServer: true,
  usageScope: 'turn',
  costScope: 'session',
  reportsCost: true,
  retryCap: 'CLAUDE_CODE_MAX_RETRIES',
  build(request) {
    const args = [
      '-p',
      '--input-format', 'stream-json',
      '--output-format', 'stream-json',
      '--verbose',
      '--permission-mode', request.settings.permissionMode ?? 'acceptEdits',
    ];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    else args.push('--session-id', randomUUID());
    if (request.settings.model) args.push('--model', request.settings.model);
    if (request.mcp) args.push(...mcpArgs(request.mcp));
    // Tool calls the permission mode withholds are asked of the host on stdout (after an initialize) instead of denied.
    if (request.hostApprovals) args.push('--permission-prompt-tool', 'stdio');
    args.push(...request.settings.extraArgs);
    const initialInput = [...(request.hostApprovals ? [initializeLine()] : []), userMessageLine(request.prompt)];
    const env: Record<string, string> = request.settings.maxRetries === undefined ? {} : { CLAUDE_CODE_MAX_RETRIES: String(request.settings.maxRetries) };
    return { command: request.settings.binary, args, env, stdin: 'pipe', initialInput };
  },
  // Its interactive session on the run's session, with the run's permission mode and model.
  interactive: ({ sessionId, settings }) => ({
    command: settings.binary,
    args: ['--resume', sessionId, '--permission-mode', settings.permissionMode ?? 'acceptEdits', ...(settings.model ? ['--model', settings.model] : [])],
    env: {},
  }),
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  approvalInput: approvalLine,
  interruptInput: (requestId) => JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype: 'interrupt' } }),
  isTurnEnd: (event) => event.type === 'result',
};
