/** Where the HTTP API is mounted on the loopback listener, and its address beside an MCP address. */
export const API_PATH = '/api/v1';

/** `http://127.0.0.1:<port>/mcp` → `http://127.0.0.1:<port>/api/v1` (the same listener serves both). */
export const apiUrlOf = (mcpUrl: string): string => new URL(API_PATH, mcpUrl).href;
