/**
 * Scripted Gemini API provider for the real Gemini CLI (@google/gemini-cli, checked with 0.61.0).
 *
 * `url` is the bare origin (no /v1beta): hand it to the CLI as GOOGLE_GEMINI_BASE_URL; the CLI then calls
 *   POST /v1beta/models/<model>:streamGenerateContent?alt=sse  - main model calls: answered by the script, recorded
 *   POST /v1beta/models/<model>:generateContent                - utility JSON calls (routing classifier,
 *        next-speaker check, ...): answered from the request's response schema, not recorded
 *   POST /v1beta/models/<model>:countTokens                    - answered with a token count, not recorded
 * See test/fixtures/transcripts/gemini/NOTES.md for what the CLI prints.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { SCRIPTED_USAGE, type ProviderRequestInfo, type Script, type ScriptedProvider, type ScriptedStep } from './types';
import { listenOnLoopback } from './loopbackServer';

interface Part {
  text?: string;
  functionCall?: unknown;
  functionResponse?: unknown;
}
interface Content {
  role?: string;
  parts?: Part[];
}

const USAGE = {
  promptTokenCount: SCRIPTED_USAGE.inputTokens,
  candidatesTokenCount: SCRIPTED_USAGE.outputTokens,
  totalTokenCount: SCRIPTED_USAGE.inputTokens + SCRIPTED_USAGE.outputTokens,
};

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

/** What the script sees of one request: derived from the Gemini `contents` array. */
export function describeGeminiRequest(path: string, body: unknown): ProviderRequestInfo {
  const contents: Content[] = Array.isArray((body as { contents?: unknown } | null)?.contents)
    ? (body as { contents: Content[] }).contents
    : [];
  const turn = contents.filter((c) => c.role === 'model').length;
  let lastUserText = '';
  search: for (let i = contents.length - 1; i >= 0; i--) {
    const content = contents[i];
    if (content?.role !== 'user') continue;
    const parts = content.parts ?? [];
    for (let j = parts.length - 1; j >= 0; j--) {
      const part = parts[j];
      if (part && typeof part.text === 'string' && part.functionResponse === undefined) {
        lastUserText = part.text;
        break search;
      }
    }
  }
  const last = contents[contents.length - 1];
  const afterToolResult = last?.role === 'user' && (last.parts ?? []).some((p) => p.functionResponse !== undefined);
  return { turn, lastUserText, afterToolResult, path, body };
}

function sseChunk(parts: Part[], modelVersion: string, final: boolean): string {
  const candidate: Record<string, unknown> = { content: { parts, role: 'model' }, index: 0 };
  const chunk: Record<string, unknown> = { candidates: [candidate], modelVersion, responseId: 'scripted' };
  if (final) {
    candidate['finishReason'] = 'STOP';
    chunk['usageMetadata'] = USAGE;
  }
  return `data: ${JSON.stringify(chunk)}\r\n\r\n`;
}

/** Splits text into `chunks` non-empty pieces (fewer if the text is shorter); '' stays one piece. */
function splitText(text: string, chunks: number): string[] {
  const n = Math.max(1, Math.min(chunks, text.length));
  return Array.from({ length: n }, (_, i) =>
    text.slice(Math.floor((i * text.length) / n), Math.floor(((i + 1) * text.length) / n)),
  );
}

