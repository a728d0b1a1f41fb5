/**
 * A client of ACP, the Agent Client Protocol (JSON-RPC 2.0, one message a line, over the agent's
 * stdio), for every CLI that speaks it: `initialize`, `session/new` (or `session/resume` /
 * `session/load` to continue one), `session/prompt`; the agent's `session/update` notifications become
 * the run's events (text, tool calls and results), its `session/request_permission` requests become
 * approvals, a steering message is one more `session/prompt` in the running session, an interrupt is
 * `session/cancel`. What differs between CLIs (their usage figures, their stderr) is a small dialect.
 */
import type { AgentEventBody, ApprovalRequest, PermissionDenial } from '../runs/types';
import { acpMcpServers } from './acpMcp';
import { asRecord, asString, parseJsonLine, toolTarget, type AgentEnv, type Conversation, type StartRequest } from './types';

export const ACP_PROTOCOL_VERSION = 1;
/** The id of the `initialize` request, written as the process starts (the conversation numbers its own from 2). */
const INITIALIZE_ID = 1;

/** What a CLI's ACP says in its own way. */
export interface AcpDialect {
  /** The tokens of one prompt turn, from its `session/prompt` result (default: the `usage` field, ACP's own). */
  usage?(result: Record<string, unknown>): Extract<AgentEventBody, { type: 'usage' }> | undefined;
  /** A line that is not JSON-RPC (stderr): events, or undefined to keep it as raw output. */
  text?(line: string): AgentEventBody[] | undefined;
  /** Sets the run's model over ACP once the session exists (when the CLI takes none on its command line). */
  modelOverAcp?: boolean;
}

/** How permission requests are answered: asked of the host (a person), or at once. */
export type AcpPermissions = 'ask' | 'allow' | 'deny';

/** The `initialize` request: this client offers no file system or terminal of its own (the agent uses its own tools). */
export function acpInitializeLine(): string {
  return JSON.stringify({ jsonrpc: '2.0', id: INITIALIZE_ID, method: 'initialize', params: { protocolVersion: ACP_PROTOCOL_VERSION, clientCapabilities: { fs: { readTextFile: false, writeTextFile: false }, terminal: false } } });
}

const clip = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);
const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** ACP's own `usage` of a prompt result (`inputTokens`, `outputTokens`, cached reads and writes counted as input). */
function standardUsage(result: Record<string, unknown>): Extract<AgentEventBody, { type: 'usage' }> | undefined {
  const usage = asRecord(result.usage);
  if (!usage) return undefined;
  return { type: 'usage', inputTokens: num(usage.inputTokens) + num(usage.cachedReadTokens) + num(usage.cachedWriteTokens), outputTokens: num(usage.outputTokens) };
}

interface ToolState {
  title: string;
  input?: unknown;
  what?: string;
  called: boolean;
}

interface PendingPermission {
  rpcId: unknown;
  options: { optionId: string; kind: string }[];
}

type Pending = 'initialize' | 'session' | 'model' | 'prompt';

/** Picks the option of that kind (once first, then always); undefined when the agent offered none. */
function optionFor(options: PendingPermission['options'], allow: boolean): string | undefined {
  const kinds = allow ? ['allow_once', 'allow_always'] : ['reject_once', 'reject_always'];
  for (const kind of kinds) {
    const option = options.find((o) => o.kind === kind);
    if (option) return option.optionId;
  }
  return undefined;
}

/** The text a tool call's content holds (its messages; a diff as the file it writes), else its raw output. */
function toolOutput(update: Record<string, unknown>): string {
  const parts = Array.isArray(update.content) ? update.content.map(asRecord) : [];
  const texts = parts.flatMap((part) => {
    if (part?.type === 'content') return [asString(asRecord(part.content)?.text) ?? ''];
    if (part?.type === 'diff') return [`${asString(part.path) ?? 'a file'}: ${String(asString(part.newText) ?? '').split('\n').length} lines written`];
    return [];
  }).filter(Boolean);
  if (texts.length) return texts.join('\n');
  const raw = update.rawOutput;
  const output = asString(asRecord(raw)?.output) ?? asString(raw);
  return output ?? (raw === undefined ? '' : JSON.stringify(raw));
}

export interface AcpOptions {
  request: StartRequest;
  permissions: AcpPermissions;
  dialect?: AcpDialect;
  /** The agent's environment, where the MCP server's token and the run's id are (see acpMcp.ts). */
  env?: AgentEnv;
}

