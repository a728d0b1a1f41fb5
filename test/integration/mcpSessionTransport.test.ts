/**
 * The MCP session transport over Node's own request and response (nodeSessionTransport.ts), on a
 * real loopback server with the SDK's own client: calls are answered on their POST's SSE stream,
 * progress arrives before the answer, and nothing of a call stays in the transport afterwards
 * (many calls, a client that gives up mid-call, a session ended with DELETE); and it refuses what
 * the SDK's transport refuses, with the same statuses.
 */
import * as assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
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

  /** One SDK server per session, with a quick tool and one that reports progress and waits for `release`. */
  function build(): McpServer {
    const mcp = new McpServer({ name: 'test', version: '1' });
    mcp.registerTool('echo', { inputSchema: { text: z.string() } }, async ({ text }) => ({ content: [{ type: 'text', text }] }));
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
        const transport = new NodeSessionTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (sid) => sessions.set(sid, transport) });
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

  const raw = (headers: Record<string, string>, body?: unknown, method = 'POST'): Promise<{ status: number; text: string }> =>
    fetch(url, { method, headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }).then(async (r) => ({
      status: r.status,
      text: await r.text(),
    }));

  it('answers 300 calls, each on its own stream, and keeps nothing of them', async () => {
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

  it('forgets a call its client cancelled (which gets no answer), and ends the session on DELETE', async () => {
    const { client, transport, session } = await connect();
    const abort = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: {} }, undefined, { signal: abort.signal }).catch((error: Error) => error);
    while (session.openCounts.answers === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    abort.abort();
    assert.ok((await call) instanceof Error);
    const until = Date.now() + 5000;
    while (session.openCounts.answers > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(session.openCounts.answers, 0, 'the cancellation let the call go before any answer');
    release();
    await handlerDone;
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.openCounts.answers, 0);
    await transport.terminateSession();
    assert.ok(closed.includes(session.sessionId!), 'DELETE closed the session');
    assert.deepEqual(session.openCounts, { answers: 0, standalone: false });
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
