/**
 * The stream-json line format shared by Claude Code and Qwen Code: system/init, assistant and user
 * messages with content blocks, a final result with usage, and control requests/responses.
 */
import type { AgentEventBody, ApprovalRequest, PermissionDenial } from '../runs/types';
import { asNumber, asRecord, asString, parseJsonLine, toolTarget, type LineParser } from './types';

function contentBlocks(message: unknown): Record<string, unknown>[] {
  const content = asRecord(message)?.content;
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return Array.isArray(content) ? content.map(asRecord).filter((b): b is Record<string, unknown> => !!b) : [];
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((part) => asString(asRecord(part)?.text) ?? '').join('');
  return content === undefined ? '' : JSON.stringify(content);
}

function usageOf(line: Record<string, unknown>): AgentEventBody | undefined {
  const usage = asRecord(line.usage);
  if (!usage) return undefined;
  const inputTokens =
    asNumber(usage.input_tokens) + asNumber(usage.cache_creation_input_tokens) + asNumber(usage.cache_read_input_tokens);
  const cost = line.total_cost_usd;
  return {
    type: 'usage',
    inputTokens,
    outputTokens: asNumber(usage.output_tokens),
    ...(typeof cost === 'number' ? { usd: cost } : {}),
  };
}

/** The usage of one model call, as an assistant message reports it while its turn goes on (see the `provisional` usage event). */
function callUsage(message: unknown): AgentEventBody[] {
  const record = asRecord(message);
  const id = asString(record?.id);
  const usage = record && id ? usageOf(record) : undefined;
  return usage?.type === 'usage' ? [{ ...usage, provisional: true, messageId: id }] : [];
}

const optionalNumber = (value: unknown): number | undefined => (typeof value === 'number' && Number.isFinite(value) ? value : undefined);

/** Keeps only the fields that are there, so that a retry event says no more than the CLI did. */
function retryEvent(fields: { status?: number; attempt?: number; of?: number; delayMs?: number; message?: string }): AgentEventBody {
  return { type: 'retry', ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined && v !== '')) };
}

/**
 * The CLI retries a failed model call. Claude Code: `system/api_retry {attempt, max_retries, retry_delay_ms,
 * error_status, error}`. Qwen Code (its rate-limit retries): `system/retry {data: {attempt, maxRetries, delayMs}}`,
 * the status only on stderr (see QWEN_RETRY); a `system/retry` without an attempt starts the retry, nothing new.
 */
function retryLine(line: Record<string, unknown>): AgentEventBody[] {
  if (line.subtype === 'api_retry') {
    return [retryEvent({ status: optionalNumber(line.error_status), attempt: optionalNumber(line.attempt), of: optionalNumber(line.max_retries), delayMs: optionalNumber(line.retry_delay_ms), message: asString(line.error) })];
  }
  const data = asRecord(line.data);
  const attempt = optionalNumber(data?.attempt);
  return attempt === undefined ? [] : [retryEvent({ attempt, of: optionalNumber(data?.maxRetries), delayMs: optionalNumber(data?.delayMs) })];
}

/** Qwen Code's stderr line beside its `system/retry`: `Retrying in 60s (attempt 3/10): [API Error: 429 <message>]`. */
const QWEN_RETRY = /^Retrying in (\d+)s \(attempt (\d+)\/(\d+)\)(?:: (.*))?$/;

function retryText(text: string): AgentEventBody[] | undefined {
  const match = QWEN_RETRY.exec(text.trim());
  if (!match) return undefined;
  const message = match[4]?.replace(/^\[(.*)\]$/, '$1');
  const status = /\b(?:API Error|status):? (\d{3})\b/.exec(message ?? '')?.[1];
  return [retryEvent({ status: status ? Number(status) : undefined, attempt: Number(match[2]), of: Number(match[3]), delayMs: Number(match[1]) * 1000, message: message && message.length > 300 ? `${message.slice(0, 300)}…` : message })];
}

