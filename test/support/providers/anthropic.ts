/**
 * Scripted Anthropic Messages API provider, for running the real Claude Code CLI with no internet.
 * `url` is the value for ANTHROPIC_BASE_URL (no /v1): Claude Code calls `POST /v1/messages?beta=true`.
 * See test/fixtures/transcripts/claude/NOTES.md for what the CLI sends and prints.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { SCRIPTED_USAGE, type ProviderRequestInfo, type Script, type ScriptedProvider, type ScriptedStep } from './types';
import { listenOnLoopback } from './loopbackServer';

interface ContentBlock {
  type: string;
  text?: string;
}

interface Message {
  role: string;
  content: unknown;
}

interface MessagesBody {
  model?: string;
  stream?: boolean;
  messages?: Message[];
}

type ToolBlock = { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };
type TextBlock = { type: 'text'; text: string };

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

const id = (prefix: string): string => `${prefix}_${randomBytes(12).toString('hex')}`;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function usage(): Record<string, number> {
  return {
    input_tokens: SCRIPTED_USAGE.inputTokens,
    output_tokens: SCRIPTED_USAGE.outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  };
}

function blocksOf(content: unknown): ContentBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? (content as ContentBlock[]) : [];
}

/** Text blocks the human typed; Claude Code's own `<system-reminder>` blocks are skipped. */
function userTexts(content: unknown): string[] {
  return blocksOf(content)
    .filter((b) => b.type === 'text' && typeof b.text === 'string' && !b.text.trimStart().startsWith('<system-reminder>'))
    .map((b) => b.text ?? '');
}

function hasToolResult(message: Message): boolean {
  return blocksOf(message.content).some((b) => b.type === 'tool_result');
}

/**
 * A user message sent mid-turn (live steering) reaches the model as a `role:"system"` entry:
 * "The user sent a new message while you were working:\n<text>\n\nThis is how Claude Code surfaces ...".
 */
const STEER_HEADER = 'The user sent a new message while you were working:\n';
const STEER_FOOTER = '\n\nThis is how Claude Code surfaces';

function steeringTexts(content: unknown): string[] {
  return blocksOf(content).flatMap((b) => {
    const text = b.type === 'text' ? (b.text ?? '') : '';
    const start = text.indexOf(STEER_HEADER);
    if (start < 0) return [];
    const rest = text.slice(start + STEER_HEADER.length);
    const end = rest.indexOf(STEER_FOOTER);
    return [end < 0 ? rest : rest.slice(0, end)];
  });
}

export function describeRequest(path: string, body: MessagesBody): ProviderRequestInfo {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const turn = messages.filter((m) => m.role === 'assistant').length;
  let lastUserText = '';
  for (let i = messages.length - 1; i >= 0 && lastUserText === ''; i--) {
    const m = messages[i];
    if (m?.role === 'user') lastUserText = userTexts(m.content).at(-1) ?? '';
    if (m?.role === 'system') lastUserText = steeringTexts(m.content).at(-1) ?? '';
  }
  const newest = messages.filter((m) => m.role !== 'system').at(-1);
  const afterToolResult = newest !== undefined && newest.role === 'user' && hasToolResult(newest);
  return { turn, lastUserText, afterToolResult, path, body };
}

function split(text: string, chunks: number): string[] {
  const n = Math.max(1, Math.min(Math.floor(chunks), text.length || 1));
  const size = Math.ceil(text.length / n);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(text.slice(i * size, (i + 1) * size));
  return parts;
}

function toolBlock(step: ScriptedStep): ToolBlock | undefined {
  if (step.kind === 'write_file') {
    return { type: 'tool_use', id: id('toolu'), name: 'Write', input: { file_path: step.path, content: step.content } };
  }
  if (step.kind === 'shell') {
    return { type: 'tool_use', id: id('toolu'), name: 'Bash', input: { command: step.command, description: 'Run command' } };
  }
  if (step.kind === 'tool') return { type: 'tool_use', id: id('toolu'), name: step.name, input: step.input };
  return undefined;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(value));
}

function sendError(res: ServerResponse, status: number, message: string): void {
  const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
  sendJson(res, status, { type: 'error', error: { type, message } });
}

