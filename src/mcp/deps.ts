/** What the MCP server is built over: the core, plus a few facts and policies from whoever hosts it. */
import type { DoctorReport } from '../core/doctor';
import type { Logger } from '../core/logger';
import type { RunRegistry } from '../core/registry/registry';
import type { TeamService } from '../core/teams/teamService';
import type { Metrics } from './metrics';

export interface ConnectedClient {
  name: string;
  version?: string;
  transport: 'http' | 'stdio';
  connectedAt: number;
}

export interface ServerFacts {
  /** The HTTP address, when served over HTTP. */
  url?: string;
  transports: ('http' | 'stdio')[];
  clients: ConnectedClient[];
}

export interface McpDeps {
  registry: RunRegistry;
  /** Teams over the same state folder; the ones started through this server run in its process. */
  teams: TeamService;
  metrics: Metrics;
  logger: Logger;
  version: string;
  doctor(): Promise<DoctorReport>;
  server(): ServerFacts;
  /** Where `run_agent` starts an agent when no `cwd` is given. */
  defaultCwd(): string | undefined;
  /**
   * Throws a SwitchboardError when the host refuses: `start` (an untrusted workspace, the
   * concurrency cap), `steer` or `merge` (git merges and worktree removal; an untrusted workspace).
   */
  guard(action: 'start' | 'steer' | 'merge'): void;
}
