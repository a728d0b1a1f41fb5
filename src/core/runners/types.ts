/** A runner: how one agent CLI is started, read, resumed, steered and interrupted — described as data. */
import type { AgentEventBody, ApprovalRequest, SteeringCapability } from '../runs/types';

export type UsageScope = 'turn' | 'process' | 'session';

export interface RunnerSettings {
  /** The binary to run (a name looked up on PATH, or a path). */
  binary: string;
  /** Extra arguments appended to every command line (from settings). */
  extraArgs: string[];
  /** Model to ask for, where the CLI takes one. */
  model?: string;
  /**
   * What the agent may do without asking, in the CLI's own words: Claude's --permission-mode,
   * Gemini's and Qwen's --approval-mode, Codex's --sandbox, opencode's and Kilo's `auto` or agent,
   * the Copilot CLI's `allow-all-tools`/`allow-all`/`plan`, Cline's `act`/`plan`. Each runner has a
   * default that lets it edit files.
   */
  permissionMode?: string;
  /** Caps the CLI's own retries of a failed model call, where it has a knob for it (`Runner.retryCap`). */
  maxRetries?: number;
  /** How to talk to a CLI that speaks ACP as well as one-shot JSON (`RunnerProtocol`); absent: the runner's default. */
  protocol?: RunnerProtocol;
}

/**
 * `acp`: a live ACP session over the agent's stdio (see acp.ts); `app-server`: Codex's own live protocol
 * (see codexAppServer.ts); `json`: one prompt per process, its JSON lines read.
 */
export type RunnerProtocol = 'acp' | 'app-server' | 'json';

/** The live protocols, which a run's record names (one-shot JSON is a runner's plain mode). */
export type LiveProtocol = Exclude<RunnerProtocol, 'json'>;

export interface StartRequest {
  prompt: string;
  cwd: string;
  settings: RunnerSettings;
  /** Continue this session instead of starting a new one. */
  resumeSessionId?: string;
  /** The custom runner's command template. */
  commandTemplate?: string;
  /** Switchboard's own MCP server, for runners that take one (`Runner.takesMcpServer`). */
  mcp?: AgentMcpAccess;
  /**
   * Tool calls the permission mode does not allow are asked of the host (a person in VS Code)
   * instead of denied, where the CLI can (Claude Code); unanswered, they are denied after a while.
   */
  hostApprovals?: boolean;
}

/** How an agent reaches Switchboard's MCP server: the token travels in an environment variable, never in argv. */
export interface AgentMcpAccess {
  url: string;
  /** The name of the environment variable that holds the bearer token. */
  tokenEnv: string;
  /**
   * The name of the environment variable that holds the run's id, sent as the `X-Switchboard-Run`
   * header so that the server knows which run calls it (report_discovery files it under its goal or team).
   */
  runEnv?: string;
}

/** The environment an agent process is started with. */
export type AgentEnv = Readonly<Record<string, string | undefined>>;

/** The header that names the calling run to Switchboard's MCP server. */
export const RUN_HEADER = 'X-Switchboard-Run';

/** The name Switchboard's server has in an agent's MCP configuration (Claude's tools are then `mcp__switchboard__*`). */
export const MCP_SERVER_NAME = 'switchboard';

export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** `pipe` keeps stdin open for live steering; `ignore` closes it (one-shot CLIs wait on an open stdin). */
  stdin: 'pipe' | 'ignore';
  /** Lines to write to stdin right after spawning (e.g. the prompt for stream-json input). */
  initialInput: string[];
  /**
   * Its stdout goes through a pipe that the supervisor copies into the output log, for CLIs that
   * write nothing to a file (Gemini CLI's ACP). Default: stdout is the output log itself.
   */
  stdoutPipe?: boolean;
}

/** What Continue in Terminal continues: a run's session, in its folder, with its runner's settings and the run's model. */
export interface InteractiveRequest {
  sessionId: string;
  cwd: string;
  settings: RunnerSettings;
}

/** The CLI's own interactive session (no prompt, a terminal for stdin): what a terminal starts. */
export type InteractiveSpec = Pick<SpawnSpec, 'command' | 'args' | 'env'>;

