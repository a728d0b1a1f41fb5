/** What each MCP client needs to reach this server: the exact snippet or command line, token included. */

export const CLIENT_IDS = ['claude', 'codex', 'gemini', 'cursor'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

export interface ClientConfig {
  client: ClientId;
  displayName: string;
  /** What to paste. */
  text: string;
  /** Where it goes. */
  where: string;
}

const SERVER_NAME = 'switchboard';

export function clientConfig(client: ClientId, url: string, token: string): ClientConfig {
  const headers = { Authorization: `Bearer ${token}` };
  switch (client) {
    case 'claude':
      return {
        client,
        displayName: 'Claude Code',
        text: `claude mcp add --transport http ${SERVER_NAME} ${url} --header "Authorization: Bearer ${token}"`,
        where: 'Run it in a terminal (add --scope user to use it in every project).',
      };
    case 'codex':
      return {
        client,
        displayName: 'Codex',
        text: `[mcp_servers.${SERVER_NAME}]\nurl = "${url}"\nhttp_headers = { "Authorization" = "Bearer ${token}" }\n`,
        where: 'Add it to ~/.codex/config.toml.',
      };
    case 'gemini':
      return {
        client,
        displayName: 'Gemini CLI',
        text: JSON.stringify({ mcpServers: { [SERVER_NAME]: { httpUrl: url, headers } } }, null, 2),
        where: 'Merge it into ~/.gemini/settings.json (or .gemini/settings.json in the project).',
      };
    case 'cursor':
      return {
        client,
        displayName: 'Cursor',
        text: JSON.stringify({ mcpServers: { [SERVER_NAME]: { url, headers } } }, null, 2),
        where: 'Merge it into ~/.cursor/mcp.json (or .cursor/mcp.json in the project).',
      };
  }
}
