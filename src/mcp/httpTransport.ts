/**
 * Streamable HTTP on loopback: `http://127.0.0.1:<port>/mcp`, one SDK transport and server per
 * session. Before any request reaches the SDK it must name a loopback Host (against DNS
 * rebinding), come from no Origin or a loopback one, carry the bearer token, and fit the size limit.
 */
import * as crypto from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { SwitchboardError } from '../core/errors';
import type { Logger } from '../core/logger';
import { startTokenOf } from '../core/proc/processTable';
import type { BuiltServer } from './buildServer';
import { readEndpoint, tokenMatches, writeEndpoint } from './credentials';
import type { ConnectedClient } from './deps';

export const MCP_PATH = '/mcp';
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** A session with no request and no open stream for this long is closed. */
const IDLE_MS = 60 * 60_000;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface HttpHostOptions {
  stateDir: string;
  token: string;
  /** A fixed port (settings, --port); 0 or absent: the port used last time if free, else any free one. */
  port?: number;
  build(): BuiltServer;
  logger: Logger;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  built: BuiltServer;
  connectedAt: number;
  lastSeen: number;
  openStreams: number;
}

function hostnameOf(hostHeader: string): string {
  const bracket = hostHeader.startsWith('[') ? hostHeader.indexOf(']') : -1;
  if (bracket > 0) return hostHeader.slice(0, bracket + 1);
  return hostHeader.split(':')[0]!.toLowerCase();
}

function isLoopbackOrigin(origin: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && LOOPBACK_NAMES.has(url.hostname.toLowerCase());
  } catch {
    return false;
  }
}

function refuse(res: http.ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
}

/** Reads the body up to the limit; undefined when it was refused (the response is already sent). */
function readBody(req: http.IncomingMessage, res: http.ServerResponse): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) {
    refuse(res, 413, `The request body is ${declared} bytes; the limit is ${MAX_BODY_BYTES}.`);
    req.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refuse(res, 413, `The request body is over the limit of ${MAX_BODY_BYTES} bytes.`);
        req.destroy();
        resolve(undefined);
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

export class McpHttpHost {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;

  private constructor(
    private readonly server: http.Server,
    readonly port: number,
    private readonly options: HttpHostOptions,
  ) {
    this.sweeper = setInterval(() => this.closeIdle(), 60_000);
    this.sweeper.unref();
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${MCP_PATH}`;
  }

  static async start(options: HttpHostOptions): Promise<McpHttpHost> {
    const server = http.createServer();
    server.keepAliveTimeout = 60_000;
    const listen = (port: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const onError = (error: Error): void => reject(error);
        server.once('error', onError);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      });
    let port: number;
    if (options.port) {
      port = await listen(options.port).catch((error: NodeJS.ErrnoException) => {
        throw new SwitchboardError('invalid_argument', `The MCP server cannot listen on 127.0.0.1:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}.`, 'Choose another port (switchboard.mcp.port, or --port), or 0 for any free one.');
      });
    } else {
      const previous = readEndpoint(options.stateDir)?.port;
      port = previous ? await listen(previous).catch(() => listen(0)) : await listen(0);
    }
    const host = new McpHttpHost(server, port, options);
    server.on('request', (req, res) => void host.handle(req, res));
    writeEndpoint(options.stateDir, { version: 1, url: host.url, port, server: { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' }, startedAt: Date.now() });
    options.logger.info(`[mcp] serving ${host.url}`);
    return host;
  }

  clients(): ConnectedClient[] {
    return [...this.sessions.values()].map((s) => ({
      name: s.built.clientName() ?? 'unknown',
      version: s.built.server.server.getClientVersion()?.version,
      transport: 'http' as const,
      connectedAt: s.connectedAt,
    }));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    try {
      const host = req.headers.host ?? '';
      if (!LOOPBACK_NAMES.has(hostnameOf(host))) return refuse(res, 403, `Host "${host}" is not a loopback address; this server only answers on 127.0.0.1.`);
      const origin = req.headers.origin;
      if (origin !== undefined && !isLoopbackOrigin(origin)) return refuse(res, 403, `Origin "${origin}" may not use this server.`);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (url.pathname !== MCP_PATH) return refuse(res, 404, `Nothing here; the MCP endpoint is ${MCP_PATH}.`);
      const auth = req.headers.authorization;
      const presented = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
      if (!tokenMatches(presented, this.options.token)) {
        return refuse(res, 401, presented ? 'The bearer token is wrong.' : 'A bearer token is required (Authorization: Bearer <token>).', { 'www-authenticate': 'Bearer realm="switchboard"' });
      }
      await this.route(req, res);
    } catch (error) {
      this.options.logger.error(`[mcp] ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      refuse(res, 500, 'Internal error; the Switchboard log has the details.');
    }
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      const raw = await readBody(req, res);
      if (!raw) return;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'The body is not valid JSON.' }, id: null }));
      }
    }
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) return refuse(res, 404, 'Unknown or expired session; initialize a new one.');
      session.lastSeen = Date.now();
      if (req.method === 'GET') {
        session.openStreams++;
        res.once('close', () => session.openStreams--);
      }
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) return refuse(res, 400, 'No session: send an initialize request first (without an mcp-session-id header).');
    await this.open(req, res, body);
  }

  private async open(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
    const built = this.options.build();
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, built, connectedAt: Date.now(), lastSeen: Date.now(), openStreams: 0 });
        this.options.logger.info(`[mcp] session ${id.slice(0, 8)} opened by ${built.clientName() ?? 'a client'}`);
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.sessions.delete(id)) this.options.logger.info(`[mcp] session ${id.slice(0, 8)} closed`);
      built.dispose();
    };
    await built.server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private closeIdle(now = Date.now()): void {
    for (const session of this.sessions.values()) {
      if (session.openStreams === 0 && now - session.lastSeen > IDLE_MS) void session.transport.close();
    }
  }

  async dispose(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.sessions.values()].map((s) => s.transport.close().catch(() => {})));
    this.sessions.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
