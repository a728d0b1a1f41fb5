/**
 * Qwen Code: Claude-shaped stream-json; follow-up messages on stdin run as the next turn, and an
 * interrupt control request (after an `initialize` one) cancels the current turn without a kill.
 */
import { MCP_SERVER_NAME, RUN_HEADER, type AgentMcpAccess, type Runner, type StartRequest } from './types';
import { createStreamJsonParser, userMessageLine } from './streamJson';
import { settingsOverlay } from './settingsOverlay';

const SYSTEM_SETTINGS = {
  cli: 'qwen',
  envVar: 'QWEN_CODE_SYSTEM_SETTINGS_PATH',
  defaultPaths: { linux: '/etc/qwen-code/settings.json', darwin: '/Library/Application Support/QwenCode/settings.json', win32: 'C:\\ProgramData\\qwen-code\\settings.json' },
  // Its settings schema's version (0.24).
  versionStamp: { $version: 4 },
};

/**
 * Switchboard's server as a streamable HTTP MCP server (`httpUrl`; `url` alone would be SSE) in the system
 * settings overlay. Qwen Code expands `${VAR}` in its settings files from its environment, so the file names
 * the variables and the token stays in the agent's environment. Its `--mcp-config` would not do: it
 * takes the JSON (inline or a file) as it is, unexpanded.
 */
function mcpSettings(mcp: AgentMcpAccess): Record<string, unknown> {
  const headers = { Authorization: `Bearer \${${mcp.tokenEnv}}`, ...(mcp.runEnv ? { [RUN_HEADER]: `\${${mcp.runEnv}}` } : {}) };
  return { mcpServers: { [MCP_SERVER_NAME]: { httpUrl: mcp.url, headers } } };
}

/** The environment that hands Qwen Code its system settings with the retry cap and Switchboard's server over them, and the arguments that go with it. */
function overlay(request: StartRequest): { env: Record<string, string>; args: string[] } {
  const { maxRetries } = request.settings;
  const patch = {
    ...(maxRetries === undefined ? {} : { model: { generationConfig: { maxRetries } } }),
    ...(request.mcp ? mcpSettings(request.mcp) : {}),
  };
  if (Object.keys(patch).length === 0) return { env: {}, args: [] };
  const env = settingsOverlay(SYSTEM_SETTINGS, patch);
  // Its MCP tools otherwise wait for a person's yes (a `can_use_tool` request): Switchboard's run without asking, as Claude Code's do.
  // Not given when the overlay could not be written (a system settings file that is not plain JSON): there is no server to allow.
  const args = request.mcp && env[SYSTEM_SETTINGS.envVar] ? ['--allowed-tools', `mcp__${MCP_SERVER_NAME}`] : [];
  return { env, args };
}

const controlRequest = (requestId: string, subtype: string): string =>
  JSON.stringify({ type: 'control_request', request_id: requestId, request: { subtype } });

export const qwenRunner: Runner = {
  id: 'qwen',
  displayName: 'Qwen Code',
  defaultBinary: 'qwen',
  installHint: 'Install it with `npm install -g @qwen-code/qwen-code` (it needs Node 22 or newer), or set its path in the settings.',
  structured: true,
  steering: 'live',
  canResume: true,
  // In its system settings overlay (see mcpSettings).
  takesMcpServer: true,
  usageScope: 'session',
  reportsCost: false,
  // Its rate-limit retries (10, a minute apart, by default), printed as `system/retry`; its quick retries before them are silent.
  retryCap: 'model.generationConfig.maxRetries in a system settings file over its own',
  build(request) {
    const args = ['--input-format', 'stream-json', '-o', 'stream-json', '--approval-mode', request.settings.permissionMode ?? 'auto-edit'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('--model', request.settings.model);
    const settings = overlay(request);
    args.push(...settings.args, ...request.settings.extraArgs);
    return {
      command: request.settings.binary,
      args,
      env: settings.env,
      stdin: 'pipe',
      // Qwen only honours an interrupt after an `initialize` control request.
      initialInput: [controlRequest('sb-init', 'initialize'), userMessageLine(request.prompt)],
    };
  },
  interactive: ({ sessionId, settings }) => ({
    command: settings.binary,
    args: ['--resume', sessionId, '--approval-mode', settings.permissionMode ?? 'auto-edit', ...(settings.model ? ['--model', settings.model] : [])],
    env: {},
  }),
  createParser: createStreamJsonParser,
  steerInput: userMessageLine,
  interruptInput: (requestId) => controlRequest(requestId, 'interrupt'),
  isTurnEnd: (event) => event.type === 'result',
};
