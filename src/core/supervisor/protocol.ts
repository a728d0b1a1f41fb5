/**
 * The supervisor's control protocol: newline-delimited JSON over a Unix socket. Any process that
 * shares the state directory can steer, interrupt, kill or subscribe to a run this way.
 */
import type { AgentEvent, ProcessIdentity, RunLimits, RunRecord, SteerDelivery } from '../runs/types';
import type { ErrorCode } from '../errors';
import type { PoolsConfig } from '../pools/pools';

export type ControlRequest =
  /** To a supervisor host: start supervising the run prepared in the state folder; `env` is added to the agent's environment. */
  /** `adopt`: take over a container run whose supervisor died (its container runs on), rather than start one. */
  | { id: number; op: 'launch'; stateDir: string; runId: string; env: Record<string, string>; adopt?: boolean }
  /**
   * To a supervisor host: keep the run's place in a pool's line (it becomes its launcher) and start
   * it when its turn comes, with `env` added as for a launch; `pools` are the limits it was queued under.
   */
  | { id: number; op: 'keep'; stateDir: string; runId: string; env: Record<string, string>; pools: PoolsConfig }
  | { id: number; op: 'subscribe' }
  /** Is anyone there: answered at once by a host or a run's supervisor that is not stopped or hung. */
  | { id: number; op: 'ping' }
  /** To a run whose record was found corrupt: write it to disk again now, and answer it. */
  | { id: number; op: 'rewrite' }
  | { id: number; op: 'steer'; message: string; source: string }
  | { id: number; op: 'interrupt'; source: string }
  | { id: number; op: 'kill'; source: string; force: boolean }
  | { id: number; op: 'approve'; allow: boolean; source: string; message?: string }
  /**
   * To a running run: its hard limits are `limits` from now on (its goal's budget was extended, see
   * raiseGoalRunLimits); one its usage is already past stops it at once. Answered with its record.
   */
  | { id: number; op: 'limits'; limits: RunLimits; source: string };

export interface LaunchResult {
  pid: number;
}

/** A host keeping a run's place in line: it is the run's launcher now. */
export interface KeepResult {
  launcher: ProcessIdentity;
}

export interface SteerResult {
  delivery: SteerDelivery;
}
export interface InterruptResult {
  delivered: 'protocol' | 'signal';
}
export interface ApproveResult {
  tool: string;
  allow: boolean;
}
/** How much longer than the grace time a kill's asker waits for the supervisor's answer (the run's end included) before it takes the supervisor for stopped or hung. */
export const KILL_ANSWER_MARGIN_MS = 5000;

export interface KillResult {
  killed: boolean;
  pid?: number;
  status: RunRecord['status'];
  /** Set when the kill came while the run was finishing, its agent already exited: what that was ("<name> was finishing when the kill came: its agent had already exited with code 0"). */
  finishing?: string;
}

export type ControlResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: { code: ErrorCode; message: string; hint?: string; details?: Record<string, unknown> } };

export type ControlNotification =
  | { note: 'record'; record: RunRecord }
  | { note: 'event'; event: AgentEvent }
  | { note: 'output'; bytes: number };

export type ControlMessage = ControlResponse | ControlNotification;

/** Splits a byte stream into lines (a line may arrive in several chunks). */
export class LineSplitter {
  private pending = '';

  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 16 * 1024 * 1024) {}

  push(chunk: string): void {
    const text = this.pending + chunk;
    let start = 0;
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      this.onLine(text.slice(start, newline > start && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline));
      start = newline + 1;
      newline = text.indexOf('\n', start);
    }
    this.pending = text.slice(start);
    // An endless line is handed over in pieces rather than held in memory without bound.
    if (this.pending.length > this.maxLine) {
      this.onLine(this.pending);
      this.pending = '';
    }
  }

  end(): void {
    if (this.pending) this.onLine(this.pending);
    this.pending = '';
  }
}
