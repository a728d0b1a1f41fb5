/**
 * One MCP session's Streamable HTTP transport over Node's own request and response, in place of
 * the SDK's StreamableHTTPServerTransport. The SDK's turns every call into a web Request, Response
 * and ReadableStream (through @hono/node-server); Node's implementations of those hold weak
 * references that V8's young-generation collector keeps alive, so each call moved about 10 KB of
 * garbage into the old generation, where it stayed until a full collection: the server grew by
 * 40-60 MB between collections over 10,000 calls. This one writes the same wire protocol straight
 * to the response: sessions (an `mcp-session-id` header), a POST that carries requests answered in
 * one JSON body once each of them is answered (an array for several), or on an SSE stream when a
 * request asks for progress, something else must reach the client before the answer, or it takes
 * long (both are the spec's: the client must accept either), one standalone GET stream for notifications, DELETE
 * to end the session. There is no resumability (no event store), as Switchboard never
 * configured one. Host, Origin, token and size were checked, and the body read, by the listener.
 */
import type * as http from 'node:http';
import type { Transport, TransportSendOptions } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  isInitializeRequest,
  JSONRPCMessageSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type JSONRPCRequest,
  type MessageExtraInfo,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';
import { answerPieces, writePieces } from '../ops/answerText';

/** The SDK's limit on a batch of messages in one POST. */
const MAX_BATCH = 100;
/** A comment line on open SSE streams this often, so idle timeouts on the way do not cut them. */
const KEEP_ALIVE_MS = 15_000;
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' };

/** An open response: a POST's (answering `pending`) or the session's GET stream. */
interface Stream {
  res: http.ServerResponse;
  pending: Set<RequestId>;
  /** Its keep-alive comments (SSE), or when a JSON answer waited long enough to become a stream. */
  keepAlive?: NodeJS.Timeout;
  /**
   * While a POST is to be answered in one JSON body: its request ids in order, and the answers in so
   * far. Absent once it is an SSE stream (from the start, or since something else came for a call).
   */
  json?: { order: RequestId[]; answers: Map<RequestId, JSONRPCMessage> };
}

export interface NodeSessionTransportOptions {
  sessionIdGenerator: () => string;
  /** Called once the session has its id, before the initialize request is handled. */
  onsessioninitialized?: (sessionId: string) => void;
  /**
   * How long a POST's answers may take in a JSON body (default 15 s): past that its response becomes
   * an SSE stream with keep-alive comments, so that a long call (wait_agent) is not cut by a client's
   * timeout for headers (undici's fetch: 300 s) or an idle connection's.
   */
  jsonWaitMs?: number;
}

export class NodeSessionTransport implements Transport {
  sessionId?: string;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  private initialized = false;
  private closed = false;
  /** The stream each unanswered request is answered on; an entry goes when its answer is sent. */
  private readonly answerStreams = new Map<RequestId, Stream>();
  private standalone: Stream | undefined;

  constructor(private readonly options: NodeSessionTransportOptions) {}

  async start(): Promise<void> {}

  /** How many requests wait for an answer and how many streams are open (the tests check nothing stays). */
  get openCounts(): { answers: number; standalone: boolean } {
    return { answers: this.answerStreams.size, standalone: this.standalone !== undefined };
  }

  /** Handles one HTTP request of this session; `body` is the parsed JSON of a POST. */
  async handleRequest(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
    if (this.closed) return refuse(res, 404, -32001, 'Session not found');
    if (req.method === 'POST') return this.post(req, res, body);
    if (req.method === 'GET') return this.get(req, res);
    if (req.method === 'DELETE') {
      if (!this.checkSession(req, res)) return;
      res.writeHead(200).end();
      return this.close();
    }
    refuse(res, 405, -32000, 'Method not allowed.', { allow: 'GET, POST, DELETE' });
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    const isAnswer = isAnswerMessage(message);
    const requestId = isAnswer ? (message as { id: RequestId }).id : options?.relatedRequestId;
    if (requestId === undefined) {
      if (isAnswer) throw new Error('Cannot send a response on a standalone SSE stream unless resuming a previous client request');
      if (this.standalone) writeEvent(this.standalone, message);
      return;
    }
    // A call that was cancelled, or whose client went away, has nobody to tell: what comes for it is dropped.
    const stream = this.answerStreams.get(requestId);
    if (!stream) {
      // A request to the client (elicitation, sampling) fails at once rather than waiting out its timeout.
      if (isRequestMessage(message)) throw new Error(`No open stream for request ${String(requestId)}: its call was cancelled or its client went away`);
      return;
    }
    if (stream.json && isAnswer) stream.json.answers.set(requestId, message);
    else {
      // A notification or a request for the call (progress, elicitation…) cannot wait for the answer: the POST's answer becomes a stream.
      if (stream.json) this.toSse(stream);
      writeEvent(stream, message);
    }
    if (isAnswer) this.forget(requestId);
  }

