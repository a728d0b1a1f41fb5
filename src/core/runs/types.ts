/** The shapes of an agent run as the registry records it and every surface shows it. */

export const RUN_STATUSES = ['queued', 'running', 'done', 'failed', 'killed', 'orphaned'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const FINISHED_STATUSES: ReadonlySet<RunStatus> = new Set(['done', 'failed', 'killed', 'orphaned']);
export const isFinished = (status: RunStatus): boolean => FINISHED_STATUSES.has(status);

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  /** Cost in US dollars, or undefined when neither reported nor estimable. */
  usd?: number;
  /** `reported` when the CLI printed the cost, `estimated` when it came from the price table. */
  usdSource?: 'reported' | 'estimated';
  /** Tokens (and their estimated cost) by model, where the CLI reports them so (Gemini CLI: its router and its main model). */
  models?: Record<string, ModelUsage>;
}

export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  usd?: number;
}

/** The agent CLI retries a failed model call on its own, as it said in its output (`retrying (429, attempt 3 of 10)`). */
export interface RunRetrying {
  /** The provider's HTTP status, when the CLI names it. */
  status?: number;
  /** Which retry this is (1 = the first retry), when the CLI numbers them. */
  attempt?: number;
  /** How many retries it makes at most, when the CLI says (or a `maxRetries` setting set it). */
  of?: number;
  /** How long it waits before this retry, when the CLI says. */
  delayMs?: number;
  /** Its own words about the error, clipped. */
  message?: string;
  /** When the retrying began (the first retry of this series). */
  since: number;
}

/** A tool call the agent CLI refused on its own in a headless run (its permission mode did not allow it). */
export interface PermissionDenial {
  tool: string;
  /** What it would have done: the command, the file or the URL, clipped. */
  what?: string;
  /** The CLI's id of the tool call, so that a denial reported again is counted once. */
  id?: string;
}

/** Which process an agent run is: a pid alone is never enough, since pids are reused. */
export interface ProcessIdentity {
  pid: number;
  /** Opaque start-time token (boot id + start ticks on Linux); a pid whose token differs is not ours. */
  startToken: string;
}

export interface RunLinks {
  team?: string;
  goal?: string;
  task?: string;
  /** The comparison (`switchboard compare`) it is one of the entries of. */
  compare?: string;
  /** The chat session (`switchboard chat`) whose orchestrator agent it is: what it starts over MCP is recorded there. */
  chatSession?: string;
}

/**
 * A run's own git worktree (`run --worktree`): a branch made from the folder's HEAD, in a folder of
 * the state directory, so that its work can be looked at, merged or thrown away on its own.
 */
export interface RunWorktree {
  /** The folder the run was asked to work in (a repository, or a folder inside one). */
  workspace: string;
  /** The top folder of that repository. */
  repo: string;
  /** The worktree's top folder; the run works in the same place inside it as `workspace` is in `repo`. */
  folder: string;
  /** `switchboard/run/<name>`. */
  branch: string;
  /** The commit the branch was made from (the folder's HEAD when the run started). */
  baseCommit: string;
  /** The branch checked out in the folder then: where `merge` brings the work. Undefined: HEAD was detached. */
  baseBranch?: string;
  /** Files copied in from the folder (`teams.copyFiles`): not the run's work. */
  copied?: string[];
  /** The folder had uncommitted changes, which the worktree (made from HEAD) does not have. */
  workspaceDirty?: boolean;
  /** Written when the run ended: what its work ends with. */
  end?: {
    /** The branch's last commit, when the run changed anything. */
    commit?: string;
    /** Whether Switchboard committed what the agent left uncommitted. */
    committedLeftovers: boolean;
    /** Why its work could not be committed (it is still in the worktree). */
    error?: string;
  };
}

/** A run's hard limits (`run --max-usd --max-tokens --timeout`): crossing one stops it. */
export interface RunLimits {
  maxUsd?: number;
  maxTokens?: number;
  timeoutMs?: number;
  /**
   * When the run stops whenever it started (ms since the epoch): a goal's deadline, which a run that
   * waited in a pool's line must not outlast by its wait (timeoutMs counts from its start).
   */
  endsAt?: number;
  /** Set when the limits are the part of this goal's budget the run may spend (see goalRunLimits): a stop by one is said as the goal's budget's. */
  goal?: string;
}

/**
 * Asked before a run starts for a goal: throws to refuse it (the goal is stopped, its budget spent),
 * else gives the hard limits to start it with (its part of the goal's budget, see goalRunLimits), if any.
 */
export type RunGuard = () => RunLimits | undefined;

/** A run's place in a container engine (see RunRecord.container). */
export interface RunContainer {
  backend: string;
  endpoint: string;
  /** The container's id, once made. */
  id?: string;
  /** A swarm run's service. */
  service?: string;
  /** Copy mode: the Docker volume its worktree was copied into (removed once copied back). */
  volume?: string;
  /** Copy mode, once ended: what the copy back did, or why the work is still in the volume. */
  copyBack?: string;
}

