/** The supervisor's side of the control socket: answers requests and pushes notifications to subscribers. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { SwitchboardError } from '../errors';
import { LineSplitter, type ControlNotification, type ControlRequest, type ControlResponse } from './protocol';

export type RequestHandler = (request: ControlRequest) => Promise<unknown>;

export class ControlServer {
  private readonly server: net.Server;
  private readonly subscribers = new Set<net.Socket>();
  private readonly sockets = new Set<net.Socket>();
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly socketPath: string, private readonly handle: RequestHandler) {
    this.server = net.createServer((socket) => this.accept(socket));
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
    let request: ControlRequest;
    try {
      request = JSON.parse(line) as ControlRequest;
    } catch {
      return;
    }
    if (request.op === 'subscribe') this.subscribers.add(socket);
    let response: ControlResponse;
    try {
      response = { id: request.id, ok: true, result: await this.handle(request) };
    } catch (error) {
      const e = error instanceof SwitchboardError ? error : new SwitchboardError('internal', (error as Error).message);
      response = { id: request.id, ok: false, error: { code: e.code, message: e.message, hint: e.hint } };
    }
    if (!socket.destroyed) socket.write(JSON.stringify(response) + '\n');
  }

  notify(notification: ControlNotification): void {
    if (this.subscribers.size === 0) return;
    const line = JSON.stringify(notification) + '\n';
    for (const socket of this.subscribers) if (!socket.destroyed) socket.write(line);
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
