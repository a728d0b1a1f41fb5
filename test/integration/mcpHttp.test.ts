/**
 * The MCP server's HTTP door: what is refused before any request reaches the SDK (no or a wrong
 * token, a foreign Origin, a non-loopback Host, an oversized body), the owner-only token file, and
 * the MCP Inspector's CLI (pinned, installed by the test setup) listing the tools and calling one.
 */
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { endpointFile, liveEndpoint, tokenFile } from '../../src/http/credentials';
import { MAX_BODY_BYTES } from '../../src/http/loopbackListener';
import type { McpHttp } from '../../src/mcp/mcpService';
import { McpService } from '../../src/mcp/mcpService';
import { OPERATIONS } from '../../src/ops/operations';
import { agentCliBinary } from '../support/agentClis';
import { createHarness, type Harness } from '../support/harness';
import { node24Bin } from '../support/providers/openaiChat';

const INITIALIZE = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw-http', version: '1' } } });

interface Reply {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** A raw request, so that Host and Origin can be anything (fetch would not let a test set Host). */
function request(port: number, options: { headers?: Record<string, string>; body?: string | Buffer; path?: string; method?: string }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'POST',
        path: options.path ?? '/mcp',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', host: `127.0.0.1:${port}`, ...options.headers },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        // Refusals carry a JSON-RPC error; its message is what the tests read.
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: /^\{"jsonrpc"/.test(body) && res.statusCode !== 200 ? (JSON.parse(body).error?.message ?? body) : body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body ?? INITIALIZE);
  });
}

describe('MCP server over HTTP: the door', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: McpService;
  let host: McpHttp;
  let token: string;
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${token}` });

  before(async () => {
    h = await createHarness();
    service = new McpService({ switchboard: h.switchboard, logger: { trace() {}, info() {}, warn() {}, error() {} }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} });
    host = await service.startHttp();
    token = service.token();
  });
  after(async () => {
    await service.dispose();
    await h.cleanup();
  });

  it('answers an initialize with the right token, Host and no Origin', async () => {
    const reply = await request(host.port, { headers: auth() });
    assert.equal(reply.status, 200, reply.body);
    assert.ok(reply.headers['mcp-session-id']);
  });

  it('refuses a missing or wrong token with 401 and says which', async () => {
    const none = await request(host.port, {});
    assert.equal(none.status, 401);
    assert.match(none.body, /A bearer token is required/);
    assert.equal(none.headers['www-authenticate'], 'Bearer realm="switchboard"');
    const wrong = await request(host.port, { headers: { authorization: `Bearer ${token.slice(0, -2)}xx` } });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /The bearer token is wrong/);
  });

  it('refuses a foreign Origin and a non-loopback Host with 403, token or not (DNS rebinding)', async () => {
    const origin = await request(host.port, { headers: { ...auth(), origin: 'https://evil.example' } });
    assert.equal(origin.status, 403);
    assert.match(origin.body, /Origin "https:\/\/evil.example" may not use this server/);
    const rebound = await request(host.port, { headers: { ...auth(), host: `evil.example:${host.port}` } });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /Host "evil.example:\d+" is not a loopback address/);
    const local = await request(host.port, { headers: { ...auth(), origin: 'http://localhost:6274', host: `localhost:${host.port}` } });
    assert.equal(local.status, 200, 'a page on loopback with the token may use it');
  });

  it('refuses an oversized body with 413, declared or streamed', async () => {
    const declared = await request(host.port, { headers: auth(), body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20) });
    assert.equal(declared.status, 413);
    assert.match(declared.body, /the limit is 4194304/);
    const streamed = await request(host.port, { headers: { ...auth(), 'transfer-encoding': 'chunked' }, body: Buffer.alloc(MAX_BODY_BYTES + 1, 0x20) });
    assert.equal(streamed.status, 413);
    assert.match(streamed.body, /over the limit of 4194304 bytes/);
  });

  it('answers anything but /mcp with 404, and bad JSON with a parse error', async () => {
    assert.equal((await request(host.port, { headers: auth(), path: '/' })).status, 404);
    const bad = await request(host.port, { headers: auth(), body: '{"jsonrpc":' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /not valid JSON/);
    const noSession = await request(host.port, { headers: auth(), body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(noSession.status, 400);
    assert.match(noSession.body, /send an initialize request first/);
    const gone = await request(host.port, { headers: { ...auth(), 'mcp-session-id': 'no-such-session' }, body: JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'tools/list' }) });
    assert.equal(gone.status, 404);
    // A method MCP does not use is a 405 that says which it takes, session or not (not "send an initialize first").
    const put = await request(host.port, { headers: auth(), method: 'PUT' });
    assert.deepEqual([put.status, put.headers.allow, put.body], [405, 'GET, POST, DELETE', '/mcp answers GET, POST and DELETE, not PUT.']);
  });

  it('keeps the token and the endpoint owner-only, listens on loopback only, and reuses its port next time', async () => {
    for (const file of [tokenFile(h.stateDir), endpointFile(h.stateDir)]) assert.equal(fs.statSync(file).mode & 0o777, 0o600, file);
    assert.equal(fs.statSync(path.dirname(tokenFile(h.stateDir))).mode & 0o777, 0o700);
    assert.equal(liveEndpoint(h.stateDir)?.url, `http://127.0.0.1:${host.port}/mcp`);
    const port = host.port;
    await service.dispose();
    service = new McpService({ switchboard: h.switchboard, logger: { trace() {}, info() {}, warn() {}, error() {} }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} });
    host = await service.startHttp();
    assert.equal(host.port, port, 'the copied client configurations keep working');
    assert.equal(service.token(), token);
  });

  it('the MCP Inspector CLI lists the tools and calls one', async () => {
    const node24 = node24Bin();
    assert.ok(node24, 'Node 24 is installed (npm test installs it)');
    const inspector = (...args: string[]) =>
      promisify(execFile)(path.join(node24, 'node'), [agentCliBinary('inspector'), '--cli', host.url, '--header', `Authorization: Bearer ${token}`, ...args], { timeout: 60_000 });
    const listed = JSON.parse((await inspector('--method', 'tools/list', '--strict')).stdout) as { tools: { name: string }[] };
    assert.equal(listed.tools.length, OPERATIONS.length);
    assert.ok(listed.tools.some((t) => t.name === 'run_agent'));
    const called = JSON.parse((await inspector('--method', 'tools/call', '--tool-name', 'list_agents', '--tool-arg', 'status=running')).stdout) as { structuredContent: { count: number }; content: { text: string }[] };
    assert.equal(called.structuredContent.count, 0);
    assert.equal(called.content[0]!.text, `0 agents.\n${JSON.stringify(called.structuredContent)}`, 'the summary, then the answer as JSON');
  });
});
