/**
 * The registry's supervisor host: started detached on the first run, then asked over its socket to
 * supervise each new run, so a burst of starts costs one process rather than one per run. If it has
 * gone (it leaves when idle), the next run starts a new one.
 */
import { unmarked } from '../runs/runMarker';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import { spawn } from 'node:child_process';
import { SwitchboardError } from '../errors';
import type { LaunchResult } from '../supervisor/protocol';
import { ensureFolder } from '../state/stateDir';
import { StateMap } from '../state/stateMap';
import { ControlClient } from './controlClient';

/** How long a host may take to say it started an agent. */
const LAUNCH_TIMEOUT_MS = 60_000;

export interface HostOptions {
  stateDir: string;
  supervisorScript: string;
  nodePath: string;
  env: NodeJS.ProcessEnv;
}


export class SupervisorHost {
  private client: Promise<ControlClient> | undefined;

  constructor(private readonly options: HostOptions) {}

  /** Asks the host to supervise the run prepared in the state folder; starts a host first when there is none. */
  async launch(runId: string, env: Record<string, string>): Promise<LaunchResult> {
    for (let attempt = 1; ; attempt++) {
      const client = await this.connect();
      try {
        // A host starting many agents at once answers each in turn: a launch may wait its place.
        return await client.request<LaunchResult>({ op: 'launch', stateDir: this.options.stateDir, runId, env }, LAUNCH_TIMEOUT_MS);
      } catch (error) {
        // A host that was leaving (idle) or died: start a fresh one, once.
        const hostGone = !client.isOpen || /shutting down|went away|is gone/.test((error as Error).message);
        if (!hostGone || attempt >= 2) throw error;
        this.client = undefined;
      }
    }
  }

  private connect(): Promise<ControlClient> {
    const current = this.client;
    if (current) {
      return current.then((client) => (client.isOpen ? client : ((this.client = undefined), this.connect())));
    }
    this.client = this.start().catch((error) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async start(): Promise<ControlClient> {
    const state = new StateMap(this.options.stateDir);
    const socketPath = state.hostSocket(`host-${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
    ensureFolder(state.hosts);
    const log = fs.openSync(state.supervisorLog, 'a', 0o600);
    const child = spawn(this.options.nodePath, [this.options.supervisorScript, '--host', socketPath], {
      detached: true,
      stdio: ['ignore', 'pipe', log],
      env: { ...unmarked(this.options.env), ELECTRON_RUN_AS_NODE: '1' },
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
    return ControlClient.connect(socketPath);
  }

  /** Lets go of the host; it keeps supervising its runs and leaves when they are done. */
  dispose(): void {
    void this.client?.then((client) => client.close(), () => undefined);
    this.client = undefined;
  }
}