/** A result's `permission_denials` (Claude Code, Qwen Code): the tool calls the CLI refused on its own. */
function denialsOf(line: Record<string, unknown>): PermissionDenial[] {
  const denials = Array.isArray(line.permission_denials) ? line.permission_denials.map(asRecord) : [];
  return denials.flatMap((d) => {
    if (!d) return [];
    const what = toolTarget(d.tool_input);
    const id = asString(d.tool_use_id);
    return [{ tool: asString(d.tool_name) ?? '?', ...(what ? { what: what.length > 300 ? `${what.slice(0, 300)}…` : what } : {}), ...(id ? { id } : {}) }];
  });
}

function parseLine(line: Record<string, unknown>): AgentEventBody[] | undefined {
  switch (line.type) {
    case 'system': {
      const sessionId = asString(line.session_id);
      if (line.subtype === 'init' && sessionId) return [{ type: 'session', sessionId, model: asString(line.model) }];
      if (line.subtype === 'api_retry' || line.subtype === 'retry') return retryLine(line);
      return [];
    }
    case 'assistant':
      return [...callUsage(line.message), ...contentBlocks(line.message).flatMap((block): AgentEventBody[] => {
        if (block.type === 'text' && asString(block.text)) return [{ type: 'text', text: block.text as string }];
        if (block.type === 'tool_use') return [{ type: 'tool_call', name: asString(block.name) ?? '?', callId: asString(block.id), input: block.input }];
        return [];
      })];
    case 'user':
      return contentBlocks(line.message)
        .filter((block) => block.type === 'tool_result')
        .map((block) => ({
          type: 'tool_result' as const,
          callId: asString(block.tool_use_id),
          output: toolResultText(block.content),
          isError: block.is_error === true,
        }));
    case 'result': {
      const ok = line.is_error !== true && line.subtype === 'success';
      const text = asString(line.result);
      const usage = usageOf(line);
      const error = ok ? undefined : text || asString(asRecord(line.error)?.message) || asString(line.subtype) || 'the agent reported an error';
      const denials = denialsOf(line);
      return [...(usage ? [usage] : []), { type: 'result', ok, text, ...(error ? { error } : {}), ...(denials.length ? { denials } : {}) }];
    }
    case 'control_request': {
      const request = asRecord(line.request);
      if (request?.subtype !== 'can_use_tool') return [];
      const tool = asString(request.tool_name) ?? '?';
      const what = toolTarget(request.input) ?? asString(request.description);
      const id = asString(line.request_id);
      return [{ type: 'waiting', reason: `approval to use ${tool}${what ? `: ${what.length > 200 ? `${what.slice(0, 200)}…` : what}` : ''}`, ...(id ? { request: { id, tool, input: request.input } } : {}) }];
    }
    case 'control_response':
    case 'stream_event':
      return [];
    default:
      return undefined;
  }
}

export function createStreamJsonParser(): LineParser {
  let session = '';
  return (text) => {
    const line = parseJsonLine(text);
    if (!line) return retryText(text);
    const events = parseLine(line);
    // The init line comes again before every turn of a stdin-driven session: report the session once.
    return events?.filter((e) => {
      if (e.type !== 'session') return true;
      const key = `${e.sessionId}/${e.model ?? ''}`;
      const fresh = key !== session;
      session = key;
      return fresh;
    });
  };
}

/** The stdin line that carries a user message in stream-json input mode. */
export function userMessageLine(text: string): string {
  return JSON.stringify({ type: 'user', message: { role: 'user', content: text } });
}

/** Claude's control protocol: the first request, which makes the CLI ask the host about tool calls. */
export function initializeLine(): string {
  return JSON.stringify({ type: 'control_request', request_id: 'sb-init', request: { subtype: 'initialize' } });
}

/** The answer to a `can_use_tool` request. */
export function approvalLine(request: ApprovalRequest, allow: boolean, message?: string): string {
  const response = allow ? { behavior: 'allow', updatedInput: request.input ?? {} } : { behavior: 'deny', message: message ?? 'Denied by the user.' };
  return JSON.stringify({ type: 'control_response', response: { subtype: 'success', request_id: request.id, response } });
}
