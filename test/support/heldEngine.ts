/**
 * The local Docker engine reached through a socket of the test's own (DOCKER_HOST=unix://…), as a
 * slow link to a remote engine would reach it: every request and answer passes untouched, except
 * that, while `hold` is on, the download of a container's archive (GET /containers/{id}/archive: a
 * copy-back of a copied worktree) stops after its first bytes until it is released or its client
 * gives up. Real engine, real requests; only those bytes are held.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { docker } from './docker';
import { tempDir } from './harness';

/** An archive request's line, as an HTTP client writes it at the start of a request (API version prefix or not). */
const ARCHIVE_GET = /^GET \S*\/containers\/[^/\s]+\/archive\?/;

/** One connection to the engine; `kept` set while its archive download is held. */
interface Link {
  client: net.Socket;
  engine: net.Socket;
  /** Bytes of an archive's answer still to let through before it is held. */
  passing?: number;
  /** What the engine sent past them, kept until the hold is released. */
  kept?: Buffer[];
  /** The engine ended its side while the answer was held: the client's side ends once it is released. */
  ended?: boolean;
}

export class HeldEngine {
  /** Hold archive downloads that start from now on. */
  hold = false;
  /** Downloads held now (their connections open), and how many were ever held. */
  readonly held = new Set<Link>();
  heldEver = 0;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    private readonly server: net.Server,
    /** DOCKER_HOST for this engine. */
    readonly host: string,
    /** Bytes of each held answer let through (its head and first entries) before it stops. */
    private readonly letThrough: number,
  ) {}

  static async start(letThrough = 4096): Promise<HeldEngine> {
    const socketPath = path.join(tempDir('sb-held-engine-'), 'docker.sock');
    // Half-closed connections stay open (a client that has nothing more to send, as an attach without input, still reads).
    const server = net.createServer({ allowHalfOpen: true });
    const engine = new HeldEngine(server, `unix://${socketPath}`, letThrough);
    server.on('connection', (client) => engine.connect(client));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socketPath, resolve));
    return engine;
  }

  /** Lets the held downloads go on (and those to come pass). */
  release(): void {
    this.hold = false;
    for (const link of this.held) {
      for (const bytes of link.kept!) link.client.write(bytes);
      link.kept = undefined;
      if (link.ended) link.client.end();
      link.engine.resume();
    }
    this.held.clear();
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.host.slice('unix://'.length), { force: true });
  }

  private connect(client: net.Socket): void {
    const link: Link = { client, engine: dialEngine() };
    for (const socket of [client, link.engine]) {
      this.sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        this.sockets.delete(socket);
        client.destroy();
        link.engine.destroy();
        this.held.delete(link);
      });
    }
    // Requests go one at a time on a connection: what the engine sends after an archive request is its answer.
    client.on('data', (bytes: Buffer) => {
      if (this.hold && ARCHIVE_GET.test(bytes.toString('latin1', 0, 512))) link.passing = this.letThrough;
      link.engine.write(bytes);
    });
    // A client that stops sending while its download is held has given it up (an HTTP client never half-closes for a GET).
    client.on('end', () => (link.kept ? client.destroy() : link.engine.end()));
    link.engine.on('end', () => {
      if (link.kept) link.ended = true;
      else client.end();
    });
    link.engine.on('data', (bytes: Buffer) => {
      if (link.kept) return void link.kept.push(bytes);
      if (link.passing === undefined) return void client.write(bytes);
      const through = Math.min(link.passing, bytes.length);
      client.write(bytes.subarray(0, through));
      link.passing -= through;
      if (link.passing > 0) return;
      link.passing = undefined;
      link.kept = [bytes.subarray(through)];
      link.engine.pause();
      this.held.add(link);
      this.heldEver += 1;
    });
  }
}

/** A connection to the engine the tests use (DOCKER_HOST's, else the local socket). */
function dialEngine(): net.Socket {
  const endpoint = docker().endpoint;
  if ('socketPath' in endpoint) return net.connect({ path: endpoint.socketPath, allowHalfOpen: true });
  if ('host' in endpoint) return net.connect({ host: endpoint.host, port: endpoint.port, allowHalfOpen: true });
  throw new Error(`the held engine passes to unix:// and tcp:// engines, not ${endpoint.url}`);
}
