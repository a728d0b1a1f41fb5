/**
 * The MCP server as a service over one registry: HTTP on loopback (started on first need, one per
 * process) and stdio, sharing the metrics and the facts `doctor` reports. The extension and the
 * headless CLI both host it through this.
 */
import type { DoctorReport } from '../core/doctor';
import type { Logger } from '../core/logger';
import type { RunRegistry } from '../core/registry/registry';
import type { TeamService } from '../core/teams/teamService';
import { buildServer } from './buildServer';
import { loadOrCreateToken } from './credentials';
import type { ConnectedClient, McpDeps } from './deps';
import { McpHttpHost } from './httpHost';
import { Metrics } from './metrics';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import packageJson from '../../package.json';

export const SERVER_VERSION: string = packageJson.version;

export interface McpServiceOptions {
  registry: RunRegistry;
  teams: TeamService;
  logger: Logger;
  doctor(): Promise<DoctorReport>;
  defaultCwd(): string | undefined;
  guard: McpDeps['guard'];
}

export class McpService {
  readonly metrics: Metrics;
  readonly deps: McpDeps;
  private http: Promise<McpHttpHost> | undefined;
  private readonly stdioClients: ConnectedClient[] = [];
  private disposed = false;

  constructor(private readonly options: McpServiceOptions) {
    this.metrics = new Metrics(options.registry);
    this.deps = {
      registry: options.registry,
      teams: options.teams,
      metrics: this.metrics,
      logger: options.logger,
      version: SERVER_VERSION,
      doctor: options.doctor,
      defaultCwd: options.defaultCwd,
      guard: options.guard,
      server: () => ({
        url: this.httpHost?.url,
        transports: [...(this.http ? ['http' as const] : []), ...(this.stdioClients.length ? ['stdio' as const] : [])],
        clients: [...(this.httpHost?.clients() ?? []), ...this.stdioClients],
      }),
    };
  }

  private httpHost: McpHttpHost | undefined;

  /** The token clients must present over HTTP (created owner-only on first use). */
  token(): string {
    return loadOrCreateToken(this.options.registry.stateDir);
  }

  /** Starts HTTP once (later calls get the same server); `port` applies to the first call only. */
  startHttp(port?: number): Promise<McpHttpHost> {
    if (this.disposed) return Promise.reject(new Error('The MCP service is disposed.'));
    this.http ??= McpHttpHost.start({ stateDir: this.options.registry.stateDir, token: this.token(), port, build: () => buildServer(this.deps), logger: this.options.logger }).then(
      (host) => (this.httpHost = host),
      (error) => {
        this.http = undefined;
        throw error;
      },
    );
    return this.http;
  }

  /** Serves one client over stdin/stdout until it closes the stream. */
  async serveStdio(stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
    const built = buildServer(this.deps);
    const transport = new StdioServerTransport(stdin as never, stdout as never);
    const client: ConnectedClient = { name: 'unknown', transport: 'stdio', connectedAt: Date.now() };
    this.stdioClients.push(client);
    built.server.server.oninitialized = () => {
      const info = built.server.server.getClientVersion();
      client.name = info?.name ?? 'unknown';
      client.version = info?.version;
    };
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      stdin.once('end', () => resolve());
    });
    await built.server.connect(transport);
    await closed;
    this.stdioClients.splice(this.stdioClients.indexOf(client), 1);
    built.dispose();
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    this.metrics.dispose();
    const host = await this.http?.catch(() => undefined);
    await host?.dispose();
  }
}
