/** The gate tools over MCP (HTTP, the official SDK client): gates_status and gates_reset, their shapes, and their refusals. */
import * as assert from 'node:assert/strict';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { Breakers } from '../../src/core/gates/breakers';
import { workspaceKey } from '../../src/core/gates/gatePaths';
import { McpService } from '../../src/mcp/mcpService';
import { call, connectHttp, textOf } from '../support/mcpClients';
import { createHarness, tempDir, type Harness } from '../support/harness';

const quiet = { trace() {}, info() {}, warn() {}, error() {} };

describe('MCP gate tools', function () {
  this.timeout(60_000);
  let h: Harness;
  let service: McpService;
  let client: Client;
  let work: string;

  before(async () => {
    h = await createHarness();
    work = tempDir('sb-mcp-gates-');
    service = new McpService({ switchboard: h.switchboard, logger: quiet, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => work, guard: () => {} });
    client = await connectHttp((await service.startHttp()).url, service.token(), 'gates-client');
  });
  after(async () => {
    await client.close().catch(() => {});
    await service.dispose();
    await h.cleanup();
  });

  it('lists both tools with their schemas', async () => {
    const { tools } = await client.listTools();
    for (const name of ['gates_status', 'gates_reset']) {
      const tool = tools.find((t) => t.name === name);
      assert.ok(tool, name);
      assert.equal(tool.outputSchema?.type, 'object');
      assert.ok(tool.inputSchema.properties && 'workspace' in tool.inputSchema.properties, name);
    }
  });

  it('gates_status: the breakers of the workspace folder by default, or of the one named', async () => {
    const empty = await call(client, 'gates_status');
    assert.ok(!empty.isError, textOf(empty));
    assert.deepEqual(empty.structuredContent, { breakers: [] });
    assert.equal(textOf(empty), `No gate has run in ${work} yet: no breakers.`);

    const breakers = new Breakers(h.stateDir, work);
    for (let i = 0; i < 5; i++) breakers.record('npm test', false);
    breakers.record('lint', true);
    const status = await call(client, 'gates_status', {});
    const shown = status.structuredContent as { breakers: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(shown), ['breakers']);
    assert.deepEqual(shown.breakers.map((b) => [b.gate_name, b.state, b.failure_count, b.recovery_timeout_secs, b.half_open_calls_remaining]), [['npm test', 'Open', 5, 60, 0], ['lint', 'Closed', 0, 60, 3]]);
    assert.match(String(shown.breakers[0]!.last_failure_at), /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(shown.breakers[1]!.last_failure_at, null);
    assert.equal(textOf(status), `2 gate breaker(s) in ${work}: "npm test" Open.`);

    const other = tempDir('sb-mcp-gates-other-');
    assert.deepEqual((await call(client, 'gates_status', { workspace: other })).structuredContent, { breakers: [] });
  });

  it('gates_reset: one gate or all, saying which, told in the feed; refuses what it cannot do', async () => {
    const breakers = new Breakers(h.stateDir, work);
    for (let i = 0; i < 5; i++) breakers.record('pytest', false);
    const since = h.switchboard.feed.head();

    const one = await call(client, 'gates_reset', { gate: 'pytest' });
    assert.ok(!one.isError, textOf(one));
    const answer = one.structuredContent as { reset: string[]; breakers: { gate_name: string; state: string }[] };
    assert.deepEqual(answer.reset, ['pytest']);
    assert.equal(answer.breakers.find((b) => b.gate_name === 'pytest')?.state, 'Closed');
    assert.equal(textOf(one), 'Reset the breaker of "pytest" (was Open) to Closed.');
    const told = h.switchboard.feed.read(since, { types: ['breaker.reset'] }).events;
    assert.deepEqual(told.map((e) => e.key), [`gate:${workspaceKey(work)}/pytest`]);

    for (let i = 0; i < 5; i++) ['pytest', 'cargo test'].forEach((g) => breakers.record(g, false));
    breakers.record('go test', false);
    const all = await call(client, 'gates_reset', { all: true, workspace: work });
    const reset = (all.structuredContent as { reset: string[] }).reset;
    assert.ok(reset.includes('pytest') && reset.includes('cargo test') && !reset.includes('go test'), reset.join(', '));
    assert.ok(breakers.status().every((b) => b.state === 'Closed'));
    assert.match(textOf(await call(client, 'gates_reset', { all: true })), /^No breaker in .* was open; nothing to reset\.$/);

    const neither = await call(client, 'gates_reset', {});
    assert.equal(neither.isError, true);
    assert.match(textOf(neither), /Which breaker\? Give `gate` \(its name\) or `all: true`/);
    const both = await call(client, 'gates_reset', { gate: 'pytest', all: true });
    assert.match(textOf(both), /Give `gate` or `all`, not both/);
    const unknown = await call(client, 'gates_reset', { gate: 'nope' });
    assert.equal(unknown.isError, true);
    assert.match(textOf(unknown), /Gate "nope" has no breaker in .*\. Its gates with breakers: /);
    const relative = await call(client, 'gates_status', { workspace: 'some/folder' });
    assert.equal(relative.isError, true);
    assert.match(textOf(relative), /gates_status: `workspace`: must be an absolute path/);
  });
});
