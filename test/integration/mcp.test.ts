/**
 * The MCP server with real clients: the official SDK client over HTTP (the server in this process,
 * as the extension hosts it) and over stdio (the built `switchboard mcp --stdio` in a child
 * process over the same state folder), against real agent processes.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { treeMembers } from '../../src/core/proc/killTree';
import type { RunRegistry } from '../../src/core/registry/registry';
import { StateMap } from '../../src/core/state/stateMap';
import { withFairLock } from '../../src/core/store/fairLock';
import { OPERATIONS as TOOLS } from '../../src/ops/operations';
import { McpService } from '../../src/mcp/mcpService';
import { doctorOf } from '../support/cliChild';
import { call, connectHttp, connectStdio, textOf, type TransportKind } from '../support/mcpClients';
import { makeRepo } from '../support/gitRepo';
import { createHarness, fakeClaude, fakeCommand, pidAlive, ROOT, tempDir, until, type Harness } from '../support/harness';

const TOOL_NAMES = [
  'run_agent', 'list_agents', 'get_agent_status', 'stream_agent_output', 'wait_agent', 'steer_agent', 'approve_agent', 'interrupt_agent', 'kill_agent',
  'run_diff', 'run_merge', 'run_cleanup', 'compare_agents', 'compare_show',
  'team_run', 'team_list', 'team_status', 'team_shutdown', 'task_create', 'task_cancel', 'dag_get',
  'goal_create', 'goal_list', 'goal_show', 'goal_proof', 'goal_budget', 'goal_replay', 'goal_pause', 'goal_resume', 'goal_cancel', 'goal_extend_budget', 'goal_cleanup',
  'goal_diagnose', 'goal_recover', 'goal_checkpoints', 'goal_rollback',
  'report_discovery', 'discovery_list', 'discovery_promote', 'discovery_dismiss',
  'merge_status', 'merge_worker', 'team_cleanup',
  'pools_status', 'pools_cleanup', 'gates_status', 'gates_reset', 'doctor', 'get_metrics', 'get_status', 'get_cost',
];

/** Pages through stream_agent_output `limit` events at a time until it is complete, or has caught up with a live run. */
async function streamAll(client: Client, id: string, limit: number): Promise<{ type: string; seq: number; text?: string }[]> {
  const events: { type: string; seq: number; text?: string }[] = [];
  let cursor = 0;
  for (let page = 0; page < 200; page++) {
    const chunk = (await call(client, 'stream_agent_output', { id, cursor, limit })).structuredContent as { events: typeof events; next_cursor: number; complete: boolean };
    events.push(...chunk.events);
    if (chunk.complete || chunk.events.length === 0) break;
    cursor = chunk.next_cursor;
  }
  return events;
}

