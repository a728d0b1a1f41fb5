/** What the MCP server is built over: the core object, and the facts and policies of whoever hosts it. */
import type { Switchboard } from '../core/switchboard';
import type { OpHost } from '../ops/operation';

export type { ConnectedClient, ServerFacts } from '../ops/operation';

export interface McpDeps {
  sb: Switchboard;
  host: OpHost;
}
