/**
 * Asking the process that runs a team to do something to it (shut it down, add or cancel tasks)
 * from another process: the owner listens on a socket of its own (`hosts/owner-<pid>-….sock`, named
 * in each team record it owns) and answers at once; when it has gone, the connection says so.
 */
import * as crypto from 'node:crypto';
import type { TaskSpec } from '../dag/task';
import { SwitchboardError } from '../errors';
import { ControlClient } from '../registry/controlClient';
import { ensureFolder } from '../state/stateDir';
import type { StateMap } from '../state/stateMap';
import { ControlServer } from '../supervisor/controlServer';

export type TeamRequest = { op: 'shutdown'; force: boolean } | { op: 'add'; tasks: TaskSpec[] } | { op: 'cancel'; taskId: string };

/** A request about one team, as it travels on the owner's socket. */
export type OwnerRequest = { id: number; op: 'team'; team: string; request: TeamRequest };

/** The owner's side: one socket for every team this process runs. */
export class OwnerServer {
  readonly socket: string;
  private readonly server: ControlServer<OwnerRequest>;
  private listening: Promise<void> | undefined;

  constructor(state: StateMap, handle: (team: string, request: TeamRequest) => Promise<unknown>, log?: (message: string) => void) {
    ensureFolder(state.hosts);
    this.socket = state.hostSocket(`owner-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    this.server = new ControlServer<OwnerRequest>(this.socket, (r) => handle(r.team, r.request), { label: 'teams', log });
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

/** Asks the owner listening on `socket` about `team`; a gone owner is a `not_running` error saying so. */
export async function askOwner<T>(socket: string, team: string, request: TeamRequest, timeoutMs: number): Promise<T> {
  let client: ControlClient<OwnerRequest>;
  try {
    client = await ControlClient.connect<OwnerRequest>(socket, 2000, `The process running team ${team}`);
  } catch {
    throw new SwitchboardError('not_running', `The process that ran team ${team} is gone.`, `See \`switchboard team status ${team}\`; \`switchboard team resume ${team}\` takes over a team left without a process.`);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(
        () => reject(new SwitchboardError('internal', `The process running team ${team} did not answer within ${Math.round(timeoutMs / 1000)} s.`, 'Check it with `switchboard team status`, and try again.')),
        timeoutMs,
      );
    });
    return await Promise.race([client.request<T>({ op: 'team', team, request }), timeout]);
  } finally {
    if (timer) clearTimeout(timer);
    client.close();
  }
}