export interface RunRecord {
  version: 1;
  id: string;
  name: string;
  runner: string;
  /** The live protocol the run talks with its CLI (ACP, Codex's app-server; see runnerFor); absent: the runner's one-shot or stream-json mode. */
  protocol?: 'acp' | 'app-server';
  /** The agent's command line, secrets redacted. */
  commandLine: string[];
  cwd: string;
  prompt: string;
  status: RunStatus;
  /** The agent process (changes when a steer restarts it through interrupt + resume). */
  agent?: ProcessIdentity;
  /** The supervisor that holds the agent's pipes and writes this record while the run lives. */
  supervisor?: ProcessIdentity;
  /** Unix socket the supervisor listens on for steer / interrupt / kill / subscribe. */
  controlSocket?: string;
  sessionId?: string;
  /** The model asked for (`--model`, else the runner's setting), then the one the agent reports. */
  model?: string;
  exitCode?: number;
  signal?: string;
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  usage: Usage;
  links: RunLinks;
  /** Who asked for the run when it was not a person at the CLI or in VS Code, e.g. `mcp:claude-code`. */
  startedBy?: string;
  /** The pool that admitted it (or that it waits in, while queued). */
  pool?: string;
  /** Hard limits: the run is stopped when it crosses one. */
  limits?: RunLimits;
  /** Its own git worktree and branch, when it was started with one. */
  worktree?: RunWorktree;
  /** While it waits in a pool's line: the process that will start it when a slot frees. */
  launcher?: ProcessIdentity;
  lastError?: string;
  /** Set while the agent waits for a person (a tool call to approve). */
  waiting?: { reason: string; since: number; tool?: string };
  /** Set while the agent CLI retries a failed model call on its own; cleared when it goes on. */
  retrying?: RunRetrying;
  /** Tool calls the agent CLI refused on its own (Claude Code's `permission_denials`), over the whole run. */
  permissionDenials?: PermissionDenial[];
  /** The final answer text where the runner reports one. */
  resultText?: string;
  /** Where it runs when not a local process: the backend (`docker`, `docker:ctx`, `swarm`), the engine's endpoint, and its container (or service). */
  container?: RunContainer;
  /** Output bytes written to the log so far. */
  outputBytes: number;
  /** Parsed events written so far. */
  eventCount: number;
  /**
   * Where parsing the output stood when the record was written: `bytes` ends the last whole line
   * parsed, and the first `events` events came before anything parsed after it. A supervisor that
   * takes the run over keeps those events and parses again from `bytes`, so a line is counted once.
   */
  parsed?: { bytes: number; events: number };
  /** How many secrets of each kind its output held (the placeholders given, `<<REDACTED_AWS_KEY_1>>`…). */
  redactions?: Record<string, number>;
}

/** One parsed event of an agent's output, or a control action taken on the run. */
export type AgentEventBody =
  | { type: 'session'; sessionId: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'tool_call'; name: string; callId?: string; input?: unknown }
  | { type: 'tool_result'; callId?: string; output: string; isError?: boolean }
  /**
   * Tokens (and cost) reported. `provisional`: one model call's usage inside a turn not yet ended
   * (its message id keeps repeats from counting twice); the turn's own report replaces it.
   */
  | { type: 'usage'; inputTokens: number; outputTokens: number; usd?: number; provisional?: boolean; messageId?: string; models?: Record<string, ModelUsage> }
  /** `denials`: tool calls the CLI refused in this turn, as its result reports them. */
  | { type: 'result'; ok: boolean; text?: string; error?: string; denials?: PermissionDenial[] }
  /** The CLI retries a failed model call on its own (see RunRetrying). */
  | { type: 'retry'; status?: number; attempt?: number; of?: number; delayMs?: number; message?: string }
  /** The agent waits; `request` when it asks the host to approve a tool call (answered with approve). */
  | { type: 'waiting'; reason: string; request?: ApprovalRequest }
  | { type: 'approval'; tool: string; allow: boolean; source: string; message?: string }
  | { type: 'raw'; stream: 'stdout' | 'stderr'; text: string }
  | { type: 'steer'; message: string; delivery: SteerDelivery; source: string }
  /** `limits`: the run's hard limits were changed while it ran (its goal's budget was extended) to `limits`. */
  | { type: 'control'; action: 'interrupt' | 'kill' | 'limits'; source: string; force?: boolean; limits?: RunLimits }
  /** `source`: who asked for the run, on its first spawn, when it was not a person (e.g. `mcp:claude-code`). */
  | { type: 'spawn'; pid: number; commandLine: string[]; resumed: boolean; source?: string }
  | { type: 'exit'; exitCode?: number; signal?: string }
  | { type: 'error'; message: string };

export type AgentEvent = AgentEventBody & { seq: number; ts: number };

/** A tool call the agent asks the host to allow or deny. */
export interface ApprovalRequest {
  /** The CLI's id for the request, echoed in the answer. */
  id: string;
  tool: string;
  input?: unknown;
}

export type SteerDelivery = 'live' | 'interrupt-resume';
export type SteeringCapability = SteerDelivery | 'none';
