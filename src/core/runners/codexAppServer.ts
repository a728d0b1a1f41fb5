/**
 * Codex over its app-server (`codex app-server`: JSON-RPC 2.0 without the `jsonrpc` field, one message
 * a line, over stdio), as Codex 0.169 speaks it: `initialize`, `thread/start` (or `thread/resume` to
 * continue a session), `turn/start`. Its `item/*` notifications become the run's events (text, tool
 * calls and results), `thread/tokenUsage/updated` its tokens (the thread's running total, as `codex
 * exec` reports them), its approval requests Switchboard approvals. A steering message is `turn/steer`
 * into the running turn (the model sees it at its next call, in the same turn); when no turn runs it
 * starts one, and when the running turn refuses it (a turn that cannot be steered) that turn is
 * interrupted and the message starts the next. An interrupt is `turn/interrupt`: the turn ends at once,
 * its running command only when the process does, which ending the turn brings about (stdin closes).
 * See test/fixtures/transcripts/codex/NOTES.md.
 */
import { SwitchboardError } from '../errors';
import type { AgentEventBody, ApprovalRequest, PermissionDenial } from '../runs/types';
import { codexSandbox, mcpConfigArgs } from './codex';
import { asNumber, asRecord, asString, parseJsonLine, toolTarget, type Conversation, type Runner, type StartRequest } from './types';

/** The id of the `initialize` request, written as the process starts (the conversation numbers its own from 2). */
const INITIALIZE_ID = 1;

/** Notifications Switchboard has no use for, which Codex then does not send (deltas: each item comes whole when it completes). */
const NOT_WANTED = [
  'item/agentMessage/delta',
  'item/commandExecution/outputDelta',
  'item/fileChange/outputDelta',
  'item/fileChange/patchUpdated',
  'item/reasoning/summaryTextDelta',
  'item/reasoning/summaryPartAdded',
  'item/reasoning/textDelta',
  'item/plan/delta',
  'account/rateLimits/updated',
  'turn/diff/updated',
  'remoteControl/status/changed',
  'thread/started',
];

/** The `initialize` request: a stable-API client that wants none of the notifications above. */
export function appServerInitializeLine(): string {
  return JSON.stringify({
    id: INITIALIZE_ID,
    method: 'initialize',
    params: { clientInfo: { name: 'switchboard', title: 'Switchboard', version: '1' }, capabilities: { experimentalApi: false, requestAttestation: false, optOutNotificationMethods: NOT_WANTED } },
  });
}

/** The server's requests that are approvals, and the tool each is about. */
const APPROVALS: Readonly<Record<string, string>> = {
  'item/commandExecution/requestApproval': 'shell',
  'item/fileChange/requestApproval': 'apply_patch',
  'item/permissions/requestApproval': 'permissions',
};

type Pending = { kind: 'initialize' | 'thread' | 'interrupt' } | { kind: 'turn' } | { kind: 'steer'; message: string };

interface AskedApproval {
  rpcId: unknown;
  method: string;
  params: Record<string, unknown>;
}

const clip = (text: string, max = 200): string => (text.length > max ? `${text.slice(0, max)}…` : text);
const textInput = (text: string) => ({ type: 'text', text, text_elements: [] });
/** A file change's files, without their contents: `add /w/hello.txt`. */
const changesOf = (item: Record<string, unknown>): { path: string; kind: string }[] =>
  (Array.isArray(item.changes) ? item.changes.map(asRecord) : []).flatMap((c) => (c && asString(c.path) ? [{ path: c.path as string, kind: asString(asRecord(c.kind)?.type) ?? asString(c.kind) ?? 'update' }] : []));

/** A tool-like item as Switchboard shows it: its name and input. */
function toolOf(item: Record<string, unknown>): { name: string; input: unknown } | undefined {
  switch (item.type) {
    case 'commandExecution':
      return { name: 'shell', input: { command: item.command } };
    case 'fileChange':
      return { name: 'apply_patch', input: { changes: changesOf(item) } };
    case 'mcpToolCall':
      return { name: `${asString(item.server) ?? 'mcp'}.${asString(item.tool) ?? '?'}`, input: item.arguments };
    case 'dynamicToolCall':
      return { name: asString(item.tool) ?? 'tool', input: item.arguments };
    case 'webSearch':
      return { name: 'web_search', input: { query: item.query } };
    default:
      return undefined;
  }
}

