/**
 * The serving side of a control socket (a run's supervisor, a supervisor host, a process running
 * teams): answers newline-delimited JSON requests and pushes notifications to subscribers.
 */
import { hostLog } from './hostLog';
import * as fs from 'node:fs';
import * as net from 'node:net';
import { SwitchboardError } from '../errors';
import { LineSplitter, type ControlNotification, type ControlRequest, type ControlResponse } from './protocol';

/** Any request of a control protocol: an id to answer to, and what to do. */
export interface AnyRequest {
  id: number;
  op: string;
}

export type RequestHandler<R extends AnyRequest = ControlRequest> = (request: R) => Promise<unknown>;

/**
 * How much may wait in the send buffer of one connection. A subscriber that stops reading would
 * otherwise make this process buffer every notification for it, without bound; past this it is
 * dropped instead (its socket destroyed), and reattaches and catches up from the run's files.
 */
export const MAX_PENDING_WRITE = 8 * 1024 * 1024;

export interface ControlServerOptions {
  /** The send-buffer limit per connection, in bytes waiting to be written. */
  maxPendingWrite?: number;
  /** Where a dropped connection is told of (default: this process's stderr, the host's supervisor.log). */
  log?: (message: string) => void;
  /** Names this server in what it logs (e.g. `run k3j9…`). */
  label?: string;
}

export class ControlServer<R extends AnyRequest = ControlRequest> {
  private readonly server: net.Server;
  private readonly subscribers = new Set<net.Socket>();
  private readonly sockets = new Set<net.Socket>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxPendingWrite: number;
  private readonly log: (message: string) => void;
  private droppedCount = 0;

  constructor(private readonly socketPath: string, private readonly handle: RequestHandler<R>, options: ControlServerOptions = {}) {
    this.server = net.createServer((socket) => this.accept(socket));
    this.maxPendingWrite = options.maxPendingWrite ?? MAX_PENDING_WRITE;
    const label = options.label ? `${options.label}: ` : '';
    const log = options.log ?? ((message: string) => hostLog(`${new Date().toISOString()} switchboard control socket: ${message}`));
    this.log = (message) => log(label + message);
  }

  listen(): Promise<void> {
    fs.rmSync(this.socketPath, { force: true });
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.socketPath, () => {
        fs.chmodSync(this.socketPath, 0o600);
        resolve();
      });
    });
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => {
      this.sockets.delete(socket);
      this.subscribers.delete(socket);
    });
    socket.on('error', () => socket.destroy());
    const splitter = new LineSplitter((line) => {
      const handling = this.onLine(socket, line);
      this.inFlight.add(handling);
      void handling.finally(() => this.inFlight.delete(handling));
    }, 1024 * 1024);
    // Decode as a stream: a character split across two reads must not become two U+FFFD.
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => splitter.push(chunk));
  }

  private async onLine(socket: net.Socket, line: string): Promise<void> {
    let request: R;
    try {
      request = JSON.parse(line) as R;
    } catch {
      return;
    }
    if (request.op === 'subscribe') this.subscribers.add(socket);
    let response: ControlResponse;
    try {
      response = { id: request.id, ok: true, result: await this.handle(request) };
    } catch (error) {
      const e = error instanceof SwitchboardError ? error : new SwitchboardError('internal', (error as Error).message);
      response = { id: request.id, ok: false, error: { code: e.code, message: e.message, hint: e.hint, details: e.details } };
    }
    this.send(socket, Buffer.from(JSON.stringify(response) + '\n'));
  }

  /** How many connections were dropped for not reading. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** What waits to be sent, over all connections: never much more than the limit per connection. */
  get pendingWrite(): number {
    let total = 0;
    for (const socket of this.sockets) total += socket.writableLength;
    return total;
  }

  notify(notification: ControlNotification): void {
    if (this.subscribers.size === 0) return;
    // Encoded once for every subscriber; as bytes, the send buffers are counted in bytes.
    const line = Buffer.from(JSON.stringify(notification) + '\n');
    for (const socket of this.subscribers) this.send(socket, line);
  }

  /** Writes a line unless the peer has let too much pile up unread: then it is dropped, not buffered for. */
  private send(socket: net.Socket, line: Buffer): void {
    if (socket.destroyed) return;
    const pending = socket.writableLength;
    // An empty buffer takes any one line, however long: only a peer that is not reading is dropped.
    if (pending > 0 && pending + line.length > this.maxPendingWrite) {
      this.droppedCount++;
      const who = this.subscribers.delete(socket) ? 'subscriber' : 'connection';
      this.log(`dropped a ${who} that stopped reading (${pending} bytes waiting to be sent, limit ${this.maxPendingWrite}); it can reattach and catch up from the run's files`);
      socket.destroy();
      return;
    }
    socket.write(line);
  }

  /** Answers the requests still being handled (a kill replies once the run has ended), then closes. */
  async close(): Promise<void> {
    await Promise.race([Promise.all(this.inFlight), new Promise((r) => setTimeout(r, 2000))]);
    await new Promise<void>((resolve) => {
      for (const socket of this.sockets) socket.end();
      this.server.close(() => resolve());
      setTimeout(() => {
        for (const socket of this.sockets) socket.destroy();
      }, 500).unref();
    });
    fs.rmSync(this.socketPath, { force: true });
  }
}
