/**
 * The contract every scripted model provider in test/support/providers/ follows.
 * A scripted provider is a real HTTP server on 127.0.0.1 that speaks one provider's wire protocol,
 * so that the real agent CLI (installed from npm) runs against it with no internet.
 */

/** What the "model" does in answer to one request. */
export type ScriptedStep =
  /** Reply with text and end the turn. `chunks` splits the text into that many streamed deltas; `delayMs` waits between them. */
  | { kind: 'text'; text: string; chunks?: number; delayMs?: number }
  /** Call the CLI's own file-writing tool (Claude `Write`, Gemini/Qwen `write_file`, Codex `apply_patch` or shell). `path` is absolute. */
  | { kind: 'write_file'; path: string; content: string }
  /** Call the CLI's own shell tool with this command (Claude `Bash`, Gemini/Qwen `run_shell_command`, Codex `shell`/exec). */
  | { kind: 'shell'; command: string }
  /** Call any tool by name (e.g. Claude's MCP tool `mcp__switchboard__run_agent`, Codex's `exec_command` with `sandbox_permissions`). */
  | { kind: 'tool'; name: string; input: Record<string, unknown> }
  /**
   * Answer with an HTTP error status (e.g. 400, 500) and the provider's error body. `retryAfterMs`: the
   * `retry-after-ms` header to send, `null` for none (the Chat Completions provider sends `1` for 429 and 503 by default).
   */
  | { kind: 'http_error'; status: number; message: string; retryAfterMs?: number | null };

/** What the script sees of one request. */
export interface ProviderRequestInfo {
  /** How many assistant/model turns the conversation already holds (0 on the first call). */
  turn: number;
  /** The text of the newest user message that is plain text (not a tool result); '' if none. */
  lastUserText: string;
  /** True when the newest message is a tool result (the model is being asked to continue after a tool). */
  afterToolResult: boolean;
  /** Request path, e.g. '/v1/messages'. */
  path: string;
  /** Parsed JSON body. */
  body: unknown;
}

export type Script = (request: ProviderRequestInfo) => ScriptedStep;

/** Token usage every scripted response reports, so tests can check that usage is parsed. */
export const SCRIPTED_USAGE = { inputTokens: 120, outputTokens: 30 } as const;

export interface ScriptedProvider {
  /** Base URL to hand to the CLI, e.g. http://127.0.0.1:40123 (each provider file says whether /v1 is appended). */
  url: string;
  /** Every request that reached the model endpoint(s), in order. */
  requests: ProviderRequestInfo[];
  close(): Promise<void>;
}
