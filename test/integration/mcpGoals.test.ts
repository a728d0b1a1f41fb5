/**
 * The goal and gate tools over MCP (the SDK client over HTTP, against real git, gates and scripted
 * agents): a goal created, listed, shown, proven ready, its worktree removed; another paused, extended, resumed and
 * cancelled; a workspace's breakers shown and reset.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { McpService } from '../../src/mcp/mcpService';
import { doctorOf } from '../support/cliChild';
import { makeRepo } from '../support/gitRepo';
import { createHarness, ROOT, tempDir, until, type Harness } from '../support/harness';
import { call, connectHttp } from '../support/mcpClients';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');

describe('goal and gate tools over MCP', function () {
  this.timeout(120_000);
  let h: Harness;
  let service: McpService;
  let client: Client;
  let workspace: string;

  before(async () => {
    h = await createHarness({ runners: { custom: { command: `'${process.execPath}' '${WORKER}' {prompt}` } } });
    workspace = makeRepo();
    service = new McpService({ switchboard: h.switchboard, logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => doctorOf(h.stateDir), defaultCwd: () => workspace, guard: () => {} });
    client = await connectHttp((await service.startHttp()).url, service.token(), 'goals-client');
  });
  after(async () => {
    await client?.close().catch(() => {});
    await service?.dispose();
    await h.cleanup();
  });

  const structured = async (name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> => {
    const result = await call(client, name, args);
    assert.ok(!result.isError, `${name}: ${JSON.stringify(result.content)}`);
    return result.structuredContent!;
  };

  it('creates a goal, lists and shows it, and proves it ready; the gates it ran have breakers to show and reset', async () => {
    const goal = await structured('goal_create', { objective: 'make T1', runner: 'custom', tasks: [{ title: 'the part' }], gates: [{ name: 'ok', command: 'true' }], budget_usd: 5 });
    const id = goal.goal_id as string;
    assert.deepEqual([goal.status, goal.workspace, goal.budget_usd], ['running', workspace, 5]);
    assert.ok(((await structured('goal_list', {})).goals as { goal_id: string }[]).some((g) => g.goal_id === id));
    await h.switchboard.goals.settled(id);
    assert.equal((await structured('goal_show', { goal_id: id })).status, 'ready');
    const proof = await structured('goal_proof', { goal_id: id });
    assert.deepEqual([proof.status, (proof.gates as { name: string; passed: boolean }[]).map((g) => [g.name, g.passed]), proof.changed_files], ['ready', [['ok', true]], ['T1.txt']]);
    // Its worktree removed: the proof stays, read from the branch.
    const cleaned = await structured('goal_cleanup', { goal_id: id });
    assert.deepEqual((cleaned.worktrees as { worktree: string; removed: boolean }[]).map((w) => [w.worktree, w.removed]), [['goal', true]]);
    assert.deepEqual((await structured('goal_proof', { goal_id: id })).changed_files, ['T1.txt']);
    const status = await structured('gates_status', { workspace });
    assert.deepEqual((status.breakers as { gate_name: string; state: string }[]).map((b) => [b.gate_name, b.state]), [['ok', 'Closed']]);
    const reset = await call(client, 'gates_reset', { workspace, gate: 'ok' });
    assert.deepEqual(reset.structuredContent?.reset, []);
    const refused = await call(client, 'gates_reset', { workspace });
    assert.equal(refused.isError, true, 'neither gate nor all');
    const before = (await structured('goal_list', {})).count;
    const twice = await call(client, 'goal_create', { objective: 'two of a name', runner: 'custom', tasks: [{ title: 'x' }], gates: [{ name: 'ok', command: 'true' }, { name: 'ok', command: 'false' }] });
    assert.equal(twice.isError, true);
    assert.match(JSON.stringify(twice.content), /Two gates are named \\"ok\\"/);
    assert.equal((await structured('goal_list', {})).count, before, 'no goal was made');
  });

  it('pauses, extends, resumes and cancels a goal at work', async () => {
    const hold = path.join(tempDir('sb-mcp-goal-hold-'), 'go');
    const goal = await structured('goal_create', { objective: 'held work', runner: 'custom', tasks: [{ title: 'held', description: `hold until ${hold}` }], gates: [{ name: 'ok', command: 'true' }], budget_usd: 1 });
    const id = goal.goal_id as string;
    await until(() => h.registry.list({ goal: id }).some((r) => r.status === 'running'), 30_000, 'its agent to run');
    assert.equal((await structured('goal_pause', { goal_id: id })).status, 'paused');
    assert.equal((await structured('goal_extend_budget', { goal_id: id, usd: 2 })).budget_usd, 3);
    assert.equal((await structured('goal_resume', { goal_id: id })).status, 'running');
    await until(() => h.registry.list({ goal: id }).some((r) => r.status === 'running'), 30_000, 'its agent to run again');
    assert.equal((await structured('goal_cancel', { goal_id: id })).status, 'cancelled');
    fs.writeFileSync(hold, '');
    await until(() => h.registry.list({ goal: id }).every((r) => r.status !== 'running'), 20_000, 'its agents to stop');
  });
});
