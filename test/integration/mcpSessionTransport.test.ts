/**
 * The MCP session transport over Node's own request and response (nodeSessionTransport.ts), on a
 * real loopback server with the SDK's own client: calls are answered in a JSON body (a batch in one
 * array), or on their POST's SSE stream when they ask for progress (which arrives before the answer)
 * or the server tells the client something during the call, or the call takes long; nothing of a call stays in the transport
 * afterwards (many calls, a call cancelled in either kind, a client that goes away mid-call, a session
 * ended with DELETE); and it refuses what the SDK's transport refuses, with the same statuses.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { silentLogger } from '../../src/core/logger';
import { McpHttpTransport, MCP_PATH } from '../../src/mcp/httpTransport';
import { NodeSessionTransport } from '../../src/mcp/nodeSessionTransport';

describe('MCP session transport over Node http', function () {
  this.timeout(30_000);
  let server: http.Server;
  let url: URL;
  const sessions = new Map<string, NodeSessionTransport>();
  const closed: string[] = [];
  let release: () => void = () => {};
  let handlerDone: Promise<void> = Promise.resolve();
  /** How long the sessions opened next let a JSON answer wait before it becomes a stream. */
  let jsonWaitMs: number | undefined;

  /** One SDK server per session, with quick tools (one logs during its call) and one that reports progress and waits for `release`. */
  function build(): McpServer {
    const mcp = new McpServer({ name: 'test', version: '1' }, { capabilities: { logging: {} } });
    mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
    mcp.registerTool('chatty', { inputSchema: {} }, async (_args, extra) => {
      await extra.sendNotification({ method: 'notifications/message', params: { level: 'info', data: 'said during the call' } });
      return { content: [{ type: 'text', text: 'chatty done' }] };
    });
    mcp.registerTool('slow', { inputSchema: {} }, async (_args, extra) => {
      const token = extra._meta?.progressToken;
      if (token !== undefined) await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress: 1, message: 'working' } });
      let done!: () => void;
      handlerDone = new Promise((resolve) => (done = resolve));
      await new Promise<void>((resolve) => (release = resolve));
      done();
      return { content: [{ type: 'text', text: 'slow done' }] };
    });
    return mcp;
  }

  before(async () => {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
        const id = req.headers['mcp-session-id'];
        const known = typeof id === 'string' ? sessions.get(id) : undefined;
        if (known) return void known.handleRequest(req, res, body);
        if (typeof id === 'string') return void res.writeHead(404).end();
        const transport = new NodeSessionTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (sid) => sessions.set(sid, transport), ...(jsonWaitMs ? { jsonWaitMs } : {}) });
        transport.onclose = () => closed.push(transport.sessionId!);
        void build().connect(transport).then(() => transport.handleRequest(req, res, body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/mcp`);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  async function connect(): Promise<{ client: Client; transport: StreamableHTTPClientTransport; session: NodeSessionTransport }> {
    const client = new Client({ name: 'test', version: '1' });
    const transport = new StreamableHTTPClientTransport(url);
    await client.connect(transport);
    return { client, transport, session: sessions.get(transport.sessionId!)! };
  }

  const raw = (headers: Record<string, string>, body?: unknown, method = 'POST', signal?: AbortSignal): Promise<{ status: number; type: string; text: string }> =>
    fetch(url, { method, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }), ...(signal ? { signal } : {}) }).then(async (r) => ({
      status: r.status,
      type: r.headers.get('content-type') ?? '',
      text: await r.text(),
    }));
  const callOf = (id: number, name: string, args: Record<string, unknown> = {}, meta?: Record<string, unknown>): unknown => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name, arguments: args, ...(meta ? { _meta: meta } : {}) } });
  const until = async (done: () => boolean, what: string): Promise<void> => {
    const end = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };

  it('answers a call in a JSON body, a batch in one array in its order, and a call that asks for progress on a stream', async () => {
    const { client, transport, session } = await connect();
    const sid = { 'mcp-session-id': transport.sessionId! };
    const one = await raw(sid, callOf(1, 'echo', { text: 'json' }));
    assert.equal(one.type, 'application/json');
    assert.deepEqual(JSON.parse(one.text), { jsonrpc: '2.0', id: 1, result: { content: [{ type: 'text', text: 'json' }] } });
    const batch = await raw(sid, [callOf(2, 'echo', { text: 'first' }), { jsonrpc: '2.0', method: 'notifications/initialized' }, callOf(3, 'echo', { text: 'second' })]);
    assert.equal(batch.type, 'application/json');
    assert.deepEqual((JSON.parse(batch.text) as { id: number; result: { content: { text: string }[] } }[]).map((m) => [m.id, m.result.content[0]!.text]), [[2, 'first'], [3, 'second']]);
    const streamed = await raw(sid, callOf(4, 'echo', { text: 'sse' }, { progressToken: 'p' }));
    assert.equal(streamed.type, 'text/event-stream');
    assert.match(streamed.text, /^event: message\ndata: \{"result":\{"content":\[\{"type":"text","text":"sse"\}\]\},"jsonrpc":"2.0","id":4\}\n\n$/);
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });

  it('turns a JSON answer into a stream when the server tells the client something during the call', async () => {
    const { client, transport, session } = await connect();
    const said: unknown[] = [];
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => void said.push(n.params.data));
    const result = (await client.callTool({ name: 'chatty', arguments: {} })) as { content: { text: string }[] };
    assert.equal(result.content[0]!.text, 'chatty done');
    assert.deepEqual(said, ['said during the call'], 'the notification reached the client, before the answer');
    const rawCall = await raw({ 'mcp-session-id': transport.sessionId! }, callOf(5, 'chatty'));
    assert.equal(rawCall.type, 'text/event-stream');
    assert.deepEqual(rawCall.text.split('\n\n').filter(Boolean).map((e) => (JSON.parse(e.replace(/^event: message\ndata: /, '')) as { method?: string; id?: number }).method ?? `answer ${(JSON.parse(e.replace(/^event: message\ndata: /, '')) as { id: number }).id}`), ['notifications/message', 'answer 5']);
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });

  it('turns a JSON answer that takes long into a stream (its headers sent, comments keep it alive)', async () => {
    jsonWaitMs = 100;
    const { client, transport, session } = await connect().finally(() => (jsonWaitMs = undefined));
    const answer = raw({ 'mcp-session-id': transport.sessionId! }, callOf(7, 'slow'));
    await until(() => session.openCounts.answers === 1, 'the call');
    await new Promise((resolve) => setTimeout(resolve, 300));
    release();
    const { type, text } = await answer;
    assert.equal(type, 'text/event-stream');
    assert.match(text, /^event: message\ndata: .*"text":"slow done".*"id":7\}\n\n$/);
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });

  it('lets go of a call whose client went away before its JSON answer', async () => {
    const { client, transport, session } = await connect();
    const abort = new AbortController();
    const gone = raw({ 'mcp-session-id': transport.sessionId! }, callOf(6, 'slow'), 'POST', abort.signal).catch((error: Error) => error);
    await until(() => session.openCounts.answers === 1, 'the call');
    abort.abort();
    assert.ok((await gone) instanceof Error);
    await until(() => session.openCounts.answers === 0, 'the call let go');
    release();
    await handlerDone;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });

  it('answers 300 calls, each on its own response, and keeps nothing of them', async () => {
    const { client, session } = await connect();
    for (let i = 0; i < 300; i++) {
      const result = (await client.callTool({ name: 'echo', arguments: { text: `hi ${i}` } })) as { content: { text: string }[] };
      assert.equal(result.content[0]!.text, `hi ${i}`);
    }
    assert.equal(session.openCounts.answers, 0, 'no call waits for an answer');
    await client.close();
  });

  it('sends progress on the call stream before the answer', async () => {
    const { client, session } = await connect();
    const progress: string[] = [];
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { onprogress: (p) => progress.push(p.message ?? '') });
    while (progress.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(session.openCounts.answers, 1);
    release();
    const result = (await call) as { content: { text: string }[] };
    assert.deepEqual(progress, ['working']);
    assert.equal(result.content[0]!.text, 'slow done');
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });

  for (const kind of ['JSON', 'SSE']) {
    it(`forgets a call its client cancelled (which gets no answer) before its ${kind} answer`, async () => {
      const { client, session } = await connect();
      const abort = new AbortController();
      // Progress asked for: the answer comes on a stream.
      const options = { signal: abort.signal, ...(kind === 'SSE' ? { onprogress: () => {} } : {}) };
      const call = client.callTool({ name: 'slow', arguments: {} }, undefined, options).catch((error: Error) => error);
      await until(() => session.openCounts.answers === 1, 'the call');
      abort.abort();
      assert.ok((await call) instanceof Error);
      await until(() => session.openCounts.answers === 0, 'the cancellation to let the call go before any answer');
      release();
      await handlerDone;
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(session.openCounts.answers, 0);
      assert.equal((await client.callTool({ name: 'echo', arguments: { text: 'after' } }) as { content: { text: string }[] }).content[0]!.text, 'after', 'the session goes on');
      await client.close();
    });
  }

  it('ends the session on DELETE, letting go of a call under way', async () => {
    const { client, transport, session } = await connect();
    const abort = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { signal: abort.signal }).catch((error: Error) => error);
    await until(() => session.openCounts.answers === 1, 'the call');
    await transport.terminateSession();
    assert.ok(closed.includes(session.sessionId!), 'DELETE closed the session');
    assert.deepEqual(session.openCounts, { answers: 0, standalone: false });
    abort.abort();
    assert.ok((await call) instanceof Error);
    release();
    await handlerDone;
    await client.close();
  });

  it('refuses what the SDK transport refuses, with its statuses', async () => {
    const { client, transport, session } = await connect();
    const sid = transport.sessionId!;
    const ping = { jsonrpc: '2.0', id: 9, method: 'ping' };
    assert.equal((await raw({ 'mcp-session-id': sid }, ping)).status, 200);
    assert.equal((await raw({ 'mcp-session-id': sid, accept: 'application/json' }, ping)).status, 406);
    assert.equal((await raw({ 'mcp-session-id': sid, 'content-type': 'text/plain' }, ping)).status, 415);
    assert.equal((await raw({ 'mcp-session-id': sid }, { nonsense: true })).status, 400);
    assert.equal((await raw({ 'mcp-session-id': sid, 'mcp-protocol-version': '1999-01-01' }, ping)).status, 400);
    assert.equal((await raw({ 'mcp-session-id': sid }, { jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202);
    const again = await raw({ 'mcp-session-id': sid }, { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    assert.equal(again.status, 400);
    assert.match(again.text, /already initialized/);
    assert.equal((await raw({ 'mcp-session-id': sid }, undefined, 'PUT')).status, 405);
    assert.equal((await raw({ 'mcp-session-id': sid, accept: 'text/event-stream' }, undefined, 'GET')).status, 409, 'the client holds the one GET stream already');
    assert.equal(session.openCounts.answers, 0);
    await client.close();
  });
});

describe('MCP over HTTP, the mount', function () {
  this.timeout(30_000);

  it('lets go of the server a refused initialize built (no session opened), and keeps the one an accepted initialize opened', async () => {
    let built = 0;
    let disposed = 0;
    const mount = new McpHttpTransport(() => {
      built++;
      return { server: new McpServer({ name: 'test', version: '1' }), clientName: () => undefined, dispose: () => void disposed++ };
    }, silentLogger);
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void mount.handle(req, res, Buffer.concat(chunks)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${MCP_PATH}`;
    const initialize = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'x', version: '1' } } });
    try {
      for (const accept of ['application/json', 'text/event-stream']) {
        const refused = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', accept }, body: initialize });
        assert.equal(refused.status, 406);
      }
      assert.equal(built, 2);
      assert.equal(disposed, 2, 'each refused initialize let its server go');
      const client = new Client({ name: 'test', version: '1' });
      await client.connect(new StreamableHTTPClientTransport(new URL(url)));
      assert.equal(disposed, 2, 'the accepted one is kept while its session lives');
      assert.equal(mount.clients().length, 1);
      await client.close();
    } finally {
      await mount.dispose();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
    assert.equal(disposed, 3);
  });
});
