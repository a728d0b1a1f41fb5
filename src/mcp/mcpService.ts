/**
 * The MCP server as a service over one Switchboard: HTTP at `/mcp` on the process's loopback
 * listener (started on first need, serving the HTTP API at `/api/v1` and `/metrics` beside it) and stdio, sharing the metrics and the facts `doctor` reports.
 * The extension and the headless CLI both host it through this. The MCP SDK (and the HTTP server
 * it brings) is loaded when the server first listens or serves stdio, not with the service: an
 * extension activating, or a CLI command, does not evaluate it before it is needed.
 */
import type { DoctorReport } from '../core/doctor';
import type { Logger } from '../core/logger';
import { AsyncLifecycle, toAsyncDisposable } from '../core/lifecycle';
import { startTokenOf } from '../core/proc/processTable';
import type { Switchboard } from '../core/switchboard';
import { loadOrCreateToken, readEndpoint, writeEndpoint } from '../http/credentials';
import { ApiMount } from '../http/api/apiMount';
import type { EventStreamOptions } from '../http/api/eventStream';
import { API_PATH, apiUrlOf } from '../http/api/apiPath';
import { METRICS_PATH, PrometheusMount } from '../http/api/prometheus';
import { LoopbackListener } from '../http/loopbackListener';
import { Metrics } from '../ops/metrics';
import type { OpHost } from '../ops/operation';
import { version } from '../../package.json';
import type { ConnectedClient, McpDeps } from './deps';
import type { McpHttpTransport } from './httpTransport';

export const SERVER_VERSION: string = version;

// Loaded on first use (the bundler makes these lazy). A require, not an import(): the tests run the
// sources as CommonJS, where an import() would look for the .js files next to the .ts ones.
/* eslint-disable @typescript-eslint/no-require-imports */
const loadHttpTransport = (): typeof import('./httpTransport') => require('./httpTransport') as typeof import('./httpTransport');
const loadBuildServer = (): typeof import('./buildServer') => require('./buildServer') as typeof import('./buildServer');
const loadStdioTransport = (): typeof import('./stdioTransport') => require('./stdioTransport') as typeof import('./stdioTransport');
/* eslint-enable @typescript-eslint/no-require-imports */

export interface McpServiceOptions {
  switchboard: Switchboard;
  logger: Logger;
  doctor(): Promise<DoctorReport>;
  defaultCwd(): string | undefined;
  guard: OpHost['guard'];
  /** How the API's event stream keeps time (tests make its heartbeat quicker). */
  events?: EventStreamOptions;
}

/** The server on HTTP: its address, and the listener other mounts (the HTTP API) can share. */
export interface McpHttp {
  url: string;
  /** Where the HTTP API is (`…/api/v1`). */
  apiUrl: string;
  port: number;
  listener: LoopbackListener;
}

export class McpService extends AsyncLifecycle {
  readonly metrics: Metrics;
  readonly deps: McpDeps;
  private http: Promise<McpHttp> | undefined;
  private transport: McpHttpTransport | undefined;
  private api: ApiMount | undefined;
  private served: McpHttp | undefined;
  private readonly stdioClients: ConnectedClient[] = [];

  constructor(private readonly options: McpServiceOptions) {
    super();
    // Disposed newest first: the metrics, then (once it has started, if it was starting) the HTTP server: its MCP transport, the API, the listener.
    this.register(toAsyncDisposable(async () => {
      const served = await this.http?.catch(() => undefined);
      await this.transport?.dispose();
      this.api?.dispose();
      await served?.listener.dispose();
    }));
    this.metrics = this.register(new Metrics(options.switchboard.runs, options.switchboard.stateDir));
    this.deps = {
      sb: options.switchboard,
      host: {
        version: SERVER_VERSION,
        metrics: this.metrics,
        logger: options.logger,
        doctor: options.doctor,
        defaultCwd: options.defaultCwd,
        guard: options.guard,
        server: () => ({
          url: this.served?.url,
          transports: [...(this.http ? ['http' as const] : []), ...(this.stdioClients.length ? ['stdio' as const] : [])],
          clients: [...(this.transport?.clients() ?? []), ...this.stdioClients],
        }),
      },
    };
  }

  /** The token clients must present over HTTP (created owner-only on first use). */
  token(): string {
    return loadOrCreateToken(this.options.switchboard.stateDir);
  }

  /** Starts HTTP once (later calls get the same server); `port` applies to the first call only. */
  startHttp(port?: number): Promise<McpHttp> {
    if (this.isDisposed) return Promise.reject(new Error('The MCP service is disposed.'));
    this.http ??= this.listen(port).then(
      (served) => (this.served = served),
      (error) => {
        this.http = undefined;
        throw error;
      },
    );
    return this.http;
  }

  private async listen(port: number | undefined): Promise<McpHttp> {
    const stateDir = this.options.switchboard.stateDir;
    const { MCP_PATH, McpHttpTransport } = loadHttpTransport();
    const { buildServer } = loadBuildServer();
    const listener = await LoopbackListener.start({ token: this.token(), port, preferredPort: readEndpoint(stateDir)?.port, logger: this.options.logger });
    this.transport = new McpHttpTransport(() => buildServer(this.deps), this.options.logger);
    listener.mount(MCP_PATH, this.transport);
    this.api = new ApiMount({ deps: this.deps, events: this.options.events });
    listener.mount(API_PATH, this.api);
    listener.mount(METRICS_PATH, new PrometheusMount(() => this.metrics.snapshot()));
    const url = `${listener.origin}${MCP_PATH}`;
    writeEndpoint(stateDir, { version: 1, url, port: listener.port, server: { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' }, startedAt: Date.now() });
    this.options.logger.info(`[mcp] serving ${url}, and the HTTP API at ${listener.origin}${API_PATH}`);
    return { url, apiUrl: apiUrlOf(url), port: listener.port, listener };
  }

  /** Serves one client over stdin/stdout until it closes the stream. */
  async serveStdio(stdin: NodeJS.ReadableStream = process.stdin, stdout: NodeJS.WritableStream = process.stdout): Promise<void> {
    const { StdioServerTransport } = loadStdioTransport();
    const { buildServer } = loadBuildServer();
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
}