/** Streams one assistant message as Anthropic SSE events; stops early if the client goes away. */
async function stream(res: ServerResponse, model: string, step: ScriptedStep): Promise<void> {
  let closed = false;
  res.on('close', () => {
    closed = true;
  });
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    'request-id': id('req'),
  });
  const event = (type: string, data: Record<string, unknown>): void => {
    if (!closed) res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  };
  const startUsage = { ...usage(), output_tokens: 1 };
  event('message_start', {
    message: { id: id('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: startUsage },
  });
  event('ping', {});
  const tool = toolBlock(step);
  if (tool) {
    event('content_block_start', { index: 0, content_block: { ...tool, input: {} } });
    event('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(tool.input) } });
  } else {
    const text = step.kind === 'text' ? step.text : '';
    const chunks = step.kind === 'text' ? (step.chunks ?? 1) : 1;
    const delayMs = step.kind === 'text' ? (step.delayMs ?? 0) : 0;
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    const parts = split(text, chunks);
    for (const [i, part] of parts.entries()) {
      if (i > 0 && delayMs > 0) await sleep(delayMs);
      if (closed) return;
      event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: part } });
    }
  }
  event('content_block_stop', { index: 0 });
  event('message_delta', { delta: { stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: usage() });
  event('message_stop', {});
  if (!closed) res.end();
}

/** A non-streaming reply (Claude Code does not normally make one; answered so it never hangs). */
function message(model: string, step: ScriptedStep): Record<string, unknown> {
  const tool = toolBlock(step);
  const content: (ToolBlock | TextBlock)[] = tool ? [tool] : [{ type: 'text', text: step.kind === 'text' ? step.text : '' }];
  return { id: id('msg'), type: 'message', role: 'assistant', model, content, stop_reason: tool ? 'tool_use' : 'end_turn', stop_sequence: null, usage: usage() };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text === '' ? {} : (JSON.parse(text) as unknown);
}

export async function startAnthropicProvider(script: Script, host?: string): Promise<ScriptedProvider> {
  const requests: ProviderRequestInfo[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const body = req.method === 'POST' ? await readBody(req) : {};
    if (req.method === 'POST' && path === '/v1/messages/count_tokens') {
      return sendJson(res, 200, { input_tokens: SCRIPTED_USAGE.inputTokens });
    }
    if (req.method !== 'POST' || path !== '/v1/messages') {
      return sendError(res, 404, `scripted provider: no route for ${req.method ?? '?'} ${path}`);
    }
    const messagesBody = (body ?? {}) as MessagesBody;
    const info = describeRequest(path, messagesBody);
    requests.push(info);
    const step = script(info);
    if (step.kind === 'http_error') return sendError(res, step.status, step.message);
    const model = messagesBody.model ?? 'claude-scripted';
    if (messagesBody.stream === true) return stream(res, model, step);
    return sendJson(res, 200, message(model, step));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendError(res, 500, `scripted provider failed: ${String(error)}`);
      else res.end();
    });
  });
  const { url, close } = await listenOnLoopback(server, host);
  return { url, requests, close };
}

/**
 * Prepares an isolated HOME for one Claude Code run and returns the env vars to add to the child's env.
 * The run then stays on 127.0.0.1 and never asks anything interactively.
 */
export async function prepareClaudeEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const configDir = join(opts.home, '.claude');
  const tmpDir = join(opts.home, 'tmp');
  await mkdir(configDir, { recursive: true });
  await mkdir(tmpDir, { recursive: true });
  // With CLAUDE_CONFIG_DIR set, the global config lives at $CLAUDE_CONFIG_DIR/.claude.json (not ~/.claude.json).
  await writeFile(join(configDir, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, autoUpdates: false }, null, 2));
  return {
    HOME: opts.home,
    // Keeps the CLI's state (sessions for --resume) and its temp files (/tmp/claude-<uid>, /tmp/cc-socks) in `home`.
    CLAUDE_CONFIG_DIR: configDir,
    CLAUDE_CODE_TMPDIR: tmpDir,
    ANTHROPIC_BASE_URL: opts.providerUrl,
    ANTHROPIC_API_KEY: 'sk-ant-scripted-test-key',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_MAX_RETRIES: '1',
  };
}