/** One ACP conversation with one agent process. */
export function createAcpConversation({ request, permissions, dialect = {}, env = {} }: AcpOptions): Conversation {
  let nextId = INITIALIZE_ID + 1;
  const pending = new Map<number, Pending>([[INITIALIZE_ID, 'initialize']]);
  let sessionId: string | undefined;
  /** Messages waiting for the session (the prompt, and steering sent before it exists). */
  const queued: string[] = [request.prompt];
  let openPrompts = 0;
  /** A loaded session replays its history as updates: they are not this run's. */
  let replaying = false;
  let text = '';
  let textMessage: string | undefined;
  let lastText: string | undefined;
  const tools = new Map<string, ToolState>();
  const permissionsAsked = new Map<string, PendingPermission>();
  const denials: PermissionDenial[] = [];
  let finished = false;

  const send = (method: string, params: unknown, kind: Pending): string => {
    const id = nextId++;
    pending.set(id, kind);
    return JSON.stringify({ jsonrpc: '2.0', id, method, params });
  };
  const reply = (id: unknown, result: unknown): string => JSON.stringify({ jsonrpc: '2.0', id, result });
  const replyError = (id: unknown, code: number, message: string): string => JSON.stringify({ jsonrpc: '2.0', id, error: { code, message } });
  const prompt = (message: string): string => {
    openPrompts++;
    return send('session/prompt', { sessionId, prompt: [{ type: 'text', text: message }] }, 'prompt');
  };
  const flushText = (): AgentEventBody[] => {
    if (!text) return [];
    const event: AgentEventBody = { type: 'text', text };
    lastText = text;
    text = '';
    return [event];
  };
  /** The run's one result, once nothing is left to do (or nothing can be done). */
  const result = (ok: boolean, error?: string): AgentEventBody[] => {
    if (finished) return [];
    finished = true;
    return [...flushText(), { type: 'result', ok, ...(lastText ? { text: lastText } : {}), ...(error ? { error } : {}), ...(denials.length ? { denials: [...denials] } : {}) }];
  };
  const failure = (what: string, error: unknown): { events: AgentEventBody[]; replies: string[] } => {
    const details = asString(asRecord(asRecord(error)?.data)?.details);
    const message = `${what}: ${asString(asRecord(error)?.message) ?? JSON.stringify(error)}${details ? ` (${details})` : ''}`;
    return { events: [{ type: 'error', message }, ...result(false, message)], replies: [] };
  };

  const toolCall = (id: string, update: Record<string, unknown>): AgentEventBody[] => {
    const state = tools.get(id) ?? { title: asString(update.title) ?? asString(update.kind) ?? 'tool', called: false };
    tools.set(id, state);
    const input = asRecord(update.rawInput);
    if (input && Object.keys(input).length) state.input = input;
    const location = asString(asRecord(Array.isArray(update.locations) ? update.locations[0] : undefined)?.path);
    state.what = toolTarget(state.input) ?? location ?? state.what;
    const events: AgentEventBody[] = [];
    const status = asString(update.status);
    if (!state.called && (status !== 'pending' || update.sessionUpdate === undefined)) {
      state.called = true;
      lastText = undefined;
      events.push(...flushText(), { type: 'tool_call', name: state.title, callId: id, input: state.input ?? (state.what ? { path: state.what } : {}) });
    }
    if (status === 'completed' || status === 'failed') {
      events.push({ type: 'tool_result', callId: id, output: toolOutput(update), isError: status === 'failed' });
    }
    return events;
  };

  const onUpdate = (update: Record<string, unknown>): AgentEventBody[] => {
    if (replaying) return [];
    switch (update.sessionUpdate) {
      case 'agent_message_chunk': {
        const content = asRecord(update.content);
        const messageId = asString(update.messageId);
        const events = messageId !== textMessage ? flushText() : [];
        textMessage = messageId;
        if (content?.type === 'text') text += asString(content.text) ?? '';
        return events;
      }
      case 'tool_call':
      case 'tool_call_update': {
        const id = asString(update.toolCallId);
        return id ? toolCall(id, update) : [];
      }
      default:
        // Thoughts, plans, the agent's commands, modes, context size: not the run's output.
        return [];
    }
  };

  const onPermission = (rpcId: unknown, params: Record<string, unknown>): { events: AgentEventBody[]; replies: string[] } => {
    const call = asRecord(params.toolCall) ?? {};
    const callId = asString(call.toolCallId) ?? `permission-${String(rpcId)}`;
    const events = toolCall(callId, { ...call, sessionUpdate: undefined });
    const state = tools.get(callId)!;
    const options = (Array.isArray(params.options) ? params.options.map(asRecord) : []).flatMap((o) => (o && asString(o.optionId) ? [{ optionId: o.optionId as string, kind: asString(o.kind) ?? '' }] : []));
    if (permissions !== 'ask') {
      const allow = permissions === 'allow';
      if (!allow) denials.push({ tool: state.title, ...(state.what ? { what: clip(state.what, 300) } : {}), id: callId });
      const optionId = optionFor(options, allow);
      return { events, replies: [reply(rpcId, { outcome: optionId ? { outcome: 'selected', optionId } : { outcome: 'cancelled' } })] };
    }
    const id = `acp-${typeof rpcId === 'string' || typeof rpcId === 'number' ? rpcId : JSON.stringify(rpcId)}`;
    permissionsAsked.set(id, { rpcId, options });
    const request: ApprovalRequest = { id, tool: state.title, input: state.input };
    return { events: [...events, ...flushText(), { type: 'waiting', reason: `approval to use ${state.title}${state.what ? `: ${clip(state.what)}` : ''}`, request }], replies: [] };
  };

  const onResponse = (id: number, message: Record<string, unknown>): { events: AgentEventBody[]; replies: string[] } => {
    const kind = pending.get(id);
    pending.delete(id);
    const answer = asRecord(message.result) ?? {};
    switch (kind) {
      case 'initialize': {
        if (message.error) return failure('the agent refused to start an ACP session', message.error);
        const capabilities = asRecord(answer.agentCapabilities) ?? {};
        const { servers: mcpServers, leftOut } = acpMcpServers(request.mcp, capabilities, env);
        const events: AgentEventBody[] = leftOut ? [{ type: 'error', message: leftOut }] : [];
        if (!request.resumeSessionId) return { events, replies: [send('session/new', { cwd: request.cwd, mcpServers }, 'session')] };
        const params = { sessionId: request.resumeSessionId, cwd: request.cwd, mcpServers };
        // Some agents replay the history on resume too, not only on load: until the answer, updates are the past.
        replaying = true;
        if (asRecord(asRecord(capabilities.sessionCapabilities)?.resume)) return { events, replies: [send('session/resume', params, 'session')] };
        if (capabilities.loadSession === true) return { events, replies: [send('session/load', params, 'session')] };
        return failure('cannot resume', { message: 'the agent offers neither session/resume nor session/load' });
      }
      case 'session': {
        replaying = false;
        if (message.error) return failure(request.resumeSessionId ? `could not resume session ${request.resumeSessionId}` : 'could not start a session', message.error);
        sessionId = asString(answer.sessionId) ?? request.resumeSessionId;
        if (!sessionId) return failure('could not start a session', { message: 'the agent gave no session id' });
        const model = request.settings.model;
        const events: AgentEventBody[] = [{ type: 'session', sessionId, ...(model ? { model } : {}) }];
        if (model && dialect.modelOverAcp) {
          const byOption = Array.isArray(answer.configOptions) && answer.configOptions.some((o) => asRecord(o)?.id === 'model');
          const line = byOption
            ? send('session/set_config_option', { sessionId, configId: 'model', value: model }, 'model')
            : send('session/set_model', { sessionId, modelId: model }, 'model');
          return { events, replies: [line] };
        }
        return { events, replies: queued.splice(0).map(prompt) };
      }
      case 'model':
        if (message.error) return failure(`could not choose the model ${request.settings.model ?? ''}`, message.error);
        return { events: [], replies: queued.splice(0).map(prompt) };
      case 'prompt': {
        openPrompts--;
        const usage = (dialect.usage ?? standardUsage)(answer);
        const events: AgentEventBody[] = usage ? [usage] : [];
        // A steering message sent mid-turn is its own prompt: the run's turn ends when the last one does.
        if (openPrompts > 0 || queued.length) return { events, replies: [] };
        if (message.error) return { events: [...events, ...failure('the prompt failed', message.error).events], replies: [] };
        const stop = asString(answer.stopReason) ?? 'end_turn';
        return { events: [...events, ...result(stop === 'end_turn', stop === 'end_turn' ? undefined : stop === 'cancelled' ? 'cancelled' : `the agent stopped: ${stop}`)], replies: [] };
      }
      default:
        return { events: [], replies: [] };
    }
  };

  return {
    read(line) {
      const message = parseJsonLine(line);
      if (!message || message.jsonrpc !== '2.0') {
        const events = dialect.text?.(line);
        return events ? { events, replies: [] } : undefined;
      }
      const method = asString(message.method);
      const params = asRecord(message.params) ?? {};
      if (method === 'session/update') return { events: onUpdate(asRecord(params.update) ?? {}), replies: [] };
      if (method === 'session/request_permission' && 'id' in message) return onPermission(message.id, params);
      if (method !== undefined) {
        // A request this client does not serve (it offered no file system or terminal): say so, never leave it waiting.
        return { events: [], replies: 'id' in message ? [replyError(message.id, -32601, `${method} is not offered by this client`)] : [] };
      }
      return typeof message.id === 'number' && pending.has(message.id) ? onResponse(message.id, message) : { events: [], replies: [] };
    },
    steer(message) {
      if (finished) return undefined;
      if (!sessionId || pending.size && [...pending.values()].some((k) => k !== 'prompt')) {
        queued.push(message);
        return [];
      }
      return [prompt(message)];
    },
    interrupt() {
      if (!sessionId) return undefined;
      // Permission requests still open are answered `cancelled`, as the protocol asks of a cancelling client.
      const open = [...permissionsAsked.values()].map((p) => reply(p.rpcId, { outcome: { outcome: 'cancelled' } }));
      permissionsAsked.clear();
      queued.length = 0;
      return [...open, JSON.stringify({ jsonrpc: '2.0', method: 'session/cancel', params: { sessionId } })];
    },
    answer(approval, allow) {
      const asked = permissionsAsked.get(approval.id);
      if (!asked) return undefined;
      permissionsAsked.delete(approval.id);
      const optionId = optionFor(asked.options, allow);
      return [reply(asked.rpcId, { outcome: optionId ? { outcome: 'selected', optionId } : { outcome: 'cancelled' } })];
    },
  };
}