describe('MCP server', function () {
  this.timeout(60_000);
  let h: Harness;
  let registry: RunRegistry;
  let service: McpService;
  let url: string;
  let token: string;
  let work: string;
  const clients: Client[] = [];

  before(async () => {
    h = await createHarness();
    work = tempDir('sb-mcp-work-');
    // The config file is what the stdio server (a separate CLI process) reads; the in-process registry gets the same.
    const config = { version: 1, runners: { claude: { binary: fakeClaude(1500) } }, killGraceMs: 1500, maxWorkers: 64, pools: { default: { maxWorkers: 64 } } };
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify(config));
    registry = await h.open({ runners: config.runners });
    service = new McpService({ switchboard: h.switchboardOf(registry), logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => doctorOf(h.stateDir), defaultCwd: () => work, guard: () => {} });
    const host = await service.startHttp();
    url = host.url;
    token = service.token();
  });
  after(async () => {
    for (const c of clients.splice(0)) await c.close().catch(() => {});
    await service.dispose();
    await h.cleanup();
  });

  const connect = async (kind: TransportKind, name = `${kind}-client`): Promise<Client> => {
    const client = kind === 'http' ? await connectHttp(url, token, name) : await connectStdio(h.stateDir, name);
    clients.push(client);
    return client;
  };

  for (const kind of ['http', 'stdio'] as const) {
    describe(`over ${kind}`, () => {
      let client: Client;
      before(async () => (client = await connect(kind)));

      it('lists every tool with an input and an output schema', async () => {
        const { tools } = await client.listTools();
        assert.deepEqual(tools.map((t) => t.name).sort(), [...TOOL_NAMES].sort());
        for (const tool of tools) {
          assert.equal(tool.inputSchema.type, 'object', tool.name);
          assert.equal(tool.outputSchema?.type, 'object', tool.name);
          assert.ok(tool.description && tool.description.length > 20, tool.name);
        }
      });

      it('runs an agent, waits for it, and reads its status, output and place in the list', async () => {
        const started = await call(client, 'run_agent', { runner: 'custom', prompt: 'hello over mcp', command: fakeCommand('--sleep', '300'), name: `mcp-${kind}-hello` });
        assert.ok(!started.isError, textOf(started));
        const { id, pid, status } = started.structuredContent as { id: string; pid: number; status: string };
        assert.equal(status, 'running');
        assert.ok(pid > 0);
        assert.match(textOf(started), new RegExp(`Started mcp-${kind}-hello \\(id ${id}, pid ${pid}\\)`));

        const waited = await call(client, 'wait_agent', { id: `mcp-${kind}-hello`, timeout_ms: 20_000 });
        const agent = (waited.structuredContent as { timed_out: boolean; agent: Record<string, unknown> }).agent;
        assert.equal((waited.structuredContent as { timed_out: boolean }).timed_out, false);
        assert.equal(agent.status, 'done');
        assert.equal(agent.exit_code, 0);
        assert.equal(agent.started_by, `mcp:${kind}-client`);
        assert.ok(registry.events(agent.id as string).some((e) => e.type === 'spawn' && e.source === `mcp:${kind}-client`), 'the start is in the run\'s events too');

        const detail = (await call(client, 'get_agent_status', { id: id.slice(0, 6) })).structuredContent!;
        assert.equal(detail.id, id);
        assert.match(String(detail.output_tail), /hello over mcp/);
        assert.equal(detail.cwd, kind === 'http' ? work : process.cwd(), "without cwd: the host's workspace folder, or the stdio server's folder");

        const lines = await streamAll(client, id, 1);
        assert.deepEqual(lines.map((e) => e.type), ['raw'], 'a plain-text runner streams its output lines');
        assert.match(String(lines[0]!.text), /hello over mcp/);

        const list = (await call(client, 'list_agents', { status: 'done', runner: 'custom' })).structuredContent as { count: number; agents: { id: string }[] };
        assert.ok(list.agents.some((a) => a.id === id));
        assert.equal(list.count, list.agents.length);
        const paged = (await call(client, 'list_agents', { limit: 1, offset: 0 })).structuredContent as { count: number; agents: unknown[]; next_offset?: number };
        assert.equal(paged.agents.length, 1);
        assert.equal(paged.next_offset, paged.count > 1 ? 1 : undefined);
      });

      it('pages through every run with next_cursor, none skipped, when a run listed running ends between the pages', async () => {
        const ids: string[] = [];
        for (let i = 0; i < 3; i++) ids.push(((await call(client, 'run_agent', { runner: 'custom', prompt: `paged ${i}`, command: fakeCommand('--sleep', '60000') })).structuredContent as { id: string }).id);
        type Page = { count: number; agents: { id: string; status: string }[]; next_offset?: number; next_cursor?: string };
        const first = (await call(client, 'list_agents', { limit: 1 })).structuredContent as Page;
        assert.equal(first.agents[0]!.id, ids[2], 'running first, newest first');
        // The run on the first page ends: it goes among the finished, and every position before it moves up by one.
        await call(client, 'kill_agent', { id: ids[2]!, force: true });
        await registry.wait(ids[2]!, 10_000);
        const seen = [first.agents[0]!.id];
        for (let cursor = first.next_cursor; cursor !== undefined; ) {
          const page = (await call(client, 'list_agents', { limit: 1, cursor })).structuredContent as Page;
          seen.push(...page.agents.map((a) => a.id));
          cursor = page.next_cursor;
        }
        const all = (await call(client, 'list_agents', { limit: 1000 })).structuredContent as Page;
        assert.deepEqual([...new Set(seen)].sort(), all.agents.map((a) => a.id).sort(), 'every run, each at least once');
        assert.equal(seen[1], ids[1], 'the next running run, which the position after the first page would have skipped');
        assert.equal(seen.filter((id) => id === ids[2]).length, 2, 'the run that ended comes again, ended');
        const mixed = await call(client, 'list_agents', { cursor: first.next_cursor, offset: 1 });
        assert.match(textOf(mixed), /^invalid_argument: list_agents takes `offset` or `cursor`, not both/);
        assert.match(textOf(await call(client, 'list_agents', { cursor: '3' })), /^invalid_argument: list_agents: `cursor`: must be a next_cursor of list_agents/);
        for (const id of ids) await call(client, 'kill_agent', { id, force: true });
      });

      it('answers a run killed by another client before its agent started as that run, killed, not as a failure to start', async () => {
        const killer = await connect('stdio', 'killer');
        const name = `mcp-${kind}-killed-early`;
        const state = new StateMap(h.stateDir);
        const idOf = (): string | undefined => fs.readdirSync(state.runs).find((id) => {
          try {
            return (JSON.parse(fs.readFileSync(state.run(id).record, 'utf8')) as { name: string }).name === name;
          } catch {
            return false;
          }
        });
        // The pools ledger held: the run is recorded, queued, with its plan, and waits to be admitted.
        // Held before run_agent is called: were the server to take it first, the run would start, its plan gone.
        let letGo!: () => void;
        const held = new Promise<void>((resolve) => (letGo = resolve));
        let tookIt!: () => void;
        const taken = new Promise<void>((resolve) => (tookIt = resolve));
        const holding = withFairLock(state.poolLock, () => (tookIt(), held), { what: 'the pools ledger, held by a test' });
        await taken;
        const started = call(client, 'run_agent', { runner: 'custom', prompt: 'never runs', command: fakeCommand('--sleep', '60000'), name });
        let id: string | undefined;
        await until(() => (id = idOf()) !== undefined && fs.existsSync(state.run(id).plan), 10_000, 'the run recorded with its plan');
        // The kill takes its plan, then waits for the ledger too (to free its place); then the ledger is let go, and the run admitted.
        const killing = call(killer, 'kill_agent', { id: name });
        await until(() => !fs.existsSync(state.run(id!).plan), 10_000, 'the kill to take the plan');
        letGo();
        await holding;
        const [answer, killed] = await Promise.all([started, killing]);
        assert.ok(!answer.isError, textOf(answer));
        assert.equal((answer.structuredContent as { status: string }).status, 'killed');
        assert.match(textOf(answer), new RegExp(`^${name} \\(id ${id}\\) ended killed before its agent started: killed by mcp:killer while waiting for a slot`));
        assert.deepEqual(killed.structuredContent, { id, name, killed: true, status: 'killed' });
        const status = await call(client, 'get_agent_status', { id: name });
        const final = status.structuredContent as { status: string; last_error: string };
        assert.deepEqual([final.status, final.last_error], ['killed', 'killed by mcp:killer while waiting for a slot']);
        assert.match(textOf(status), / killed, .* — killed by mcp:killer while waiting for a slot$/, 'the summary says why, as wait_agent\'s does');
      });

      it("says in run_agent's and get_agent_status's text why a run ended, when it did not end done", async () => {
        const started = await call(client, 'run_agent', { runner: 'custom', prompt: 'x', command: "sh -c 'exit 3' {prompt}" });
        const { id, status } = started.structuredContent as { id: string; status: string };
        await call(client, 'wait_agent', { id, timeout_ms: 10_000 });
        // An agent that exits at once has mostly ended by the answer (the record is read after the host has started it): the text says so whenever the status does.
        if (status === 'failed') assert.match(textOf(started), /^Started .*\. It has ended already: .* failed, .* — the agent exited with code 3/);
        else assert.doesNotMatch(textOf(started), /ended already/);
        assert.match(textOf(await call(client, 'get_agent_status', { id })), / failed, .* — the agent exited with code 3/);
      });

      it('lists a run as it is now, never from a text kept of it before', async () => {
        const { id } = (await call(client, 'run_agent', { runner: 'custom', prompt: 'listed while it runs', command: fakeCommand('--sleep', '1500'), name: `mcp-${kind}-listed` })).structuredContent as { id: string };
        type Listed = { id: string; status: string; elapsed_ms: number; exit_code?: number };
        const listed = async (): Promise<Listed> => ((await call(client, 'list_agents', { limit: 1000 })).structuredContent as { agents: Listed[] }).agents.find((a) => a.id === id)!;
        const running = await listed();
        assert.equal(running.status, 'running');
        await new Promise((r) => setTimeout(r, 30));
        assert.ok((await listed()).elapsed_ms > running.elapsed_ms, "a running run's elapsed time moves on");
        await call(client, 'wait_agent', { id, timeout_ms: 20_000 });
        const done = await listed();
        assert.equal(done.status, 'done');
        assert.equal(done.exit_code, 0);
        assert.deepEqual(await listed(), done, 'and finished, the same from its kept text');

        // A page of finished runs is kept while no record changes: a run that ends meanwhile is on the next one.
        const doneIds = async (): Promise<string[]> => ((await call(client, 'list_agents', { status: 'done', limit: 1000 })).structuredContent as { agents: Listed[] }).agents.map((a) => a.id);
        const before = await doneIds();
        assert.deepEqual(await doneIds(), before);
        const next = (await call(client, 'run_agent', { runner: 'custom', prompt: 'listed next', command: fakeCommand(), name: `mcp-${kind}-listed-next` })).structuredContent as { id: string };
        await call(client, 'wait_agent', { id: next.id, timeout_ms: 20_000 });
        assert.deepEqual(await doneIds(), [next.id, ...before]);
      });

      it('steers a live agent, interrupts it, and kills another with its whole tree', async () => {
        const run = (await call(client, 'run_agent', { runner: 'claude', prompt: 'first task' })).structuredContent as { id: string };
        await until(() => registry.events(run.id).some((e) => e.type === 'text'), 10_000, 'the first text');
        const steered = await call(client, 'steer_agent', { id: run.id, message: 'also do this' });
        assert.deepEqual(steered.structuredContent, { id: run.id, name: registry.resolve(run.id).name, delivery: 'live' });
        await until(() => registry.events(run.id).some((e) => e.type === 'text' && e.text === 'ack: also do this'), 10_000, 'the steered turn');
        const interrupted = await call(client, 'interrupt_agent', { id: run.id });
        assert.equal((interrupted.structuredContent as { delivered: string }).delivered, 'protocol');
        const events = registry.events(run.id);
        const streamed = await streamAll(client, run.id, 3);
        assert.deepEqual(streamed.map((e) => e.seq), streamed.map((_, i) => i + 1), 'every parsed event once, in order');
        assert.ok(['spawn', 'session', 'text', 'steer'].every((type) => streamed.some((e) => e.type === type)));
        assert.ok(events.some((e) => e.type === 'steer' && e.source === `mcp:${kind}-client` && e.message === 'also do this'), 'the steer is recorded as coming from this MCP client');
        assert.ok(events.some((e) => e.type === 'control' && e.action === 'interrupt' && e.source === `mcp:${kind}-client`));

        const busy = (await call(client, 'run_agent', { runner: 'custom', prompt: 'x', command: fakeCommand('--grandchild', '--sleep', '30000') })).structuredContent as { id: string };
        await until(() => treeMembers(registry.resolve(busy.id).agent!).length >= 2, 10_000, 'the grandchild');
        const tree = treeMembers(registry.resolve(busy.id).agent!);
        const killed = await call(client, 'kill_agent', { id: busy.id, force: true });
        assert.equal((killed.structuredContent as { killed: boolean }).killed, true);
        assert.equal((killed.structuredContent as { status: string }).status, 'killed');
        await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, 'every process of the tree to die');
        assert.ok(registry.events(busy.id).some((e) => e.type === 'control' && e.action === 'kill' && e.source === `mcp:${kind}-client`));
        const again = await call(client, 'kill_agent', { id: busy.id });
        assert.deepEqual({ killed: (again.structuredContent as { killed: boolean }).killed, error: again.isError ?? false }, { killed: false, error: false });
        await call(client, 'kill_agent', { id: run.id, force: true });
      });

      it('answers bad input with isError naming the field and what was expected, and never throws', async () => {
        const cases: [string, Record<string, unknown>, RegExp][] = [
          ['run_agent', { prompt: 'x' }, /^invalid_argument: run_agent: `runner` is required/],
          ['run_agent', { runner: 'gpt-9', prompt: 'x' }, /`runner` must be one of "claude", "codex", "gemini", "qwen", "opencode", "kilo", "copilot", "cline", "custom", not "gpt-9"/],
          ['run_agent', { runner: 'custom', prompt: '   ' }, /`prompt`: must say what the agent should do/],
          ['run_agent', { runner: 'custom', prompt: 'x', colour: 'red' }, /unknown field `colour`/],
          ['run_agent', { runner: 'custom', prompt: 'x', command: 'no-such-agent-binary {prompt}' }, /^runner_not_installed: .*"no-such-agent-binary" was not found/],
          // What to do, in the words of the caller (fields), not only of the command line (flags).
          ['run_agent', { runner: 'custom', prompt: 'x', command: 'true', cwd: '/no/such/folder' }, /^bad_cwd: The folder \/no\/such\/folder does not exist\. Pass an existing folder: .*`cwd` over MCP/],
          ['run_agent', { runner: 'custom', prompt: 'x' }, /^invalid_argument: The custom runner needs a command template\. Pass .*`command` over MCP/],
          // A folder relative to the server's own (here `src` of the repository, which exists): not what the caller can mean.
          ['run_agent', { runner: 'custom', prompt: 'x', command: 'true', cwd: 'src' }, /^invalid_argument: run_agent: `cwd`: must be an absolute path/],
          ['compare_agents', { prompt: 'x', runners: ['custom'], command: 'true', cwd: 'src' }, /^invalid_argument: compare_agents: `cwd`: must be an absolute path/],
          ['get_agent_status', { id: 'zzzzzzzz-nothing' }, /^unknown_run: /],
          ['get_agent_status', { id: 42 }, /`id` must be a string, not number 42/],
          ['stream_agent_output', { id: 'x', limit: 0 }, /`limit`: /],
          ['wait_agent', {}, /`id` is required/],
          ['steer_agent', { id: 'zzzzzzzz-nothing', message: 'x' }, /^unknown_run: /],
          ['list_agents', { status: 'sleeping' }, /`status` must be one of "queued", "running", "done", "failed", "killed", "orphaned", not "sleeping"/],
          ['list_agents', { limit: 5000 }, /`limit`: /],
          ['list_agents', { runner: 'claud' }, /`runner` must be one of "claude", .*, not "claud"/],
          ['approve_agent', { id: 'x' }, /`allow` is required \(boolean\)/],
          ['approve_agent', { id: 'zzzzzzzz-nothing', allow: true }, /^unknown_run: /],
          ['interrupt_agent', {}, /`id` is required/],
          ['kill_agent', { id: 'x', force: 'yes' }, /`force` must be a boolean, not "yes"/],
          ['doctor', { verbose: true }, /unknown field `verbose`/],
          ['get_metrics', { reset: true }, /unknown field `reset`/],
          ['pools_status', { pool: 'x' }, /unknown field `pool`/],
          ['run_agent', { runner: 'custom', prompt: 'x', command: 'true', pool: '' }, /`pool`: /],
          ['no_such_tool', {}, /^unknown_tool: There is no tool "no_such_tool"/],
        ];
        for (const [tool, args, expected] of cases) {
          const result = await call(client, tool, args);
          assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)}`);
          assert.match(textOf(result), expected);
        }
      });

      it('answers pools_status and pools_cleanup', async () => {
        const status = (await call(client, 'pools_status')).structuredContent as { max_workers: number; pools: { name: string; max_workers: number; admitted: number }[] };
        assert.equal(status.max_workers, 64);
        assert.ok((status.pools.find((p) => p.name === 'default')?.admitted ?? 0) >= 2, JSON.stringify(status));
        const cleaned = await call(client, 'pools_cleanup');
        assert.deepEqual(Object.keys(cleaned.structuredContent!), ['freed_slots', 'removed_from_line']);
      });

      it('answers doctor and get_metrics, counting calls and errors', async () => {
        const doctor = (await call(client, 'doctor')).structuredContent as { state_dir: string; runners: { runner: string; installed: boolean }[]; server: { clients: { name: string }[]; url?: string } };
        assert.equal(doctor.state_dir, h.stateDir);
        assert.ok(doctor.runners.find((r) => r.runner === 'claude')?.installed);
        assert.ok(doctor.server.clients.some((c) => c.name === `${kind}-client`));
        if (kind === 'http') assert.equal(doctor.server.url, url);
        const answer = (await call(client, 'get_metrics')).structuredContent as { metrics: Record<string, number>; runs: { total: number }; process: { by_tool: Record<string, { calls: number; errors: number }> } };
        const m = answer.metrics;
        assert.ok(m.total_mcp_calls! >= 28 && m.total_mcp_errors! >= 20, JSON.stringify(answer));
        assert.ok(answer.process.by_tool.run_agent!.errors >= 6);
        assert.ok(m.total_runs! >= 3 && m.total_kills! >= 2 && answer.runs.total >= 3, JSON.stringify(answer));
      });

      it('serves the run list and each run output as resources, and notifies subscribers of new output', async () => {
        // It prints for 20 s: long enough that it still prints once subscribed however loaded the machine is (it is killed before then).
        const run = (await call(client, 'run_agent', { runner: 'custom', prompt: 'x', command: fakeCommand('--lines', '400', '--every', '50') })).structuredContent as { id: string };
        const updates: string[] = [];
        client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updates.push(n.params.uri));
        await client.subscribeResource({ uri: `switchboard://agents/${run.id}/output` });
        await until(() => updates.length >= 2, 10_000, 'two output notifications');
        assert.ok(updates.every((u) => u === `switchboard://agents/${run.id}/output`));
        const { resources } = await client.listResources();
        assert.ok(resources.some((r) => r.uri === 'switchboard://agents'));
        assert.ok(resources.some((r) => r.uri === `switchboard://agents/${run.id}/output`));
        const list = await client.readResource({ uri: 'switchboard://agents' });
        assert.ok(JSON.parse(String((list.contents[0] as { text: string }).text)).agents.some((a: { id: string }) => a.id === run.id));
        const output = await client.readResource({ uri: `switchboard://agents/${run.id}/output` });
        assert.match(String((output.contents[0] as { text: string }).text), /line 2 of a busy agent/);
        await call(client, 'kill_agent', { id: run.id, force: true });
        await client.unsubscribeResource({ uri: `switchboard://agents/${run.id}/output` });
        await assert.rejects(client.readResource({ uri: 'switchboard://agents/%/output' }), /"%" in the resource's URI is not valid percent-encoding/);
      });

      it('serves ten clients at once', async () => {
        const many = await Promise.all(Array.from({ length: 10 }, (_, i) => connect(kind, `${kind}-many-${i}`)));
        const results = await Promise.all(
          many.map(async (c, i) => {
            const run = (await call(c, 'run_agent', { runner: 'custom', prompt: `client ${i}`, command: fakeCommand('--sleep', '200') })).structuredContent as { id: string };
            const waited = (await call(c, 'wait_agent', { id: run.id, timeout_ms: 30_000 })).structuredContent as { agent: { status: string; started_by: string } };
            const listed = await call(c, 'list_agents', {});
            return { status: waited.agent.status, by: waited.agent.started_by, listed: !listed.isError };
          }),
        );
        assert.deepEqual(results, many.map((_, i) => ({ status: 'done', by: `mcp:${kind}-many-${i}`, listed: true })));
        for (const c of many) await c.close();
      });
    });
  }

  it('wait_agent reports progress while it waits, and says timed_out when the run goes on', async () => {
    const client = await connect('http', 'progress-client');
    const run = (await call(client, 'run_agent', { runner: 'custom', prompt: 'x', command: fakeCommand('--sleep', '30000') })).structuredContent as { id: string };
    const progress: string[] = [];
    const result = await client.callTool({ name: 'wait_agent', arguments: { id: run.id, timeout_ms: 5_600 } }, undefined, { onprogress: (p) => void progress.push(String(p.message)) });
    assert.equal((result.structuredContent as { timed_out: boolean }).timed_out, true);
    assert.match(textOf(result as never), /^timed_out: /);
    assert.ok(progress.length >= 1, 'a progress notification arrived');
    assert.match(progress[0]!, /running/);
    await call(client, 'kill_agent', { id: run.id, force: true });
  });

  it('answers goal_replay, goal_budget, goal_diagnose, goal_recover (applied) and goal_rollback for a goal that fails the same way', async function () {
    this.timeout(180_000);
    const goals = h.switchboardOf(registry).goals;
    const client = await connect('http', 'goal-forensics');
    const config = registry.config;
    registry.updateConfig({ ...config, runners: { ...config.runners, custom: { command: `'${process.execPath}' '${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}' --sleep 300 {prompt}` } } });
    const stuck = { name: 'unit', command: `'${process.execPath}' -e "console.log('FAIL parser.test.ts: expected 3, got 4'); process.exit(1)"` };
    const created = (await call(client, 'goal_create', { objective: 'make the parser right', cwd: makeRepo(), tasks: [{ title: 'fix the parser' }], runner: 'custom', until_ready: true, max_iterations: 6, max_agents: 1, gates: [stuck] })).structuredContent as { goal_id: string };
    const id = created.goal_id;
    try {
      await until(() => goals.get(id).stagnation?.kind === 'RepeatedFailure', 90_000, 'RepeatedFailure to be found');
      const diagnosis = (await call(client, 'goal_diagnose', { goal_id: id })).structuredContent as { stagnant: boolean; diagnosis: { primary: { kind: string } | null } };
      assert.deepEqual(Object.keys(diagnosis), ['goal_id', 'stagnant', 'confidence', 'diagnosis', 'recommended_action', 'metrics_window']);
      assert.deepEqual([diagnosis.stagnant, diagnosis.diagnosis.primary?.kind], [true, 'RepeatedFailure']);

      const recovered = (await call(client, 'goal_recover', { goal_id: id, apply: true })).structuredContent as { applied: boolean; actions: { kind: string }[]; results: string[] };
      assert.deepEqual([recovered.applied, recovered.actions.map((a) => a.kind)], [true, ['split_task', 'switch_runner']], 'claude is installed here to switch to');
      assert.match(recovered.results[0]!, /now starts from T\d+, which finds the cause/);

      const budget = (await call(client, 'goal_budget', { goal_id: id })).structuredContent as { checkpoints: { label: string; phase: string }[]; latest: unknown };
      assert.deepEqual(Object.keys(budget), ['version', 'goal_id', 'generated_at', 'budget_time', 'total_budget_secs', 'budget_tokens', 'used_tokens', 'remaining_budget_tokens', 'budget_usd', 'estimated_cost_usd', 'remaining_budget_usd', 'latest', 'checkpoints', 'spent_usd', 'spent_tokens', 'spent_seconds', 'breakdown']);
      assert.deepEqual(budget.checkpoints.slice(0, 4).map((c) => c.label), ['goal_created', 'iteration_started', 'iteration_ended', 'iteration_started']);
      assert.ok(budget.checkpoints.filter((c) => c.label === 'iteration_started').every((c) => c.phase === 'execution'));

      const rolled = (await call(client, 'goal_rollback', { goal_id: id, to: 'cp-1' })).structuredContent as { checkpoint: { id: string }; iteration: number };
      assert.deepEqual([rolled.checkpoint.id, rolled.iteration], ['cp-1', 1]);
      const replay = (await call(client, 'goal_replay', { goal_id: id })).structuredContent as { goal_id: string; timeline: { kind: string; summary: string }[] };
      assert.deepEqual(Object.keys(replay), ['version', 'goal_id', 'status', 'phase', 'generated_at', 'event_count', 'task_graph_summary', 'timeline', 'recovery_status', 'known_gaps', 'duplicate_events', 'parse_failures']);
      const kinds = replay.timeline.map((e) => e.kind);
      for (const kind of ['goal_created', 'iteration_failed', 'stagnation_detected', 'recovery_applied', 'rollback']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(' ')}`);
      assert.ok(kinds.indexOf('recovery_applied') < kinds.lastIndexOf('rollback'));
      const last = (await call(client, 'goal_replay', { goal_id: id, last: 2 })).structuredContent as { timeline: unknown[] };
      assert.equal(last.timeline.length, 2);
    } finally {
      await call(client, 'goal_cancel', { goal_id: id });
      await goals.settled(id);
      registry.updateConfig(config);
    }
  });

  it('a run started over stdio is the same run the HTTP server and the in-process registry see', async () => {
    const stdio = await connect('stdio', 'stdio-cross');
    const http = await connect('http', 'http-cross');
    const run = (await call(stdio, 'run_agent', { runner: 'custom', prompt: 'shared', command: fakeCommand('--sleep', '2000'), cwd: work })).structuredContent as { id: string };
    await until(() => registry.list().some((r) => r.id === run.id && r.status === 'running'), 10_000, 'the in-process registry to see it');
    const seen = (await call(http, 'get_agent_status', { id: run.id })).structuredContent!;
    assert.equal(seen.status, 'running');
    const killed = (await call(http, 'kill_agent', { id: run.id })).structuredContent as { killed: boolean };
    assert.equal(killed.killed, true);
    const after = (await call(stdio, 'wait_agent', { id: run.id, timeout_ms: 10_000 })).structuredContent as { agent: { status: string } };
    assert.equal(after.agent.status, 'killed');
    assert.equal(TOOLS.length, TOOL_NAMES.length);
  });
});
