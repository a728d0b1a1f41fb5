/**
 * A small client of the Docker Engine API: plain HTTP over the engine's unix socket, a tcp://
 * address, or an ssh:// host (over `ssh … docker system dial-stdio` connections, as the docker CLI
 * does, kept alive for the next request); no native modules, no shell. Requests answer JSON; `stream` gives the raw
 * response (logs, wait); `hijack` upgrades a connection for a container's stdin (attach).
 */
import * as http from 'node:http';
import type { Duplex } from 'node:stream';
import { SwitchboardError } from '../errors';
import { dialAgent, parseSshHost, type SshTarget } from './sshDial';

/** Where an engine listens: a unix socket path, a host and port (tcp://, plain HTTP), or an ssh target. */
export type DockerEndpoint = { socketPath: string; url: string } | { host: string; port: number; url: string } | { ssh: SshTarget; url: string };

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

/** `unix:///var/run/docker.sock`, `tcp://host:2375` or `ssh://[user@]host[:port]` (reached with `ssh` and `sshArgs`) as an endpoint; other schemes are refused. */
export function parseDockerHost(url: string, sshArgs: readonly string[] = []): DockerEndpoint {
  if (url.startsWith('unix://')) return { socketPath: url.slice('unix://'.length), url };
  const tcp = /^tcp:\/\/([^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (tcp) return { host: tcp[1]!, port: Number(tcp[2] ?? 2375), url };
  if (url.startsWith('ssh://')) return { ssh: parseSshHost(url, sshArgs), url };
  throw new SwitchboardError(
    'invalid_argument',
    `The Docker endpoint ${url} is not one Switchboard can reach: it talks to unix:// sockets, tcp:// addresses and ssh:// hosts.`,
    'Use a Docker context or DOCKER_HOST of unix:///…, tcp://host:port or ssh://user@host.',
  );
}

/** What to do about an engine that does not answer, by how it is reached. */
export function engineHint(url: string): string {
  if (url.startsWith('ssh://')) return 'Check that `ssh <host> docker version` works without a prompt (the key and known_hosts, given in containers.sshArgs) and that the docker CLI is on the remote PATH.';
  if (url.startsWith('tcp://')) return 'Check that an engine listens at that address (dockerd -H tcp://…) and that nothing between blocks it.';
  return 'Start the Docker daemon (dockerd), or point DOCKER_HOST or the Docker context at an engine that runs.';
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export class DockerApi {
  /** An ssh:// engine's connections (see dialAgent). */
  private readonly agent: http.Agent | undefined;

  constructor(readonly endpoint: DockerEndpoint) {
    if ('ssh' in endpoint) this.agent = dialAgent(endpoint.ssh);
  }

  private options(method: string, path: string, headers: Record<string, string> = {}): http.RequestOptions {
    const endpoint = this.endpoint;
    const where: http.RequestOptions =
      'socketPath' in endpoint ? { socketPath: endpoint.socketPath } : 'ssh' in endpoint ? { agent: this.agent, host: 'docker' } : { host: endpoint.host, port: endpoint.port };
    return { ...where, method, path, headers: { Host: 'docker', ...headers } };
  }

  private unreachable(error: Error): SwitchboardError {
    return new SwitchboardError('docker_unavailable', `The Docker engine at ${this.endpoint.url} does not answer: ${error.message}`, engineHint(this.endpoint.url));
  }

  /** A JSON request; any status is returned (callers decide what 404 or 409 mean). */
  request<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<ApiAnswer<T>> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, path, payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: jsonOrText(Buffer.concat(chunks)) as T });
        });
        res.on('error', reject);
      });
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => reject(this.unreachable(error)));
      req.end(payload);
    });
  }

  /** A request that must succeed (2xx): its body, else an error with the engine's message. */
  async call<T = unknown>(method: string, path: string, body?: unknown, what = `${method} ${path}`): Promise<T> {
    const answer = await this.request<T>(method, path, body);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw new SwitchboardError('docker_error', `Docker refused to ${what}: ${engineMessage(answer)}`);
  }

  /** The response of a long request (logs with follow, wait), as a stream; rejects on a non-2xx status. `stop` ends the request (and the stream) whenever it aborts. */
  stream(method: string, path: string, stop?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const req = http.request({ ...this.options(method, path), signal: stop }, (res) => {
        if ((res.statusCode ?? 0) >= 300) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(new SwitchboardError('docker_error', `Docker refused ${method} ${path}: ${Buffer.concat(chunks).toString('utf8').trim()}`, undefined, { status: res.statusCode })));
          return;
        }
        resolve(res);
      });
      req.on('error', (error) => reject(stop?.aborted ? new Error(`stopped by ${String(stop.reason)}`) : this.unreachable(error)));
      req.end();
    });
  }

  /** Sends a body as it is read (PUT /containers/{id}/archive: a tar); resolves on a 2xx answer, else rejects with the engine's message. */
  send(method: string, path: string, body: NodeJS.ReadableStream, contentType: string, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.options(method, path, { 'Content-Type': contentType, 'Transfer-Encoding': 'chunked' }), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          if ((res.statusCode ?? 0) < 300) return resolve();
          reject(new SwitchboardError('docker_error', `Docker refused to ${what}: ${engineMessage({ status: res.statusCode ?? 0, body: jsonOrText(Buffer.concat(chunks)) })}`));
        });
        res.on('error', reject);
      });
      req.on('error', (error) => reject(this.unreachable(error)));
      body.on('error', (error: Error) => req.destroy(error));
      body.pipe(req);
    });
  }

  /** Upgrades a connection (POST /containers/{id}/attach) to a raw socket; `head`: bytes that came with the upgrade. */
  hijack(path: string): Promise<{ socket: Duplex; head: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = http.request(this.options('POST', path, { Connection: 'Upgrade', Upgrade: 'tcp' }));
      req.on('upgrade', (_res, socket, head) => resolve({ socket, head }));
      req.on('response', (res) => {
        res.resume();
        reject(new SwitchboardError('docker_error', `Docker did not attach (${res.statusCode})`));
      });
      req.on('error', (error) => reject(this.unreachable(error)));
      req.end();
    });
  }
}

/** A body as JSON, else as text (undefined when empty). */
function jsonOrText(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** The engine's own words for a refusal. */
export function engineMessage(answer: ApiAnswer<unknown>): string {
  const body = answer.body as { message?: string } | string | undefined;
  const message = typeof body === 'string' ? body : body?.message;
  return `${message?.trim() || 'no reason given'} (HTTP ${answer.status})`;
}

/** A query string from defined values (objects as JSON, as the engine's filters take them). */
export function query(values: Record<string, string | number | boolean | object | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined) continue;
    params.set(key, typeof value === 'object' ? JSON.stringify(value) : String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}
