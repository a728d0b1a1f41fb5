/**
 * The MCP server (and the HTTP API beside it) inside the extension: built over the window's registry,
 * started with the window (switchboard.mcp.startWithWindow) or else on first need (VS Code's chat
 * resolving it, a Copy MCP Configuration command, an agent that gets it), and
 * registered with VS Code so its own chat agents see it with no setup.
 */
import * as vscode from 'vscode';
import { runDoctor } from '../../core/doctor';
import type { Logger } from '../../core/logger';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import type { Switchboard } from '../../core/switchboard';
import type { SwitchboardSlot } from '../../core/switchboardSlot';
import { readEndpoint } from '../../http/credentials';
import type { McpDeps, ServerFacts } from '../../mcp/deps';
import { McpService, SERVER_VERSION, type McpHttp } from '../../mcp/mcpService';
import { requireTrust } from '../trust';
import type { ExtensionSettings } from '../settings';

export const MCP_PROVIDER_ID = 'switchboard.mcp';

export class McpHosting extends Lifecycle {
  private service: McpService | undefined;
  private readonly changed = new vscode.EventEmitter<void>();

  /**
   * Serves the current Switchboard (a new one gets a new server; the old one closes its transports).
   * Started with the window, it listens once `withWindowAfter` settles (activation lets the Agents
   * view's first rows go first); on need, at once.
   */
  constructor(
    slot: SwitchboardSlot,
    private readonly settings: () => ExtensionSettings,
    private readonly logger: Logger,
    private readonly withWindowAfter: Promise<void> = Promise.resolve(),
  ) {
    super();
    this.register(this.changed);
    this.register(slot.onDidChange((sb) => this.serve(sb)));
    this.register(toDisposable(() => void this.service?.dispose()));
    if (typeof vscode.lm?.registerMcpServerDefinitionProvider !== 'function') {
      logger.warn('[mcp] this VS Code has no MCP server API; the server is still reachable by external clients');
      return;
    }
    this.register(vscode.lm.registerMcpServerDefinitionProvider(MCP_PROVIDER_ID, {
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
    }));
  }

  private serve(sb: Switchboard | undefined): void {
    const old = this.service;
    this.service = sb
      ? new McpService({
          switchboard: sb,
          logger: this.logger,
          doctor: () => runDoctor(sb.stateDir, this.settings().config),
          defaultCwd: () => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
          // Starts beyond the limits wait in their pool's line, as the registry admits them.
          guard: (action) => requireTrust({ start: 'start agents', steer: 'steer agents', merge: 'merge or remove worker branches' }[action]),
        })
      : undefined;
    void old?.dispose();
    if (old) this.changed.fire();
    // The HTTP API is for scripts that do not ask first: serve it with the window, where it may start agents.
    const service = this.service;
    if (service && this.settings().mcpWithWindow && vscode.workspace.isTrusted) {
      void this.withWindowAfter.then(() => {
        // Replaced (another state folder) or closed meanwhile: the newer one decides.
        if (this.isDisposed || this.service !== service) return;
        this.start().then(
          (host) => this.logger.info(`[mcp] serving ${host.url} and the HTTP API beside it`),
          (error: unknown) => this.logger.warn(`[mcp] the listener did not start with the window: ${(error as Error).message}`),
        );
      });
    }
  }

  /** Starts the HTTP server if it is not serving yet. */
  start(): Promise<McpHttp> {
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

  /** The core object and host the operations run over (the chat participant and language model tools call them), or undefined with no state folder open. */
  deps(): McpDeps | undefined {
    return this.service?.deps;
  }

  /** What Doctor shows: the address and the clients, or undefined before the server started. */
  facts(): ServerFacts | undefined {
    const facts = this.service?.deps.host.server();
    return facts?.url ? facts : undefined;
  }

}
