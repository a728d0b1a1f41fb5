/** Gemini CLI: `-p ... -o stream-json`; no live steering in this mode, so steering is interrupt + `--resume`. */
import type { AgentEventBody, ModelUsage } from '../runs/types';
import { asNumber, asRecord, asString, parseJsonLine, type LineParser, type Runner } from './types';

/**
 * `stats.models` of its result: the tokens of each model it called. The first is its router (it picks
 * the model for each turn, cheaply); the model that did the work is the one that used the most tokens.
 */
export function modelsOf(stats: Record<string, unknown>): { models: Record<string, ModelUsage>; main?: string } {
  const models: Record<string, ModelUsage> = {};
  for (const [name, value] of Object.entries(asRecord(stats.models) ?? {})) {
    const figures = asRecord(value);
    const usage = { inputTokens: asNumber(figures?.input_tokens), outputTokens: asNumber(figures?.output_tokens) };
    if (usage.inputTokens + usage.outputTokens > 0) models[name] = usage;
  }
  const size = (u: ModelUsage): number => u.inputTokens + u.outputTokens;
  const main = Object.entries(models).sort(([, a], [, b]) => size(b) - size(a) || b.outputTokens - a.outputTokens)[0]?.[0];
  return { models, main };
}

/**
 * Its retries of a failed model call, on stderr: `Attempt 2 failed with status 429. Retrying with backoff...`,
 * `Attempt 2 failed: <message>. Retrying after 5000ms...`, `Attempt 2 failed with 5xx error. Retrying with backoff...`.
 */
const RETRY = /^Attempt (\d+) failed(?: with status (\d{3})| with (\d{3}) error[^.]*| with 5xx error|: (.*?))?\. Retrying (?:after (\d+)ms|with backoff)/;

export function retryText(text: string): AgentEventBody[] | undefined {
  const match = RETRY.exec(text.trim());
  if (!match) return undefined;
  const status = match[2] ?? match[3];
  // After the retry it prints the error, the provider's JSON answer included: its message is the one worth showing.
  const message = match[4] ?? /"message":\s*"((?:[^"\\]|\\.)*)"/.exec(text)?.[1];
  return [{
    type: 'retry',
    attempt: Number(match[1]),
    ...(status ? { status: Number(status) } : {}),
    ...(match[5] ? { delayMs: Number(match[5]) } : {}),
    ...(message ? { message: message.length > 300 ? `${message.slice(0, 300)}…` : message } : {}),
  }];
}

/** Gemini streams its answer as many small `delta` messages: they are joined into one text event. */
function createGeminiParser(): LineParser {
  let sessionId = '';
  let pending = '';
  let answer = '';
  const flushText = (): AgentEventBody[] => {
    if (!pending) return [];
    const text = pending;
    pending = '';
    return [{ type: 'text', text }];
  };
  const parse = (line: Record<string, unknown>): AgentEventBody[] | undefined => {
    switch (line.type) {
      case 'init':
        sessionId = asString(line.session_id) ?? '';
        return sessionId ? [{ type: 'session', sessionId, model: asString(line.model) }] : [];
      case 'tool_use':
        return [{ type: 'tool_call', name: asString(line.tool_name) ?? '?', callId: asString(line.tool_id), input: line.parameters }];
      case 'tool_result': {
        const error = asRecord(line.error);
        return [{ type: 'tool_result', callId: asString(line.tool_id), output: asString(line.output) ?? asString(error?.message) ?? '', isError: line.status === 'error' }];
      }
      case 'error':
        return [{ type: 'error', message: asString(line.message) ?? JSON.stringify(line) }];
      case 'result': {
        const stats = asRecord(line.stats) ?? {};
        const ok = line.status === 'success';
        const { models, main } = modelsOf(stats);
        const events: AgentEventBody[] = [
          ...(main && sessionId ? [{ type: 'session' as const, sessionId, model: main }] : []),
          { type: 'usage', inputTokens: asNumber(stats.input_tokens), outputTokens: asNumber(stats.output_tokens), ...(main ? { models } : {}) },
          { type: 'result', ok, text: answer || undefined, ...(ok ? {} : { error: asString(asRecord(line.error)?.message) ?? 'the agent reported an error' }) },
        ];
        answer = '';
        return events;
      }
      default:
        return undefined;
    }
  };
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return retryText(text);
    if (line.type === 'message') {
      if (line.role !== 'assistant') return [];
      const content = asString(line.content) ?? '';
      pending += content;
      answer += content;
      return line.delta === true ? [] : flushText();
    }
    const events = parse(line);
    return events === undefined ? undefined : [...flushText(), ...events];
  };
}

export const geminiRunner: Runner = {
  id: 'gemini',
  displayName: 'Gemini CLI',
  defaultBinary: 'gemini',
  installHint: 'Install it with `npm install -g @google/gemini-cli`, or set its path in the settings.',
  structured: true,
  steering: 'interrupt-resume',
  canResume: true,
  takesMcpServer: false,
  usageScope: 'process',
  reportsCost: false,
  // No retryCap: its knob is `general.maxAttempts` in its settings files only, and it reads a system settings
  // file (GEMINI_CLI_SYSTEM_SETTINGS_PATH) only when the file and every folder above it are root's and not writable by others.
  build(request) {
    const args = ['-p', request.prompt, '-o', 'stream-json', '--approval-mode', request.settings.permissionMode ?? 'auto_edit', '--skip-trust'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('-m', request.settings.model);
    args.push(...request.settings.extraArgs);
    return { command: request.settings.binary, args, env: {}, stdin: 'ignore', initialInput: [] };
  },
  // Its interactive session on the run's session, the folder trusted as the run had it.
  interactive: ({ sessionId, settings }) => ({
    command: settings.binary,
    args: ['--resume', sessionId, '--approval-mode', settings.permissionMode ?? 'auto_edit', '--skip-trust', ...(settings.model ? ['-m', settings.model] : [])],
    env: {},
  }),
  createParser: createGeminiParser,
};
