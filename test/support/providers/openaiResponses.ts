/**
 * Scripted OpenAI Responses API provider, for running the real Codex CLI (`@openai/codex`) offline.
 *
 * Answers `POST /v1/responses` with a streaming SSE response shaped like OpenAI's (response.created,
 * response.output_item.added/done, output_text / function_call_arguments / custom_tool_call_input
 * deltas, response.completed with usage). `url` is the base WITHOUT /v1: prepareCodexEnv appends it.
 * See test/fixtures/transcripts/codex/NOTES.md for what Codex sends and prints.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { listenOnLoopback } from './loopbackServer';
import {
  SCRIPTED_USAGE,
  type ProviderRequestInfo,
  type Script,
  type ScriptedProvider,
  type ScriptedStep,
} from './types.js';

type Json = Record<string, unknown>;

/** An output item as it appears in `response.output_item.done` / `response.completed`. */
type OutputItem =
  | { id: string; type: 'message'; status: 'completed'; role: 'assistant'; content: { type: 'output_text'; text: string; annotations: [] }[] }
  | { id: string; type: 'function_call'; status: 'completed'; call_id: string; name: string; arguments: string }
  | { id: string; type: 'custom_tool_call'; status: 'completed'; call_id: string; name: string; input: string };

const MODEL_ITEM_TYPES = new Set(['function_call', 'custom_tool_call', 'local_shell_call']);
const TOOL_RESULT_TYPES = new Set(['function_call_output', 'custom_tool_call_output', 'local_shell_call_output']);
/** Codex sends context as user messages (`<environment_context>...</environment_context>`, etc.). */
const CONTEXT_BLOCK = /^\s*<([a-z_]+)>[\s\S]*<\/\1>\s*$|^# AGENTS\.md instructions/;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function messageText(item: Json): string {
  const content = item.content;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is Json => isObject(part) && typeof part.text === 'string')
    .map((part) => part.text as string)
    .join('');
}

/** Derives the script's view of a request from the Responses API `input` array. */
export function describeRequest(urlPath: string, body: unknown): ProviderRequestInfo {
  const input = isObject(body) && Array.isArray(body.input) ? body.input.filter(isObject) : [];
  let turn = 0;
  let lastUserText = '';
  for (const item of input) {
    const type = item.type ?? 'message';
    if (type === 'message' && item.role === 'assistant') turn++;
    else if (typeof type === 'string' && MODEL_ITEM_TYPES.has(type)) turn++;
    else if (type === 'message' && item.role === 'user') {
      const text = messageText(item);
      if (!CONTEXT_BLOCK.test(text)) lastUserText = text;
    }
  }
  const last = input[input.length - 1];
  const afterToolResult = last !== undefined && typeof last.type === 'string' && TOOL_RESULT_TYPES.has(last.type);
  return { turn, lastUserText, afterToolResult, path: urlPath, body };
}

function toolNames(body: unknown): Map<string, string> {
  const names = new Map<string, string>(); // name -> tool type ('function' | 'custom' | ...)
  if (isObject(body) && Array.isArray(body.tools)) {
    for (const tool of body.tools) {
      if (isObject(tool) && typeof tool.name === 'string') names.set(tool.name, String(tool.type));
    }
  }
  return names;
}

/**
 * Codex's own shell tool: `exec_command {cmd}` (0.169 default), or the older `shell_command` / `shell`.
 * exec_command hands a still-running command back to the model after yield_time_ms (default 10 s, at most
 * 30 s), and the command then never gets an item.completed line; 30 s keeps short commands deterministic.
 */
function shellCall(body: unknown, command: string): { name: string; args: Json } {
  const tools = toolNames(body);
  if (tools.has('exec_command')) return { name: 'exec_command', args: { cmd: command, yield_time_ms: 30000 } };
  if (tools.has('shell_command')) return { name: 'shell_command', args: { command } };
  return { name: 'shell', args: { command: ['bash', '-lc', command] } };
}