function sendError(res: ServerResponse, status: number, message: string): void {
  const body = { error: { code: status, message, status: STATUS_NAMES[status] ?? 'UNKNOWN' } };
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify(body));
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function streamStep(res: ServerResponse, step: ScriptedStep, model: string): Promise<void> {
  if (step.kind === 'http_error') {
    sendError(res, step.status, step.message);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  if (step.kind === 'text') {
    const pieces = splitText(step.text, step.chunks ?? 1);
    for (let i = 0; i < pieces.length; i++) {
      if (i > 0 && step.delayMs) await sleep(step.delayMs);
      if (res.destroyed) return;
      res.write(sseChunk([{ text: pieces[i] ?? '' }], model, i === pieces.length - 1));
    }
  } else {
    const functionCall =
      step.kind === 'write_file'
        ? { name: 'write_file', args: { file_path: step.path, content: step.content } }
        : step.kind === 'tool'
          ? { name: step.name, args: step.input }
          : { name: 'run_shell_command', args: { command: step.command } };
    res.write(sseChunk([{ functionCall }], model, true));
  }
  res.end();
}

/** A value that satisfies a (JSON/OpenAPI) schema, for the CLI's utility generateContent calls. */
function sampleFromSchema(schema: unknown, key = ''): unknown {
  const s = (schema ?? {}) as Record<string, unknown>;
  const type = String(s['type'] ?? 'object').toLowerCase();
  if (Array.isArray(s['enum']) && s['enum'].length > 0) {
    // next_speaker: "user" ends the turn instead of making the CLI call the model again.
    return s['enum'].includes('user') ? 'user' : s['enum'][0];
  }
  if (type === 'object') {
    const out: Record<string, unknown> = {};
    const props = (s['properties'] ?? {}) as Record<string, unknown>;
    for (const [name, sub] of Object.entries(props)) out[name] = sampleFromSchema(sub, name);
    return out;
  }
  if (type === 'array') return [];
  if (type === 'number' || type === 'integer') {
    // complexity_score must be 1..100.
    const min = typeof s['minimum'] === 'number' ? s['minimum'] : 1;
    return Math.max(1, min);
  }
  if (type === 'boolean') return false;
  return key === 'reasoning' || key.endsWith('_reasoning') ? 'scripted' : '';
}

/** `usage`: the tokens each utility call reports (its router's, as a real provider reports them); none by default. */
function utilityReply(body: unknown, model: string, usage?: { inputTokens: number; outputTokens: number }): unknown {
  const config = ((body as { generationConfig?: Record<string, unknown> } | null)?.generationConfig ?? {}) as Record<
    string,
    unknown
  >;
  const schema = config['responseJsonSchema'] ?? config['responseSchema'];
  const text = schema ? JSON.stringify(sampleFromSchema(schema)) : 'ok';
  return {
    // No usageMetadata unless asked for: the CLI would add it to its totals, and most tests expect only SCRIPTED_USAGE per model call.
    ...(usage ? { usageMetadata: { promptTokenCount: usage.inputTokens, candidatesTokenCount: usage.outputTokens, totalTokenCount: usage.inputTokens + usage.outputTokens } } : {}),
    candidates: [{ content: { parts: [{ text }], role: 'model' }, finishReason: 'STOP', index: 0 }],
    modelVersion: model,
    responseId: 'scripted-utility',
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as unknown) : {};
}

export async function startGeminiProvider(script: Script, utilityUsage?: { inputTokens: number; outputTokens: number }): Promise<ScriptedProvider> {
  const requests: ProviderRequestInfo[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      const match = /\/models\/([^/:]+):(\w+)$/.exec(path);
      if (req.method !== 'POST' || !match) return sendError(res, 404, `scripted provider: no route for ${req.method} ${path}`);
      const model = decodeURIComponent(match[1] ?? '');
      const method = match[2];
      const body = await readJson(req);
      if (method === 'streamGenerateContent') {
        const info = describeGeminiRequest(path, body);
        requests.push(info);
        return streamStep(res, script(info), model);
      }
      if (method === 'generateContent') {
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return void res.end(JSON.stringify(utilityReply(body, model, utilityUsage)));
      }
      if (method === 'countTokens') {
        res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
        return void res.end(JSON.stringify({ totalTokens: SCRIPTED_USAGE.inputTokens }));
      }
      sendError(res, 404, `scripted provider: unsupported method ${method}`);
    })().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, `scripted provider failed: ${String(err)}`);
      else res.destroy();
    });
  });
  const { url, close } = await listenOnLoopback(server);
  return { url, requests, close };
}

/**
 * Writes $HOME/.gemini/settings.json for an offline, non-interactive run and returns the env vars to add.
 * Run the CLI with this env and cwd inside a trusted/any folder; pass --skip-trust as well.
 */
export async function prepareGeminiEnv(opts: { home: string; providerUrl: string }): Promise<Record<string, string>> {
  const settings = {
    security: { auth: { selectedType: 'gemini-api-key' }, folderTrust: { enabled: false } },
    privacy: { usageStatisticsEnabled: false },
    telemetry: { enabled: false },
    general: { enableAutoUpdate: false, enableAutoUpdateNotification: false, maxAttempts: 1 },
  };
  await mkdir(join(opts.home, '.gemini'), { recursive: true });
  // The CLI writes error reports (gemini-client-error-*.json) to os.tmpdir(): keep them inside the test HOME.
  await mkdir(join(opts.home, 'tmp'), { recursive: true });
  await writeFile(join(opts.home, '.gemini', 'settings.json'), `${JSON.stringify(settings, null, 2)}\n`);
  return {
    HOME: opts.home,
    GOOGLE_GEMINI_BASE_URL: opts.providerUrl,
    GEMINI_API_KEY: 'scripted-test-key',
    TMPDIR: join(opts.home, 'tmp'),
  };
}