  /** The call is answered, cancelled or its client gone: its stream ends once it waits for no other. */
  private forget(requestId: RequestId): void {
    const stream = this.answerStreams.get(requestId);
    if (!stream) return;
    this.answerStreams.delete(requestId);
    stream.pending.delete(requestId);
    if (stream.pending.size === 0) this.end(stream);
  }

  /** Ends a response: a JSON one with the answers that came (an empty SSE stream when each call was cancelled). */
  private end(stream: Stream): void {
    const json = stream.json;
    if (json && json.answers.size > 0 && !stream.res.headersSent && !stream.res.destroyed) {
      const answers = json.order.filter((id) => json.answers.has(id)).map((id) => answerPieces(json.answers.get(id)!));
      const pieces = answers.length === 1 ? answers[0]! : ['[', ...answers.flatMap((a, i) => (i ? [',', ...a] : a)), ']'];
      const length = pieces.reduce((n, piece) => n + (typeof piece === 'string' ? Buffer.byteLength(piece) : piece.length), 0);
      stream.res.writeHead(200, { 'content-type': 'application/json', 'content-length': length, ...this.sessionHeader() });
      writePieces(stream.res, pieces);
    } else if (json) this.toSse(stream);
    endStream(stream);
  }

  /** The POST's answer as an SSE stream after all: its headers, and the answers already in (a batch's), as events. */
  private toSse(stream: Stream): void {
    const answers = stream.json?.answers;
    stream.json = undefined;
    clearTimeout(stream.keepAlive);
    if (stream.res.headersSent || stream.res.destroyed) return;
    this.startSse(stream);
    for (const answer of answers?.values() ?? []) writeEvent(stream, answer);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const stream of new Set(this.answerStreams.values())) this.end(stream);
    this.answerStreams.clear();
    if (this.standalone) endStream(this.standalone);
    this.standalone = undefined;
    this.onclose?.();
  }

  private async post(req: http.IncomingMessage, res: http.ServerResponse, body: unknown): Promise<void> {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return refuse(res, 406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if ((req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase() !== 'application/json') {
      return refuse(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    }
    if (Array.isArray(body) && body.length > MAX_BATCH) return refuse(res, 400, -32600, `Invalid Request: Batch must not exceed ${MAX_BATCH} messages`);
    let messages: JSONRPCMessage[];
    try {
      messages = (Array.isArray(body) ? body : [body]).map((m) => JSONRPCMessageSchema.parse(m));
    } catch {
      return refuse(res, 400, -32700, 'Parse error: Invalid JSON-RPC message');
    }
    if (messages.some((m) => 'method' in m && m.method === 'initialize' && isInitializeRequest(m))) {
      if (this.initialized) return refuse(res, 400, -32600, 'Invalid Request: Server already initialized');
      if (messages.length > 1) return refuse(res, 400, -32600, 'Invalid Request: Only one initialization request is allowed');
      this.sessionId = this.options.sessionIdGenerator();
      this.initialized = true;
      this.options.onsessioninitialized?.(this.sessionId);
    } else if (!this.checkSession(req, res)) return;

    // Node's headers are the lower-cased object the SDK's RequestInfo asks for.
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers, url: new URL(req.url ?? '/', 'http://127.0.0.1') } };
    const requests = messages.filter(isRequestMessage);
    if (requests.length === 0) {
      this.deliver(messages, extra);
      return void res.writeHead(202).end();
    }
    // A client that goes away before every answer is in: the rest are dropped as they come.
    const stream = this.open(res, () => {
      // A request id the client used again in a later POST belongs to that one's stream now.
      for (const id of stream.pending) if (this.answerStreams.get(id) === stream) this.answerStreams.delete(id);
      stream.pending.clear();
    });
    // Progress asked for is sent as it comes, on a stream; otherwise the answers come in one JSON body.
    if (requests.some((r) => r.params?._meta?.progressToken !== undefined)) this.startSse(stream);
    else {
      stream.json = { order: requests.map((r) => r.id), answers: new Map() };
      stream.keepAlive = setTimeout(() => this.toSse(stream), this.options.jsonWaitMs ?? KEEP_ALIVE_MS);
      stream.keepAlive.unref();
    }
    for (const request of requests) {
      stream.pending.add(request.id);
      this.answerStreams.set(request.id, stream);
    }
    this.deliver(messages, extra);
  }

  private deliver(messages: JSONRPCMessage[], extra: MessageExtraInfo): void {
    for (const message of messages) {
      this.onmessage?.(message, extra);
      // A cancelled request gets no answer (the SDK's server sends none): its stream need not wait for one.
      if ('method' in message && message.method === 'notifications/cancelled') {
        const id = (message.params as { requestId?: RequestId } | undefined)?.requestId;
        if (id !== undefined) this.forget(id);
      }
    }
  }

  private async get(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!(req.headers.accept ?? '').includes('text/event-stream')) return refuse(res, 406, -32000, 'Not Acceptable: Client must accept text/event-stream');
    if (!this.checkSession(req, res)) return;
    if (this.standalone) return refuse(res, 409, -32000, 'Conflict: Only one SSE stream is allowed per session');
    const stream = this.open(res, () => {
      if (this.standalone === stream) this.standalone = undefined;
    });
    this.standalone = stream;
    this.startSse(stream);
    res.flushHeaders();
  }

  /** A response that forgets itself when the connection closes; its headers wait for what it will be (startSse, or JSON in end). */
  private open(res: http.ServerResponse, onClose: () => void): Stream {
    const stream: Stream = { res, pending: new Set() };
    res.once('close', () => {
      clearInterval(stream.keepAlive);
      onClose();
    });
    return stream;
  }

  /** Makes the response an SSE stream, kept alive by comments. */
  private startSse(stream: Stream): void {
    stream.res.writeHead(200, { ...SSE_HEADERS, ...this.sessionHeader() });
    stream.keepAlive = setInterval(() => stream.res.write(': keepalive\n\n'), KEEP_ALIVE_MS);
    stream.keepAlive.unref();
  }

  private sessionHeader(): Record<string, string> {
    return this.sessionId ? { 'mcp-session-id': this.sessionId } : {};
  }

  /** A request after initialize names this session and a protocol version the SDK speaks; false when it was refused. */
  private checkSession(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    if (!this.initialized) return (refuse(res, 400, -32000, 'Bad Request: Server not initialized'), false);
    const id = req.headers['mcp-session-id'];
    if (!id) return (refuse(res, 400, -32000, 'Bad Request: Mcp-Session-Id header is required'), false);
    if (id !== this.sessionId) return (refuse(res, 404, -32001, 'Session not found'), false);
    const version = req.headers['mcp-protocol-version'];
    if (typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      const message = `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`;
      return (refuse(res, 400, -32000, message), false);
    }
    return true;
  }
}

// The shapes of JSON-RPC messages already checked (JSONRPCMessageSchema, or the SDK's own): told apart
// by their fields, as the SDK's type guards would, without a schema parse that fails for most messages.
// (A failed zod parse builds an error whose parts outlive a young-generation collection: garbage in the old one.)
function isRequestMessage(m: JSONRPCMessage): m is JSONRPCRequest {
  return 'method' in m && 'id' in m;
}

function isAnswerMessage(m: JSONRPCMessage): boolean {
  return ('result' in m || 'error' in m) && 'id' in m;
}

function writeEvent(stream: Stream, message: JSONRPCMessage): void {
  if (!stream.res.writableEnded && !stream.res.destroyed) writePieces(stream.res, ['event: message\ndata: ', ...answerPieces(message), '\n\n']);
}

function endStream(stream: Stream): void {
  clearInterval(stream.keepAlive);
  if (!stream.res.writableEnded) stream.res.end();
}

function refuse(res: http.ServerResponse, status: number, code: number, message: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}
