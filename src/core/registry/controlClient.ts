/** The asking side of a control socket (see ControlServer): requests with replies, plus pushed notifications. */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { Emitter } from '../events';
import { SwitchboardError } from '../errors';
import { LineSplitter, type ControlMessage, type ControlNotification, type ControlRequest } from '../supervisor/protocol';

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/** How long an answer may take unless the request says otherwise. */
export const REQUEST_TIMEOUT_MS = 10_000;
export type RequestBody<R> = R extends { id: number } ? Omit<R, 'id'> : never;

/** The error code of a socket another user made (see foreignOwner). */
export const FOREIGN_SOCKET = 'foreign_socket';

/**
 * The uid of the user who made the socket at `file`, when not this process's: a socket whose path is
 * too long for the state folder is made in the shared /tmp, where another user could make one at a
 * name seen there once ours is gone. What is sent to a supervisor (a run's environment, its keys) is
 * never sent to theirs.
 */
function foreignOwner(file: string): number | undefined {
  const uid = process.getuid?.();
  const owner = uid === undefined ? undefined : fs.lstatSync(file, { throwIfNoEntry: false })?.uid;
  return owner !== undefined && owner !== uid ? owner : undefined;
}

export class ControlClient<R extends { id: number; op: string } = ControlRequest> {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readonly notifications = new Emitter<ControlNotification>();
  private readonly closed = new Emitter<void>();
  readonly onNotification = this.notifications.event;
  readonly onClose = this.closed.event;
  private isClosed = false;

  /** `peer` names the other side in errors ("The run's supervisor went away…"). */
  private constructor(private readonly socket: net.Socket, private readonly peer: string) {
    const splitter = new LineSplitter((line) => this.onLine(line));
    // Decode as a stream: a character split across two reads must not become two U+FFFD.
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => splitter.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      this.isClosed = true;
      for (const p of this.pending.values()) p.reject(new SwitchboardError('not_running', `${this.peer} went away before it answered.`));
      this.pending.clear();
      this.closed.fire();
      this.notifications.dispose();
      this.closed.dispose();
    });
  }

  static connect<R extends { id: number; op: string } = ControlRequest>(socketPath: string, timeoutMs = 2000, peer = "The run's supervisor"): Promise<ControlClient<R>> {
    return new Promise((resolve, reject) => {
      const stranger = foreignOwner(socketPath);
      if (stranger !== undefined) return reject(Object.assign(new Error(`${socketPath} belongs to another user (uid ${stranger}), not to ${peer.replace(/^The /, 'the ')}: nothing is sent to it.`), { code: FOREIGN_SOCKET }));
      const socket = net.createConnection(socketPath);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`no answer on ${socketPath}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', reject);
        resolve(new ControlClient<R>(socket, peer));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /**
   * Asks, and waits for the answer at most `timeoutMs`: a peer that is stopped (SIGSTOP) or hung
   * accepts connections but never answers, and nobody waits on it forever.
   */
  request<T>(body: RequestBody<R>, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
    if (this.isClosed) return Promise.reject(new SwitchboardError('not_running', `${this.peer} is gone.`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new SwitchboardError('unresponsive', `${this.peer} did not answer within ${Math.round(timeoutMs / 1000)} s.`, 'It may be stopped or overloaded; `switchboard doctor` and `ps` show it.'));
      }, timeoutMs);
      timer.unref?.();
      const settle = <A>(fn: (a: A) => void) => (a: A) => (clearTimeout(timer), fn(a));
      this.pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      this.socket.write(JSON.stringify({ ...body, id }) + '\n');
    });
  }

  private onLine(line: string): void {
    let message: ControlMessage;
    try {
      message = JSON.parse(line) as ControlMessage;
    } catch {
      return;
    }
    if ('note' in message) {
      this.notifications.fire(message);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new SwitchboardError(message.error.code, message.error.message, message.error.hint, message.error.details));
  }

  close(): void {
    this.socket.end();
    this.socket.destroy();
  }
}
