/**
 * The MCP server factory: one SDK server per client connection, over the same core. Tools are
 * answered by `callTool` (validation, errors, metrics); resources by `registerResources`.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Disposable } from '../core/events';
import type { McpDeps } from './deps';
import { registerResources } from './resources';
import { findOperation, OPERATIONS } from '../ops/operations';
import { callTool, describeTool } from './toolKit';

let listing: ReturnType<typeof describeTool>[] | undefined;

const INSTRUCTIONS =
  'Switchboard runs coding agent CLIs (Claude Code, Codex, Gemini CLI, Qwen Code, any command) as real processes. ' +
  'Start one with run_agent, follow it with wait_agent / stream_agent_output / get_agent_status, and steer, interrupt or kill it. ' +
  'For larger work, team_run starts a team: workers in their own git worktrees and branches working a task graph (given, or planned by a planner worker). ' +
  'It returns at once; poll team_status or dag_get until the team is done, add or cancel tasks with task_create / task_cancel, stop it with team_shutdown, ' +
  'then check merge_status and merge_worker each branch into the base, and team_cleanup its worktrees. ' +
  'An agent that finds work outside its task reports it with report_discovery instead of doing it; discovery_promote makes it a task of its team or goal, discovery_dismiss sets it aside. ' +
  'Every `id` accepts a run id, its name, or a unique id prefix.';

export interface BuiltServer extends Disposable {
  server: McpServer;
  /** The connected client's name, once it has said it. */
  clientName(): string | undefined;
}

export function buildServer(deps: McpDeps): BuiltServer {
  const server = new McpServer(
    { name: 'switchboard', title: 'Switchboard', version: deps.host.version },
    { capabilities: { tools: { listChanged: false }, resources: { subscribe: true, listChanged: true } }, instructions: INSTRUCTIONS },
  );
  const clientName = (): string | undefined => server.server.getClientVersion()?.name;
  server.server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: (listing ??= OPERATIONS.map(describeTool)) }));
  server.server.setRequestHandler(CallToolRequestSchema, (request, extra) =>
    callTool(findOperation(request.params.name), request.params.name, request.params.arguments, deps, `mcp:${clientName() ?? 'unknown client'}`, extra),
  );
  const resources = registerResources(server, deps);
  return {
    server,
    clientName,
    dispose: () => {
      resources.dispose();
      void server.close().catch(() => {});
    },
  };
}
