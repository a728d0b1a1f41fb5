/**
 * An operation, defined once for every transport (MCP tools, VS Code language model tools, the
 * chat participant, the HTTP API): its zod input and output, a one-line summary of each answer, and
 * a handler over the core object with progress and cancellation. A transport adds no logic of its
 * own: it calls `invokeOperation` and shapes the answer for its protocol.
 */
import type { z } from 'zod';
import type { DoctorReport } from '../core/doctor';
import type { Logger } from '../core/logger';
import type { Switchboard } from '../core/switchboard';
import type { Metrics } from './metrics';

export interface ConnectedClient {
  name: string;
  version?: string;
  transport: 'http' | 'stdio';
  connectedAt: number;
}

/** What the process serving the operations says about itself (doctor shows it). */
export interface ServerFacts {
  /** The HTTP address, when served over HTTP. */
  url?: string;
  transports: ('http' | 'stdio')[];
  clients: ConnectedClient[];
}

/** Facts and policies of whoever hosts the operations (the extension, a headless server). */
export interface OpHost {
  version: string;
  metrics: Metrics;
  logger: Logger;
  doctor(): Promise<DoctorReport>;
  server(): ServerFacts;
  /** Where work starts when no folder is given. */
  defaultCwd(): string | undefined;
  /**
   * Throws a SwitchboardError when the host refuses: `start` (an untrusted workspace), `steer`, or
   * `merge` (git merges and worktree removal).
   */
  guard(action: 'start' | 'steer' | 'merge'): void;
}

export interface OpContext {
  sb: Switchboard;
  host: OpHost;
  /** Who is calling, as recorded in a run's events: `mcp:<client>`, `chat`, `api:<client>`… */
  source: string;
  /** The run that calls, when an agent Switchboard started does (its MCP configuration names it in the X-Switchboard-Run header). */
  callerRun?: string;
  signal: AbortSignal;
  /** Reports progress when the caller can show it; otherwise does nothing. */
  progress(progress: number, message: string): Promise<void>;
}

export interface OpAnswer<O> {
  structured: O;
  summary: string;
  /**
   * The array field of `structured` whose items the handler checked against the output schema
   * itself when it made them (list_agents: `agents`, each run's summary checked once and kept):
   * invokeOperation checks the rest of the answer (count, next_offset) but not each item again.
   * Items that are frozen keep their JSON text for the transports (see answerText).
   */
  checkedItems?: string;
}

/** Hints for callers (MCP tool annotations use the same words). */
export interface OpHints {
  readOnlyHint?: boolean;
  destructiveHint?: boolean;
  idempotentHint?: boolean;
  openWorldHint?: boolean;
}

export interface Operation<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: I;
  output: O;
  annotations?: OpHints;
  handle(args: z.output<I>, ctx: OpContext): Promise<OpAnswer<z.input<O>>>;
}

/** Keeps each definition's own input and output types while collecting them in one list. */
export const defineOperation = <I extends z.ZodObject, O extends z.ZodObject>(op: Operation<I, O>): Operation => op as unknown as Operation;
