/**
 * Switchboard's own MCP server as ACP's `mcpServers` entry of `session/new` (and `session/load`,
 * `session/resume`): an HTTP server whose headers carry the bearer token and the calling run's id.
 * The values are read from the agent's environment in the supervisor, which writes them to the
 * agent's stdin only: that input is never recorded, and the plan names the variables, not the token.
 *
 * ACP allows an HTTP server only to an agent whose `initialize` answer says
 * `agentCapabilities.mcpCapabilities.http`. Every CLI Switchboard runs over ACP says so (Gemini CLI,
 * opencode, Kilo, the Copilot CLI); an agent that does not is not given the server, and the run's
 * events say why. A stdio server (`switchboard mcp --stdio`) is not offered instead: none of them
 * needs it, it would be one more Switchboard process per agent, and teams started through it would
 * end with the agent.
 */
import { asRecord, MCP_SERVER_NAME, RUN_HEADER, type AgentEnv, type AgentMcpAccess } from './types';

/** ACP's `McpServer`, its HTTP variant. */
export interface AcpHttpMcpServer {
  type: 'http';
  name: string;
  url: string;
  headers: { name: string; value: string }[];
}

export interface AcpMcpServers {
  servers: AcpHttpMcpServer[];
  /** Why Switchboard's server was not given although the run asked for it. */
  leftOut?: string;
}

/** The `mcpServers` of a session: Switchboard's server when the run has access to it and the agent takes it over HTTP. */
export function acpMcpServers(access: AgentMcpAccess | undefined, agentCapabilities: Record<string, unknown>, env: AgentEnv): AcpMcpServers {
  if (!access) return { servers: [] };
  const leftOut = (why: string): AcpMcpServers => ({ servers: [], leftOut: `Switchboard's MCP server is not given to this agent: ${why}.` });
  if (asRecord(agentCapabilities.mcpCapabilities)?.http !== true) return leftOut('its ACP takes no HTTP MCP servers (its initialize answer has no mcpCapabilities.http)');
  const token = env[access.tokenEnv];
  if (!token) return leftOut(`the token is not in the environment (${access.tokenEnv})`);
  const run = access.runEnv ? env[access.runEnv] : undefined;
  const headers = [{ name: 'Authorization', value: `Bearer ${token}` }, ...(run ? [{ name: RUN_HEADER, value: run }] : [])];
  return { servers: [{ type: 'http', name: MCP_SERVER_NAME, url: access.url, headers }] };
}