/** An apply_patch "Add File" patch; Add File also replaces an existing file. Every line ends with "\n". */
export function addFilePatch(filePath: string, content: string): string {
  const lines = content.endsWith('\n') ? content.slice(0, -1).split('\n') : content.split('\n');
  return ['*** Begin Patch', `*** Add File: ${filePath}`, ...lines.map((line) => `+${line}`), '*** End Patch', ''].join('\n');
}

function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

let counter = 0;
const newId = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(++counter).toString(36).padStart(4, '0')}`;

class SseStream {
  private sequence = 0;
  constructor(private readonly res: ServerResponse) {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  }
  get closed(): boolean {
    return this.res.destroyed || this.res.writableEnded;
  }
  event(type: string, fields: Json): void {
    if (this.closed) return;
    const data = { type, sequence_number: this.sequence++, ...fields };
    this.res.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
  }
  end(): void {
    if (!this.closed) this.res.end();
  }
}

async function streamResponse(res: ServerResponse, body: unknown, step: Exclude<ScriptedStep, { kind: 'http_error' }>): Promise<void> {
  const model = isObject(body) && typeof body.model === 'string' ? body.model : 'gpt-5.5';
  const response = { id: newId('resp'), object: 'response', created_at: Math.floor(Date.now() / 1000), model, output: [] as OutputItem[] };
  const sse = new SseStream(res);
  sse.event('response.created', { response: { ...response, status: 'in_progress' } });
  sse.event('response.in_progress', { response: { ...response, status: 'in_progress' } });

  let item: OutputItem;
  if (step.kind === 'text') {
    const id = newId('msg');
    const part = { type: 'output_text' as const, text: '', annotations: [] as [] };
    sse.event('response.output_item.added', { output_index: 0, item: { id, type: 'message', status: 'in_progress', role: 'assistant', content: [] } });
    sse.event('response.content_part.added', { item_id: id, output_index: 0, content_index: 0, part });
    const chunks = Math.max(1, Math.min(step.chunks ?? 1, step.text.length || 1));
    const size = Math.ceil(step.text.length / chunks);
    for (let i = 0; i < chunks; i++) {
      if (i > 0 && step.delayMs) await sleep(step.delayMs);
      if (sse.closed) return;
      sse.event('response.output_text.delta', { item_id: id, output_index: 0, content_index: 0, delta: step.text.slice(i * size, (i + 1) * size), logprobs: [] });
    }
    sse.event('response.output_text.done', { item_id: id, output_index: 0, content_index: 0, text: step.text, logprobs: [] });
    sse.event('response.content_part.done', { item_id: id, output_index: 0, content_index: 0, part: { ...part, text: step.text } });
    item = { id, type: 'message', status: 'completed', role: 'assistant', content: [{ ...part, text: step.text }] };
  } else if (step.kind === 'write_file' && toolNames(body).get('apply_patch') === 'custom') {
    const id = newId('ctc');
    const input = addFilePatch(step.path, step.content);
    const base = { id, type: 'custom_tool_call' as const, call_id: newId('call'), name: 'apply_patch' };
    sse.event('response.output_item.added', { output_index: 0, item: { ...base, status: 'in_progress', input: '' } });
    sse.event('response.custom_tool_call_input.delta', { item_id: id, output_index: 0, delta: input });
    sse.event('response.custom_tool_call_input.done', { item_id: id, output_index: 0, input });
    item = { ...base, status: 'completed', input };
  } else {
    // Any function tool by name (e.g. exec_command asking to leave the sandbox); shell; or write_file when no
    // freeform apply_patch tool is offered (e.g. unknown model): written through the shell.
    const call =
      step.kind === 'tool'
        ? { name: step.name, args: step.input }
        : shellCall(body, step.kind === 'shell' ? step.command : `mkdir -p ${shellQuote(path.dirname(step.path))} && printf '%s' ${shellQuote(step.content)} > ${shellQuote(step.path)}`);
    const id = newId('fc');
    const args = JSON.stringify(call.args);
    const base = { id, type: 'function_call' as const, call_id: newId('call'), name: call.name };
    sse.event('response.output_item.added', { output_index: 0, item: { ...base, status: 'in_progress', arguments: '' } });
    sse.event('response.function_call_arguments.delta', { item_id: id, output_index: 0, delta: args });
    sse.event('response.function_call_arguments.done', { item_id: id, output_index: 0, arguments: args });
    item = { ...base, status: 'completed', arguments: args };
  }
  sse.event('response.output_item.done', { output_index: 0, item });
  const usage = {
    input_tokens: SCRIPTED_USAGE.inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: SCRIPTED_USAGE.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: SCRIPTED_USAGE.inputTokens + SCRIPTED_USAGE.outputTokens,
  };
  sse.event('response.completed', { response: { ...response, status: 'completed', output: [item], usage } });
  sse.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function errorBody(status: number, message: string): Json {
  const type = status === 401 ? 'invalid_api_key' : status === 429 ? 'rate_limit_exceeded' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: null, code: null } };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startOpenAIResponsesProvider(script: Script): Promise<ScriptedProvider> {
  const requests: ProviderRequestInfo[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const urlPath = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const raw = await readBody(req);
    if (req.method === 'POST' && (urlPath === '/v1/responses' || urlPath === '/responses')) {
      let body: unknown = null;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {
        return sendJson(res, 400, errorBody(400, 'invalid JSON body'));
      }
      const info = describeRequest(urlPath, body);
      requests.push(info);
      const step = script(info);
      if (step.kind === 'http_error') return sendJson(res, step.status, errorBody(step.status, step.message));
      return streamResponse(res, body, step);
    }
    if (req.method === 'GET' && (urlPath === '/v1/models' || urlPath === '/models')) {
      // Both shapes: OpenAI's list and Codex's own `{models: [...]}`.
      return sendJson(res, 200, { object: 'list', data: [], models: [] });
    }
    sendJson(res, 404, errorBody(404, `scripted provider: no route for ${req.method} ${urlPath}`));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, errorBody(500, `scripted provider failed: ${String(err)}`)));
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, close };
}

/** Name of the env var Codex reads the (fake) API key from; see `env_key` in config.toml. */
export const CODEX_API_KEY_ENV = 'SWITCHBOARD_SCRIPTED_API_KEY';

/**
 * Writes `$CODEX_HOME/config.toml` (CODEX_HOME = `<home>/.codex`) pointing Codex at the scripted provider,
 * with retries, plugins, apps, analytics and update checks off. Returns the env vars to run codex with.
 */
export async function prepareCodexEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const codexHome = path.join(opts.home, '.codex');
  await mkdir(codexHome, { recursive: true });
  const baseUrl = `${opts.providerUrl.replace(/\/+$/, '')}/v1`;
  const config = `# Written by test/support/providers/openaiResponses.ts
model_provider = "scripted"
model = "gpt-5.5"
approval_policy = "never"
sandbox_mode = "danger-full-access"
check_for_update_on_startup = false

[model_providers.scripted]
name = "scripted"
base_url = ${JSON.stringify(baseUrl)}
wire_api = "responses"
env_key = "${CODEX_API_KEY_ENV}"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 30000

[features]
plugins = false
remote_plugin = false
apps = false

[analytics]
enabled = false

[otel]
exporter = "none"
`;
  await writeFile(path.join(codexHome, 'config.toml'), config);
  return {
    HOME: opts.home,
    CODEX_HOME: codexHome,
    [CODEX_API_KEY_ENV]: 'sk-scripted-test',
    NO_PROXY: '127.0.0.1,localhost',
    no_proxy: '127.0.0.1,localhost',
  };
}
