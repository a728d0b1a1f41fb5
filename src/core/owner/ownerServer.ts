/**
 * Asking the process that runs a team or a goal to act on it (shut a team down, add a task, pause a
 * goal, extend its budget) from another process: that process listens on one socket of its own
 * (`hosts/owner-<pid>-….sock`, named in each record it owns) and answers at once; when it has gone,
 * the connection says so. Each service says which kind of request it answers (`team`, `goal`).
 */
import * as crypto from 'node:crypto';
import { SwitchboardError } from '../errors';
import { ControlClient } from '../registry/controlClient';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { ControlServer } from '../supervisor/controlServer';

/** A request about one team or goal, as it travels on the owner's socket. */
export type OwnerRequest = { id: number; op: string; name: string; request: unknown };
type Handler = (name: string, request: unknown) => Promise<unknown>;

export class OwnerServer {
  readonly socket: string;
  private readonly server: ControlServer<OwnerRequest>;
  private readonly handlers = new Map<string, Handler>();
  private listening: Promise<void> | undefined;

  constructor(state: StateMap, log?: (message: string) => void) {
    ensureFolder(state.hosts);
    this.socket = state.hostSocket(`owner-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    this.server = new ControlServer<OwnerRequest>(this.socket, (r) => this.dispatch(r), { label: 'owner', log });
  }

  /** Answers requests of this kind (`team`, `goal`) from now on. */
  handle(kind: string, handler: Handler): void {
    this.handlers.set(kind, handler);
  }

  private dispatch(r: OwnerRequest): Promise<unknown> {
    const handler = this.handlers.get(r.op);
    if (!handler) return Promise.reject(new SwitchboardError('invalid_argument', `This process takes no "${r.op}" requests.`, 'Use the same Switchboard version in every process.'));
    return handler(r.name, r.request);
  }

  /** Starts listening (once); resolves when requests can come. */
  listen(): Promise<void> {
    this.listening ??= this.server.listen();
    return this.listening;
  }

  async close(): Promise<void> {
    if (this.listening) await this.server.close();
  }
}

/** Asks the owner listening on `socket` about the `kind` called `name`; a gone owner is a `not_running` error saying so. */
export async function askOwner<T>(socket: string, kind: string, name: string, request: unknown, timeoutMs: number): Promise<T> {
  let client: ControlClient<OwnerRequest>;
  try {
    client = await ControlClient.connect<OwnerRequest>(socket, 2000, `The process running ${kind} ${name}`);
  } catch {
    throw new SwitchboardError('not_running', `The process that ran ${kind} ${name} is gone.`, `See \`switchboard ${kind} status ${name}\`; \`switchboard ${kind} resume ${name}\` takes it over.`);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new SwitchboardError('internal', `The process running ${kind} ${name} did not answer within ${Math.round(timeoutMs / 1000)} s.`, `Check it with \`switchboard ${kind} status\`, and try again.`)),
        timeoutMs,
      );
    });
    return await Promise.race([client.request<T>({ op: kind, name, request }), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    client.close();
  }
}