/** A finished tool-like item's result. */
function resultOf(item: Record<string, unknown>): { output: string; isError: boolean } {
  const status = asString(item.status);
  switch (item.type) {
    case 'commandExecution':
      return { output: asString(item.aggregatedOutput) ?? (status === 'declined' ? 'declined' : ''), isError: status !== 'completed' || asNumber(item.exitCode) !== 0 };
    case 'fileChange':
      return { output: status === 'completed' ? changesOf(item).map((c) => `${c.kind} ${c.path}`).join('\n') : status ?? 'failed', isError: status !== 'completed' };
    case 'mcpToolCall':
      return { output: JSON.stringify(asRecord(item.result)?.content ?? asRecord(item.error)?.message ?? ''), isError: status === 'failed' };
    case 'dynamicToolCall':
      return { output: JSON.stringify(item.contentItems ?? ''), isError: item.success === false };
    default:
      return { output: status ?? '', isError: status === 'failed' };
  }
}

/** The answer to an approval request: Codex's decision words, or for extra permissions the ones granted (all asked, or none). */
function approvalAnswer(asked: AskedApproval, allow: boolean): unknown {
  if (asked.method !== 'item/permissions/requestApproval') return { decision: allow ? 'accept' : 'decline' };
  const requested = asRecord(asked.params.permissions) ?? {};
  const granted = allow ? Object.fromEntries(Object.entries(requested).filter(([, v]) => v !== null && v !== undefined)) : {};
  return { permissions: granted, scope: 'turn' };
}

/** How approval requests are answered: asked of the host (a person), or refused at once (headless). */
export type AppServerApprovals = 'ask' | 'deny';

