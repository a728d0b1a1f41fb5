/**
 * The MCP server inside the extension: built over the window's registry, started on first need
 * (VS Code's chat resolving it, a Copy MCP Configuration command, an agent that gets it), and
 * registered with VS Code so its own chat agents see it with no setup.
 */
import * as vscode from 'vscode';
import { runDoctor } from '../../core/doctor';
import type { Logger } from '../../core/logger';
import type { RunRegistry } from '../../core/registry/registry';
import type { TeamService } from '../../core/teams/teamService';
import { readEndpoint } from '../../mcp/credentials';
import type { ServerFacts } from '../../mcp/deps';
import type { McpHttpHost } from '../../mcp/httpHost';
import { McpService, SERVER_VERSION } from '../../mcp/mcpService';
import { requireTrust } from '../services';
import type { ExtensionSettings } from '../settings';

export const MCP_PROVIDER_ID = 'switchboard.mcp';

export class McpHosting implements vscode.Disposable {
  private service: McpService | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  private readonly registration: vscode.Disposable | undefined;

  constructor(
    private readonly settings: () => ExtensionSettings,
    private readonly logger: Logger,
  ) {
    if (typeof vscode.lm?.registerMcpServerDefinitionProvider !== 'function') {
      logger.warn('[mcp] this VS Code has no MCP server API; the server is still reachable by external clients');
      return;
    }
    this.registration = vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: this.changed.event,
      provideMcpServerDefinitions: () => {
        const known = this.service ? readEndpoint(this.settings().stateDir)?.url : undefined;
        return [new vscode.McpHttpServerDefinition('Switchboard', vscode.Uri.parse(known ?? 'http://127.0.0.1/mcp'), {}, SERVER_VERSION)];
      },
      resolveMcpServerDefinition: async (definition) => {
        if (!(definition instanceof vscode.McpHttpServerDefinition)) return definition;
        const host = await this.start();
        definition.uri = vscode.Uri.parse(host.url);
        definition.headers = { Authorization: `Bearer ${this.token()}` };
        return definition;
      },
    });
  }

  /** A new registry (another state folder) gets a new server; the old one closes its transports. */
  setRegistry(registry: RunRegistry | undefined, teams: TeamService | undefined): void {
    const old = this.service;
    this.service = registry && teams
      ? new McpService({
          registry,
          teams,
          logger: this.logger,
          doctor: () => runDoctor(registry.stateDir, this.settings().config),
          defaultCwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
          // Starts beyond the limits wait in their pool's line, as the registry admits them.
          guard: (action) => requireTrust({ start: 'start agents', steer: 'steer agents', merge: 'merge or remove worker branches' }[action]),
        })
      : undefined;
    void old?.dispose();
    if (old) this.changed.fire();
  }

  /** Starts the HTTP server if it is not serving yet. */
  start(): Promise<McpHttpHost> {
    if (!this.service) return Promise.reject(new Error('Switchboard has no state folder open, so its MCP server cannot start; see the Switchboard log.'));
    return this.service.startHttp(this.settings().mcpPort || undefined);
  }

  /** What an agent started from this window is given: the server (started now if need be), unless the settings say no. */
  async forAgents(): Promise<{ url: string; token: string } | undefined> {
    if (!this.settings().mcpForAgents) return undefined;
    const host = await this.start();
    return { url: host.url, token: this.token() };
  }

  token(): string {
    if (!this.service) throw new Error('Switchboard has no state folder open.');
    return this.service.token();
  }

  /** What Doctor shows: the address and the clients, or undefined before the server started. */
  facts(): ServerFacts | undefined {
    const facts = this.service?.deps.server();
    return facts?.url ? facts : undefined;
  }

  dispose(): void {
    this.registration?.dispose();
    this.changed.dispose();
    void this.service?.dispose();
  }
}
