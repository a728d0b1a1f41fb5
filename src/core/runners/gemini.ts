/** Gemini CLI: `-p ... -o stream-json`; no live steering in this mode, so steering is interrupt + `--resume`. */
import type { AgentEventBody } from '../runs/types';
import { asNumber, asRecord, asString, parseJsonLine, type LineParser, type Runner } from './types';

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
        const model = Object.keys(asRecord(stats.models) ?? {})[0];
        const events: AgentEventBody[] = [
          ...(model && sessionId ? [{ type: 'session' as const, sessionId, model }] : []),
          { type: 'usage', inputTokens: asNumber(stats.input_tokens), outputTokens: asNumber(stats.output_tokens) },
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
    if (!line) return undefined;
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
  build(request) {
    const args = ['-p', request.prompt, '-o', 'stream-json', '--approval-mode', request.settings.permissionMode ?? 'auto_edit', '--skip-trust'];
    if (request.resumeSessionId) args.push('--resume', request.resumeSessionId);
    if (request.settings.model) args.push('-m', request.settings.model);
    args.push(...request.settings.extraArgs);
    return { command: request.settings.binary, args, env: {}, stdin: 'ignore', initialInput: [] };
  },
  createParser: createGeminiParser,
};
