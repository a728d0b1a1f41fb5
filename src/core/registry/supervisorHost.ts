/**
 * The supervisor host a registry hands its runs to: a live one of the state folder (any process's,
 * of the same build, found by its socket in hosts/), else one it starts, detached. Starting one is
 * done under the state folder's host-start lock, after looking again, so that a burst of processes
 * starting runs at once costs a few hosts rather than one each. A host that is leaving (idle) takes
 * its socket away first and refuses launches; the launch then goes to another host or a new one.
 */
import { unmarked } from '../runs/runMarker';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { SwitchboardError } from '../errors';
import type { PoolsConfig } from '../pools/pools';
import type { ControlRequest, KeepResult, LaunchResult } from '../supervisor/protocol';
import { ensureFolder } from '../state/stateDir';
import { socketPath, StateMap } from '../state/stateMap';
import { folderInPlace } from '../store/atomicFile';
import { withFairLock } from '../store/fairLock';
import { ControlClient, FOREIGN_SOCKET, type RequestBody } from './controlClient';
import { hostPrefix, hostSockets } from './hostSockets';
import { Lifecycle, toDisposable } from '../lifecycle';

/** How long a host may take to say it started an agent. */
const LAUNCH_TIMEOUT_MS = 60_000;
/** How long a host may take to take over a run's place in line (a wait for the pools ledger's lock). */
const KEEP_TIMEOUT_MS = 45_000;
/** How long a live host takes to accept a connection. */
const CONNECT_TIMEOUT_MS = 2000;
/** How long a host found in hosts/ may take to answer a ping before it is passed over (stopped, hung). */
const PING_TIMEOUT_MS = 1500;
/** A socket nothing listens on, older than this, was left by a host that died. */
const STALE_SOCKET_MS = 5000;
/** Hosts that may be found leaving in a row before a launch gives up. */
const LAUNCH_ATTEMPTS = 4;

/**
 * The host's own environment. NODE_EXTRA_CA_CERTS makes a Node process read and parse the certificate
 * bundle as it starts (some 35 ms of CPU for the system's bundle) and a host makes no TLS connection:
 * it is left out. Agents still get it, with the rest of the starting process's environment, which
 * goes with each launch (agentEnv).
 */
function hostEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NODE_EXTRA_CA_CERTS: _certs, ...rest } = unmarked(env);
  return rest;
}

export interface HostOptions {
  stateDir: string;
  supervisorScript: string;
  nodePath: string;
  env: NodeJS.ProcessEnv;
}


export class SupervisorHost extends Lifecycle {
  private client: Promise<ControlClient> | undefined;
  private readonly state: StateMap;
  private readonly prefix: string;

  constructor(private readonly options: HostOptions) {
    super();
    this.state = new StateMap(options.stateDir);
    this.prefix = hostPrefix(options.supervisorScript);
    // Lets go of the host; it keeps supervising its runs (and others') and leaves when they are done.
    this.register(toDisposable(() => {
      void this.client?.then((client) => client.close(), () => undefined);
      this.client = undefined;
    }));
  }

  /** Asks a host to supervise the run prepared in the state folder; starts a host first when none is live. */
  launch(runId: string, env: Record<string, string>, adopt = false): Promise<LaunchResult> {
    // A host starting many agents at once answers each in turn: a launch may wait its place.
    return this.ask<LaunchResult>({ op: 'launch', stateDir: this.options.stateDir, runId, env: this.agentEnv(env), ...(adopt ? { adopt } : {}) }, LAUNCH_TIMEOUT_MS);
  }

  /** Hands a run waiting in a pool's line to a host, which keeps its place and starts it when its turn comes (this process may go). */
  keep(runId: string, env: Record<string, string>, pools: PoolsConfig): Promise<KeepResult> {
    return this.ask<KeepResult>({ op: 'keep', stateDir: this.options.stateDir, runId, env: this.agentEnv(env), pools }, KEEP_TIMEOUT_MS);
  }

  /** The host may have been started by another process: the agent gets this process's environment, not the host's. */
  private agentEnv(env: Record<string, string>): Record<string, string> {
    return { ...(unmarked(this.options.env) as Record<string, string>), ...env };
  }