/** Turns one stdout line into events; returns undefined for a line it does not understand (kept as raw). */
export type LineParser = (line: string) => AgentEventBody[] | undefined;

/**
 * A runner's exchange with one agent process over its stdio, for protocols with state (ACP's
 * request ids and session). Each method answers with the lines to write to the agent's stdin;
 * undefined where the agent can no longer be reached that way.
 */
export interface Conversation {
  /** One output line: the events it tells, and lines to write back; undefined when it is not the protocol's (kept as raw). */
  read(line: string): { events: AgentEventBody[]; replies: string[] } | undefined;
  /** Delivers a steering message live. */
  steer?(message: string): string[] | undefined;
  /** Stops the current turn without killing the process. */
  interrupt?(requestId: string): string[] | undefined;
  /** Answers an approval request. */
  answer?(request: ApprovalRequest, allow: boolean, message?: string): string[] | undefined;
}

export interface Runner {
  readonly id: string;
  readonly displayName: string;
  readonly defaultBinary: string;
  /** How to install the CLI when it is missing. */
  readonly installHint: string;
  /** Whether stdout is machine-readable events (false: plain text shown as is). */
  readonly structured: boolean;
  readonly steering: SteeringCapability;
  readonly canResume: boolean;
  /** Why a session cannot be resumed, when the CLI is the reason `canResume` is false (given with the refusal). */
  readonly resumeRefusal?: string;
  /** Whether Switchboard's MCP server can be given to this CLI (`mcp` in the request): on its command line, in its settings (Qwen Code), or over ACP. */
  readonly takesMcpServer: boolean;
  /** The CLI's own knob that `maxRetries` sets (absent: it has none Switchboard can set), for settings and docs. */
  readonly retryCap?: string;
  /** Whether the CLI reports its cost in USD itself. */
  readonly reportsCost: boolean;
  /**
   * What one usage report covers: `turn` (add them up), `process` (a running total for this
   * process), `session` (a running total for the whole session, earlier resumed processes included).
   */
  readonly usageScope: UsageScope;
  /** What one reported USD figure covers, when the CLI reports cost (Claude: a running total for the session). */
  readonly costScope?: UsageScope;
  build(request: StartRequest): SpawnSpec;
  /**
   * The CLI's own interactive session continuing a run's session, for a person at a terminal
   * (Continue in Terminal). Absent: the CLI has none; `interactiveRefusal` says why.
   */
  interactive?(request: InteractiveRequest): InteractiveSpec;
  /** Why a run's session cannot be continued at a terminal, when `interactive` is absent. */
  readonly interactiveRefusal?: string;
  createParser(): LineParser;
  /**
   * For runners whose protocol has state (ACP): the conversation with one process, used instead of the
   * line functions below; `env` is the agent's environment (what `request.mcp` names is read from it).
   */
  createConversation?(request: StartRequest, env: AgentEnv): Conversation;
  /** For host approvals: the stdin line that answers an approval request. */
  approvalInput?(request: ApprovalRequest, allow: boolean, message?: string): string;
  /** For `live` steering: the stdin line that delivers a message. */
  steerInput?(message: string): string;
  /** The runner's own interrupt: a stdin line (Claude's control request). Absent: SIGINT. */
  interruptInput?(requestId: string): string;
  /** Whether this event ends one turn of a stdin-driven session (used to close stdin when all turns are done). */
  isTurnEnd?(event: AgentEventBody): boolean;
}

export function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function asNumber(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** What a tool call is about, from its input: the command, the file, the pattern or the URL; undefined when none of these. */
export function toolTarget(input: unknown): string | undefined {
  const record = asRecord(input);
  const key = record && ['command', 'file_path', 'path', 'absolute_path', 'pattern', 'url'].find((k) => typeof record[k] === 'string');
  return key ? (record[key] as string) : undefined;
}

/** Parses a JSON object line; undefined for anything else. */
export function parseJsonLine(line: string): Record<string, unknown> | undefined {
  const trimmed = line.trim();
  if (!trimmed.startsWith('{')) return undefined;
  try {
    return asRecord(JSON.parse(trimmed));
  } catch {
    return undefined;
  }
}