/** One conversation with one `codex app-server` process. */
export function createAppServerConversation(request: StartRequest, approvals: AppServerApprovals): Conversation {
  let nextId = INITIALIZE_ID + 1;
  const pending = new Map<number, Pending>([[INITIALIZE_ID, { kind: 'initialize' }]]);
  let threadId: string | undefined;
  /** The turn under way, once Codex has named it. */
  let turnId: string | undefined;
  /** A `turn/start` sent and not yet answered. */
  let starting = false;
  /** The running turn refused a steering message: it is being interrupted, and the message starts the next. */
  let replacing = false;
  /** Interrupted by Switchboard, or unable to go on: nothing more is sent. */
  let closed = false;
  /** A turn that ended while a steering message was in flight: its result waits for that message's answer. */
  let deferredTurn: Record<string, unknown> | undefined;
  /** Messages waiting for the thread, a turn id, or the end of a turn being replaced (the prompt first). */
  const queued: string[] = [request.prompt];
  let lastText: string | undefined;
  const called = new Set<string>();
  const tools = new Map<string, Record<string, unknown>>();
  const asked = new Map<string, AskedApproval>();
  const denials: PermissionDenial[] = [];

  const send = (method: string, params: unknown, what: Pending): string => {
    const id = nextId++;
    pending.set(id, what);
    return JSON.stringify({ id, method, params });
  };
  const reply = (id: unknown, result: unknown): string => JSON.stringify({ id, result });
  const replyError = (id: unknown, code: number, message: string): string => JSON.stringify({ id, error: { code, message } });
  const none = (): { events: AgentEventBody[]; replies: string[] } => ({ events: [], replies: [] });

  /** What the queued messages need now: a turn started with them, or each steered into the running turn. */
  const deliver = (): string[] => {
    if (!threadId || closed || !queued.length) return [];
    if (turnId && !replacing) return queued.splice(0).map((message) => send('turn/steer', { threadId, expectedTurnId: turnId, input: [textInput(message)] }, { kind: 'steer', message }));
    if (turnId || starting) return [];
    starting = true;
    return [send('turn/start', { threadId, input: queued.splice(0).map(textInput) }, { kind: 'turn' })];
  };
  const steering = (): boolean => [...pending.values()].some((p) => p.kind === 'steer' || p.kind === 'turn');
  const result = (ok: boolean, error?: string): AgentEventBody => ({ type: 'result', ok, ...(lastText ? { text: lastText } : {}), ...(error ? { error } : {}), ...(denials.length ? { denials: [...denials] } : {}) });
  const failure = (what: string, error: unknown): { events: AgentEventBody[]; replies: string[] } => {
    closed = true;
    const message = `${what}: ${asString(asRecord(error)?.message) ?? JSON.stringify(error)}`;
    return { events: [{ type: 'error', message }, result(false, message)], replies: [] };
  };

  const threadParams = () => ({
    cwd: request.cwd,
    ...(request.settings.model ? { model: request.settings.model } : {}),
    // A person can let a command leave the sandbox when Codex asks; headless, it is told it cannot ask (as `codex exec`).
    approvalPolicy: approvals === 'ask' ? 'on-request' : 'never',
    sandbox: codexSandbox(request.settings),
  });

  const onResponse = (id: number, message: Record<string, unknown>): { events: AgentEventBody[]; replies: string[] } => {
    const what = pending.get(id)!;
    pending.delete(id);
    const answer = asRecord(message.result) ?? {};
    switch (what.kind) {
      case 'initialize': {
        if (message.error) return failure('Codex refused to start its app-server session', message.error);
        const initialized = JSON.stringify({ method: 'initialized' });
        const open = request.resumeSessionId
          ? send('thread/resume', { threadId: request.resumeSessionId, ...threadParams(), excludeTurns: true }, { kind: 'thread' })
          : send('thread/start', threadParams(), { kind: 'thread' });
        return { events: [], replies: [initialized, open] };
      }
      case 'thread': {
        if (message.error) return failure(request.resumeSessionId ? `could not resume session ${request.resumeSessionId}` : 'could not start a thread', message.error);
        threadId = asString(asRecord(answer.thread)?.id) ?? request.resumeSessionId;
        if (!threadId) return failure('could not start a thread', { message: 'Codex gave no thread id' });
        const model = asString(answer.model) ?? request.settings.model;
        return { events: [{ type: 'session', sessionId: threadId, ...(model ? { model } : {}) }], replies: deliver() };
      }
      case 'turn': {
        starting = false;
        if (message.error) return failure('could not start a turn', message.error);
        turnId ??= asString(asRecord(answer.turn)?.id);
        return { events: [], replies: deliver() };
      }
      case 'steer': {
        if (!message.error) {
          // Taken just before its turn ended, and no other turn starts: the ended turn's result is given now.
          if (deferredTurn && !turnId && !starting && !queued.length && !steering()) return onTurnCompleted(deferredTurn);
          return none();
        }
        // Too late (the turn has ended: the message starts the next) or refused (the turn is replaced by one that has it).
        queued.unshift(what.message);
        if (!turnId || replacing) return { events: [], replies: deliver() };
        replacing = true;
        return { events: [], replies: [send('turn/interrupt', { threadId, turnId }, { kind: 'interrupt' })] };
      }
      default:
        return none();
    }
  };

  const onTurnCompleted = (turn: Record<string, unknown>): { events: AgentEventBody[]; replies: string[] } => {
    turnId = undefined;
    replacing = false;
    const status = asString(turn.status) ?? 'completed';
    // A message still to deliver starts the next turn; a steering message in flight may (its answer says whether the turn had gone).
    if (!closed && (queued.length || steering())) {
      deferredTurn = queued.length ? undefined : turn;
      return { events: [], replies: deliver() };
    }
    deferredTurn = undefined;
    const error = status === 'completed' ? undefined : status === 'interrupted' ? 'interrupted' : asString(asRecord(turn.error)?.message) ?? `the turn ${status}`;
    return { events: [result(status === 'completed', error)], replies: [] };
  };

  const onItem = (phase: 'started' | 'completed', item: Record<string, unknown>): AgentEventBody[] => {
    const id = asString(item.id) ?? '';
    if (item.type === 'agentMessage') {
      if (phase !== 'completed' || !asString(item.text)) return [];
      lastText = item.text as string;
      return [{ type: 'text', text: lastText }];
    }
    const tool = toolOf(item);
    if (!tool) return [];
    tools.set(id, item);
    const events: AgentEventBody[] = [];
    if (!called.has(id)) {
      called.add(id);
      lastText = undefined;
      events.push({ type: 'tool_call', name: tool.name, callId: id, input: tool.input });
    }
    if (phase === 'completed') {
      events.push({ type: 'tool_result', callId: id, ...resultOf(item) });
      // Done with: approvals come while an item is under way, and a long session must not keep every output.
      tools.delete(id);
      called.delete(id);
    }
    return events;
  };

  const onApproval = (rpcId: unknown, method: string, params: Record<string, unknown>): { events: AgentEventBody[]; replies: string[] } => {
    const tool = APPROVALS[method]!;
    const item = tools.get(asString(params.itemId) ?? '');
    const reason = asString(params.reason);
    const input =
      method === 'item/commandExecution/requestApproval'
        ? { command: params.command, cwd: params.cwd, ...(reason ? { reason } : {}) }
        : method === 'item/fileChange/requestApproval'
          ? { changes: item ? changesOf(item) : [], ...(reason ? { reason } : {}), ...(params.grantRoot ? { grantRoot: params.grantRoot } : {}) }
          : { permissions: params.permissions, ...(reason ? { reason } : {}) };
    const what = toolTarget(input) ?? (Array.isArray((input as { changes?: unknown[] }).changes) ? ((input as { changes: { path: string }[] }).changes.map((c) => c.path).join(', ') || undefined) : undefined) ?? reason;
    const request: AskedApproval = { rpcId, method, params };
    if (approvals === 'deny') {
      denials.push({ tool, ...(what ? { what: clip(what, 300) } : {}), id: asString(params.itemId) ?? `codex-${String(rpcId)}` });
      return { events: [], replies: [reply(rpcId, approvalAnswer(request, false))] };
    }
    const id = `codex-${typeof rpcId === 'string' || typeof rpcId === 'number' ? rpcId : JSON.stringify(rpcId)}`;
    asked.set(id, request);
    const approval: ApprovalRequest = { id, tool, input };
    return { events: [{ type: 'waiting', reason: `approval to use ${tool}${what ? `: ${clip(what)}` : ''}`, request: approval }], replies: [] };
  };

  const onNotification = (method: string, params: Record<string, unknown>): AgentEventBody[] => {
    // Another thread's (a sub-agent's) items and tokens are not this run's output.
    if (threadId && asString(params.threadId) && params.threadId !== threadId) return [];
    switch (method) {
      case 'item/started':
      case 'item/completed':
        return onItem(method === 'item/started' ? 'started' : 'completed', asRecord(params.item) ?? {});
      case 'turn/started':
        turnId ??= asString(asRecord(params.turn)?.id);
        deferredTurn = undefined;
        return [];
      case 'thread/tokenUsage/updated': {
        const total = asRecord(asRecord(params.tokenUsage)?.total);
        return total ? [{ type: 'usage', inputTokens: asNumber(total.inputTokens), outputTokens: asNumber(total.outputTokens) }] : [];
      }
      case 'warning':
        // Not fatal (an unknown model's metadata, say): shown as `codex exec` shows its error items.
        return [{ type: 'error', message: asString(params.message) ?? 'warning' }];
      case 'error': {
        const error = asRecord(params.error) ?? {};
        const message = asString(error.message) ?? 'error';
        if (params.willRetry !== true) return [{ type: 'error', message }];
        // Codex retries a failed model call on its own (`Reconnecting... 1/5`): say so, with the HTTP status where it gives one.
        const info = asRecord(error.codexErrorInfo);
        const status = info && Object.values(info).map((v) => asRecord(v)?.httpStatusCode).find((s) => typeof s === 'number');
        const count = /(\d+)\/(\d+)/.exec(message);
        return [{ type: 'retry', ...(count ? { attempt: Number(count[1]), of: Number(count[2]) } : {}), ...(typeof status === 'number' ? { status } : {}), message: clip(asString(error.additionalDetails) ?? message, 300) }];
      }
      default:
        // Thread status, hooks, warnings, plans, reasoning: not the run's output.
        return [];
    }
  };

  return {
    read(line) {
      const message = parseJsonLine(line);
      if (!message || (!('method' in message) && !('id' in message))) return undefined;
      const method = asString(message.method);
      const params = asRecord(message.params) ?? {};
      if (method && 'id' in message) {
        if (APPROVALS[method]) return onApproval(message.id, method, params);
        // A request this client does not serve (user input, elicitations, its own tools): say so, never leave it waiting.
        return { events: [], replies: [replyError(message.id, -32601, `${method} is not offered by this client`)] };
      }
      if (method === 'turn/completed') {
        if (threadId && params.threadId !== threadId) return none();
        return onTurnCompleted(asRecord(params.turn) ?? {});
      }
      if (method) return { events: onNotification(method, params), replies: [] };
      return typeof message.id === 'number' && pending.has(message.id) ? onResponse(message.id, message) : none();
    },
    steer(message) {
      if (closed) return undefined;
      queued.push(message);
      return deliver();
    },
    interrupt() {
      if (!threadId || !turnId || closed) return undefined;
      closed = true;
      queued.length = 0;
      return [send('turn/interrupt', { threadId, turnId }, { kind: 'interrupt' })];
    },
    answer(approval, allow) {
      const request = asked.get(approval.id);
      if (!request) return undefined;
      asked.delete(approval.id);
      return [reply(request.rpcId, approvalAnswer(request, allow))];
    },
  };
}