  private async ask<T>(request: RequestBody<ControlRequest>, timeoutMs: number): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        return await client.request<T>(request, timeoutMs);
      } catch (error) {
        // A host that was leaving (idle) or died: find or start another.
        const hostGone = !client.isOpen || /shutting down|went away|is gone/.test((error as Error).message);
        if (!hostGone || attempt >= LAUNCH_ATTEMPTS) throw error;
        client.close();
        this.client = undefined;
      }
    }
  }

  /** Finds (or starts) a host now, for a launch that comes soon; a failure is met again, and told, by that launch. */
  prepare(): void {
    this.connect().catch(() => undefined);
  }

  /**
   * Starts a host now (or finds one) and lets go of it once it is ready, for a registry that comes soon
   * in this process: it finds that host, or waits behind the host-start lock until it is ready. A failure
   * is met again, and told, by that registry.
   */
  async warmUp(): Promise<void> {
    try {
      await this.connect();
    } catch {
      // Told by the registry that looks again.
    } finally {
      this.dispose();
    }
  }

  private connect(): Promise<ControlClient> {
    const current = this.client;
    if (current) {
      return current.then((client) => (client.isOpen ? client : ((this.client = undefined), this.connect())));
    }
    this.client = this.findOrStart().catch((error) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async findOrStart(): Promise<ControlClient> {
    const live = await this.findLive();
    if (live) return live;
    // One process at a time starts a host; those waiting behind it find the one it started.
    return withFairLock(this.state.hostStartLock, async () => (await this.findLive()) ?? this.start(), { what: 'starting a supervisor host', staleMs: 30_000, waitMs: 90_000 });
  }

  /** A live host of this build in hosts/ (the newest first); sockets that hosts which died left behind are removed. */
  private async findLive(): Promise<ControlClient | undefined> {
    const sockets = hostSockets(this.state.hosts, this.prefix).map((name) => ({ file: path.join(this.state.hosts, name), mtime: fs.statSync(path.join(this.state.hosts, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
    for (const { file, mtime } of sockets.sort((a, b) => b.mtime - a.mtime)) {
      let client: ControlClient | undefined;
      const socket = socketPath(file);
      try {
        client = await ControlClient.connect(socket, CONNECT_TIMEOUT_MS, 'The supervisor host');
        // A stopped or hung host still accepts connections (the kernel does): only an answer says it works.
        await client.request({ op: 'ping' }, PING_TIMEOUT_MS);
        return client;
      } catch (error) {
        client?.close();
        // Nothing listens on a socket that is not brand new (or it is gone, where a file stands in for it elsewhere): its host died without removing it.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'ECONNREFUSED' || code === 'ENOENT') && Date.now() - mtime > STALE_SOCKET_MS) {
          fs.rmSync(socket, { force: true });
          fs.rmSync(file, { force: true });
        }
        // Another user's socket where our host's was: our host is gone; theirs is left to them.
        if (code === FOREIGN_SOCKET) fs.rmSync(file, { force: true });
      }
    }
    return undefined;
  }

  private async start(): Promise<ControlClient> {
    const state = this.state;
    const name = `${this.prefix}${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    ensureFolder(state.hosts);
    const log = openLog(state.supervisorLog);
    const child = spawn(this.options.nodePath, [this.options.supervisorScript, '--host', state.hostEntry(name)], {
      detached: true,
      stdio: ['ignore', 'pipe', log],
      env: { ...hostEnv(this.options.env), ELECTRON_RUN_AS_NODE: '1' },
      cwd: this.options.stateDir,
      windowsHide: true,
    });
    fs.closeSync(log);
    const ready = await new Promise<{ ok: boolean; error?: { message: string } }>((resolve) => {
      let text = '';
      child.stdout?.on('data', (chunk: Buffer) => {
        text += chunk.toString('utf8');
        const newline = text.indexOf('\n');
        if (newline < 0) return;
        try {
          resolve(JSON.parse(text.slice(0, newline)));
        } catch {
          resolve({ ok: false, error: { message: `it said something unexpected: ${text.slice(0, 200)}` } });
        }
      });
      child.once('error', (error) => resolve({ ok: false, error: { message: error.message } }));
      // 'close', not 'exit': the ready line may still be in the pipe when the process is gone.
      child.once('close', (code, signal) => resolve({ ok: false, error: { message: `it exited at once (${signal ?? `code ${code}`}); see ${state.supervisorLog}` } }));
    });
    child.stdout?.destroy();
    child.unref();
    if (!ready.ok) throw new SwitchboardError('spawn_failed', `The supervisor could not be started: ${ready.error?.message ?? 'unknown error'}`);
    return ControlClient.connect(state.hostSocket(name), CONNECT_TIMEOUT_MS, 'The supervisor host');
  }
}

/** The hosts' log, opened for appending (a folder in its place is said, with what to do). */
function openLog(file: string): number {
  try {
    return fs.openSync(file, 'a', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EISDIR') throw folderInPlace(file);
    throw error;
  }
}
