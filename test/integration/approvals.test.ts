/**
 * Host approvals with the real Claude Code (against the scripted provider): a tool call its
 * permission mode withholds is asked of Switchboard, the run shows it waits, and a person's answer
 * (allow or deny) reaches the agent. Outside the work folder, even acceptEdits asks about `touch`.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { McpService } from '../../src/mcp/mcpService';
import { realCliSuite } from '../support/agentClis';
import { call, connectHttp } from '../support/mcpClients';
import { tempDir, until } from '../support/harness';

describe('host approvals with the real Claude Code', function () {
  this.timeout(120_000);
  const suite = realCliSuite('claude');

  async function touching(target: string) {
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'shell', command: `touch ${target}` }));
    const run = await registry.run({ runner: 'claude', prompt: 'Touch the file', cwd: suite.work, hostApprovals: true });
    await until(() => !!registry.resolve(run.id).waiting, 60_000, 'the approval request');
    return { registry, run };
  }

  it('asks about a withheld tool call, shows the run waiting, and runs it once allowed', async () => {
    const target = path.join(tempDir('sb-approval-outside-'), 'made.txt');
    const { registry, run } = await touching(target);
    const waiting = registry.resolve(run.id).waiting!;
    assert.equal(waiting.tool, 'Bash');
    assert.equal(waiting.reason, `approval to use Bash: touch ${target}`);
    assert.equal(registry.resolve(run.id).status, 'running');
    assert.equal(fs.existsSync(target), false, 'nothing ran before the answer');
    assert.deepEqual(await registry.approve(run.id, true, 'test'), { tool: 'Bash', allow: true });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(record.waiting, undefined);
    assert.ok(fs.existsSync(target), 'the allowed command ran');
    assert.ok(registry.events(run.id).some((e) => e.type === 'approval' && e.allow && e.source === 'test'));
    await assert.rejects(registry.approve(run.id, true, 'test'), (e: SwitchboardError) => e.code === 'not_running');
  });

  it('a denied tool call does not run, and the agent is told why', async () => {
    const target = path.join(tempDir('sb-approval-outside-'), 'made.txt');
    const { registry, run } = await touching(target);
    assert.deepEqual(await registry.approve(run.id, false, 'test', 'not today'), { tool: 'Bash', allow: false });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(target), false);
    const events = registry.events(run.id);
    assert.ok(events.some((e) => e.type === 'tool_result' && e.isError && e.output.includes('not today')), 'the agent got the reason');
    assert.ok(events.some((e) => e.type === 'approval' && !e.allow && e.message === 'not today'));
  });

  it('an MCP client sees the run waiting and answers it with approve_agent', async () => {
    const target = path.join(tempDir('sb-approval-outside-'), 'made.txt');
    const { registry, run } = await touching(target);
    const service = new McpService({ switchboard: suite.switchboardOf(registry), logger: { trace() {}, info() {}, warn() {}, error() {} }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => suite.work, guard: () => {} });
    try {
      const client = await connectHttp((await service.startHttp()).url, service.token(), 'orchestrator');
      const listed = (await call(client, 'list_agents', { status: 'running' })).structuredContent as { agents: { id: string; waiting?: string }[] };
      assert.equal(listed.agents.find((a) => a.id === run.id)?.waiting, `approval to use Bash: touch ${target}`);
      const answered = await call(client, 'approve_agent', { id: run.id, allow: true });
      assert.deepEqual(answered.structuredContent, { id: run.id, name: run.name, tool: 'Bash', allow: true });
      const again = await call(client, 'approve_agent', { id: run.id, allow: true });
      assert.equal(again.isError, true, 'nothing is waiting any more (or the run ended)');
      await client.close();
    } finally {
      await service.dispose();
    }
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.ok(fs.existsSync(target));
    assert.ok(registry.events(run.id).some((e) => e.type === 'approval' && e.allow && e.source === 'mcp:orchestrator'));
  });

  it('without host approvals the CLI denies such a call itself and nobody is asked', async () => {
    const target = path.join(tempDir('sb-approval-outside-'), 'made.txt');
    const registry = await suite.registryFor((r) => (r.afterToolResult ? { kind: 'text', text: 'all done' } : { kind: 'shell', command: `touch ${target}` }));
    const run = await registry.run({ runner: 'claude', prompt: 'Touch the file', cwd: suite.work });
    const { record } = await registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(target), false);
    assert.ok(!registry.events(run.id).some((e) => e.type === 'waiting'));
  });
});
