/**
 * MCP's Streamable HTTP at `/mcp` on the loopback listener: one session transport (over Node's own
 * request and response, see nodeSessionTransport.ts) and SDK server per session. The listener has
 * already checked Host, Origin, token and size, and read the body.
 */
import * as crypto from 'node:crypto';
import type * as http from 'node:http';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { AsyncLifecycle, toAsyncDisposable, toDisposable } from '../core/lifecycle';
import type { Logger } from '../core/logger';
import type { Mount, Refuse } from '../http/loopbackListener';
import type { BuiltServer } from './buildServer';
import type { ConnectedClient } from './deps';
import { NodeSessionTransport } from './nodeSessionTransport';

export const MCP_PATH = '/mcp';
/** A session with no request and no open stream for this long is closed. */
const IDLE_MS = 60 * 60_000;

interface Session {
  transport: NodeSessionTransport;
  built: BuiltServer;
  connectedAt: number;
  lastSeen: number;
  openStreams: number;
}

/** JSON-RPC's way of saying no, which MCP clients understand. */
export const refuseJsonRpc: Refuse = (res, status, message, headers = {}) => {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
};

export class McpHttpTransport extends AsyncLifecycle implements Mount {
  private readonly sessions = new Map<string, Session>();
  private readonly sweeper: NodeJS.Timeout;
  readonly refuse = refuseJsonRpc;

  constructor(private readonly build: () => BuiltServer, private readonly logger: Logger) {
    super();
    // Disposed newest first: the sweeper stops, then every session is closed.
    this.register(toAsyncDisposable(async () => {
      await Promise.all([...this.sessions.values()].map((s) => s.transport.close().catch(() => {})));
      this.sessions.clear();
    }));
    this.sweeper = setInterval(() => this.closeIdle(), 60_000);
    this.register(toDisposable(() => clearInterval(this.sweeper)));
    this.sweeper.unref();
  }

  clients(): ConnectedClient[] {
    return [...this.sessions.values()].map((s) => ({
      name: s.built.clientName() ?? 'unknown',
      version: s.built.server.server.getClientVersion()?.version,
      transport: 'http' as const,
      connectedAt: s.connectedAt,
    }));
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, raw: Buffer | undefined): Promise<void> {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname !== MCP_PATH) return this.refuse(res, 404, `Nothing here; the MCP endpoint is ${MCP_PATH}.`);
    // A method MCP does not use is told so, whether or not it names a session.
    if (req.method !== 'GET' && req.method !== 'POST' && req.method !== 'DELETE') return this.refuse(res, 405, `${MCP_PATH} answers GET, POST and DELETE, not ${req.method}.`, { allow: 'GET, POST, DELETE' });
    const sessionId = req.headers['mcp-session-id'];
    let body: unknown;
    if (req.method === 'POST') {
      try {
        body = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8'));
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32700, message: 'The body is not valid JSON.' }, id: null }));
      }
    }
    if (typeof sessionId === 'string') {
      const session = this.sessions.get(sessionId);
      if (!session) return this.refuse(res, 404, 'Unknown or expired session; initialize a new one.');
      session.lastSeen = Date.now();
      if (req.method === 'GET') {
        session.openStreams++;
        res.once('close', () => session.openStreams--);
      }
      return session.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) return this.refuse(res, 400, 'No session: send an initialize request first (without an mcp-session-id header).');
    await this.open(req, res, body);
  }

  private async open(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
    const built = this.build();
    const transport = new NodeSessionTransport({
      sessionIdGenerator: () => crypto.randomUUID(),
      onsessioninitialized: (id) => {
        this.sessions.set(id, { transport, built, connectedAt: Date.now(), lastSeen: Date.now(), openStreams: 0 });
        this.logger.info(`[mcp] session ${id.slice(0, 8)} opened by ${built.clientName() ?? 'a client'}`);
      },
    });
    transport.onclose = () => {
      const id = transport.sessionId;
      if (id && this.sessions.delete(id)) this.logger.info(`[mcp] session ${id.slice(0, 8)} closed`);
      built.dispose();
    };
    await built.server.connect(transport);
    await transport.handleRequest(req, res, body);
    // A refused initialize opened no session: its server goes now (else it would listen to the registry for good).
    if (transport.sessionId === undefined) await transport.close();
  }

  private closeIdle(now = Date.now()): void {
    for (const session of this.sessions.values()) {
      if (session.openStreams === 0 && now - session.lastSeen > IDLE_MS) void session.transport.close();
    }
  }
}