/** The options `codex app-server` takes as `codex exec` does: configuration overrides and features, each with its value. */
const APP_SERVER_OPTIONS = new Set(['-c', '--config', '--enable', '--disable']);

/** Why `codex app-server` would not start with these extra arguments (options of `codex exec` such as `--full-auto`, `-p`, `--oss`), if it would not. */
export function appServerArgsProblem(extraArgs: readonly string[]): string | undefined {
  for (let i = 0; i < extraArgs.length; i++) {
    const arg = extraArgs[i]!;
    if (APP_SERVER_OPTIONS.has(arg.split('=')[0]!)) {
      if (!arg.includes('=')) i++;
      continue;
    }
    return `codex app-server does not take the extra argument ${JSON.stringify(arg)} (runners.codex.extraArgs): it is an option of codex exec, and the app-server would exit at once`;
  }
  return undefined;
}

/** The way out of appServerArgsProblem, said by the refused run and by Doctor. */
export const APP_SERVER_ARGS_HINT = 'Set runners.codex.protocol to "json" to run codex exec with it, or leave it out (-c key=value, --enable and --disable work with both).';

/** Codex over `codex app-server`, a variant of its `exec` runner with the same id, binary, settings and environment. */
export function codexAppServerRunner(codex: Runner): Runner {
  return {
    ...codex,
    steering: 'live',
    build(request) {
      const problem = appServerArgsProblem(request.settings.extraArgs);
      if (problem) throw new SwitchboardError('invalid_argument', `${problem}.`, APP_SERVER_ARGS_HINT);
      const { command, env } = codex.build(request);
      // The model, sandbox and prompt go over the protocol; Switchboard's MCP server and the extra arguments on the command line.
      return { command, args: ['app-server', ...mcpConfigArgs(request), ...request.settings.extraArgs], env, stdin: 'pipe', initialInput: [appServerInitializeLine()] };
    },
    createConversation: (request) => createAppServerConversation(request, request.hostApprovals ? 'ask' : 'deny'),
    steerInput: undefined,
    interruptInput: undefined,
    approvalInput: undefined,
    isTurnEnd: (event) => event.type === 'result',
  };
}
