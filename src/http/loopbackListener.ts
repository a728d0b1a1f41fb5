/**
 * The one loopback HTTP listener of a process: `http://127.0.0.1:<port>`, where MCP is mounted at
 * `/mcp`, the HTTP API at `/api/v1` and Prometheus metrics at `/metrics`. Before a request reaches
 * a mount it must name a loopback Host (against DNS rebinding), come from no Origin or a loopback
 * one, carry the bearer token, and fit the body limit; its body is read here.
 */
import { AsyncLifecycle, toAsyncDisposable } from '../core/lifecycle';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SwitchboardError } from '../core/errors';
import type { Logger } from '../core/logger';
import { codeOfStatus, sendError } from './api/apiErrors';
import { tokenMatches } from './credentials';

export const MAX_BODY_BYTES = 4 * 1024 * 1024;
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Says no in the mount's own words (JSON-RPC for MCP, `{"error":…}` for the API). */
export type Refuse = (res: http.ServerResponse, status: number, message: string, headers?: Record<string, string>) => void;

export interface Mount {
  /** Handles a request that passed the checks; `body` is read for requests that have one. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined): Promise<void>;
  refuse: Refuse;
}

export interface ListenerOptions {
  token: string;
  /** A fixed port (settings, --port); absent or 0: `preferredPort` if free, else any free one. */
  port?: number;
  preferredPort?: number;
  logger: Logger;
}

/** Refusals outside any mount: `{"error":{"code","message","hint"}}`, the shape of the HTTP API's errors. */
export const refuseJson: Refuse = (res, status, message, headers = {}) => sendError(res, status, codeOfStatus(status), message, undefined, { connection: 'close', ...headers });

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

/** Reads the body up to the limit; undefined when it was refused (the response is already sent). */
function readBody(req: http.IncomingMessage, res: http.ServerResponse, refuse: Refuse): Promise<Buffer | undefined> {
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

export class LoopbackListener extends AsyncLifecycle {
  private readonly mounts = new Map<string, Mount>();

  private constructor(private readonly server: http.Server, readonly port: number, private readonly options: ListenerOptions) {
    super();
    server.on('request', (req, res) => void this.handle(req, res));
    this.register(
      toAsyncDisposable(async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }),
    );
  }

  /** `http://127.0.0.1:<port>`. */
  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(options: ListenerOptions): Promise<LoopbackListener> {
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
        throw new SwitchboardError('invalid_argument', `Switchboard cannot listen on 127.0.0.1:${options.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.message}.`, 'Choose another port (switchboard.mcp.port, or --port), or 0 for any free one.');
      });
    } else {
      port = options.preferredPort ? await listen(options.preferredPort).catch(() => listen(0)) : await listen(0);
    }
    return new LoopbackListener(server, port, options);
  }

  /** Serves every path under `prefix` (`/mcp`, `/api/v1`) with `mount`. */
  mount(prefix: string, mount: Mount): void {
    this.mounts.set(prefix, mount);
  }

  private route(pathname: string): Mount | undefined {
    for (const [prefix, mount] of this.mounts) if (pathname === prefix || pathname.startsWith(`${prefix}/`)) return mount;
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const mount = this.route(url.pathname);
    const refuse = mount?.refuse ?? refuseJson;
    try {
      const host = req.headers.host ?? '';
      if (!LOOPBACK_NAMES.has(hostnameOf(host))) return refuse(res, 403, `Host "${host}" is not a loopback address; this server only answers on 127.0.0.1.`);
      const origin = req.headers.origin;
      if (origin !== undefined && !isLoopbackOrigin(origin)) return refuse(res, 403, `Origin "${origin}" may not use this server.`);
      if (!mount) return refuse(res, 404, `Nothing here; MCP is at /mcp, the HTTP API at /api/v1.`);
      const auth = req.headers.authorization;
      const presented = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
      if (!tokenMatches(presented, this.options.token)) {
        return refuse(res, 401, presented ? 'The bearer token is wrong.' : 'A bearer token is required (Authorization: Bearer <token>).', { 'www-authenticate': 'Bearer realm="switchboard"' });
      }
      const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
      const body = hasBody ? await readBody(req, res, refuse) : undefined;
      if (hasBody && !body) return;
      await mount.handle(req, res, body);
    } catch (error) {
      this.options.logger.error(`[http] ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      refuse(res, 500, 'Internal error; the Switchboard log has the details.');
    }
  }
}
