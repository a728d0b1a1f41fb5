/**
 * A real Claude Code (pinned, against the scripted Anthropic provider) given Switchboard's MCP
 * server on its command line: the model calls run_agent, then wait_agent, so one agent starts
 * another through Switchboard and waits for it to finish.
 */
import * as assert from 'node:assert/strict';
import { mergeConfig } from '../../src/core/config';
import type { RunRegistry } from '../../src/core/registry/registry';
import { Switchboard } from '../../src/core/switchboard';
import type { AgentEvent } from '../../src/core/runs/types';
import { McpService } from '../../src/mcp/mcpService';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import { createHarness, fakeCommand, SUPERVISOR, tempDir, type Harness } from '../support/harness';

describe('a real Claude Code drives Switchboard through MCP', function () {
  this.timeout(180_000);
  let h: Harness;
  let cli: OfflineCli | undefined;
  let service: McpService | undefined;
  let registry: RunRegistry | undefined;
  let sb: Switchboard | undefined;

  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => {
    await service?.dispose();
    sb?.dispose();
    await h.cleanup();
    await cli?.provider.close();
  });

  it('calls run_agent then wait_agent: an agent starts another agent and waits for it', async () => {
    const work = tempDir('sb-mcp-claude-work-');
    cli = await offlineCli('claude', tempDir('sb-mcp-claude-home-'), (r) => {
      if (r.turn === 0) {
        return { kind: 'tool', name: 'mcp__switchboard__run_agent', input: { runner: 'custom', prompt: 'the child task', name: 'child-of-claude', command: fakeCommand('--sleep', '1500'), cwd: work } };
      }
      if (r.turn === 1) return { kind: 'tool', name: 'mcp__switchboard__wait_agent', input: { id: 'child-of-claude', timeout_ms: 30_000 } };
      return { kind: 'text', text: 'The helper agent finished.' };
    });
    // As the extension and the CLI open it: agents whose CLI takes an MCP server get this one. The agents
    // run at normal priority, as the harness's do: at nice 19 a loaded machine starves the real CLI for minutes.
    sb = await Switchboard.open({
      stateDir: h.stateDir,
      config: mergeConfig({ agentNiceness: 0, runners: { claude: { binary: agentCliBinary('claude') } } }),
      supervisorScript: SUPERVISOR,
      env: { ...process.env, ...cli.env },
      agentMcp: async () => ({ url: (await service!.startHttp()).url, token: service!.token() }),
    });
    registry = sb.runs;
    service = new McpService({ switchboard: sb, logger: { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) }, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => work, guard: () => {} });
    const token = service.token();

    const parent = await registry.run({ runner: 'claude', prompt: 'Start a helper agent and wait for it', cwd: work });
    const { record } = await registry.wait(parent.id, 150_000);
    assert.equal(record.status, 'done', record.lastError);

    const child = registry.resolve('child-of-claude');
    assert.equal(child.status, 'done');
    assert.equal(child.startedBy, 'mcp:claude-code', 'the child is recorded as started by Claude Code through MCP');
    assert.equal(registry.tail(child.id), 'the child task\n');

    const events = registry.events(parent.id);
    const calls = events.filter((e): e is Extract<AgentEvent, { type: 'tool_call' }> => e.type === 'tool_call').map((e) => e.name);
    assert.deepEqual(calls, ['mcp__switchboard__run_agent', 'mcp__switchboard__wait_agent']);
    const results = events.filter((e): e is Extract<AgentEvent, { type: 'tool_result' }> => e.type === 'tool_result');
    assert.equal(results.length, 2);
    assert.ok(results.every((r) => !r.isError), JSON.stringify(results));
    // Claude Code hands the model the structured content.
    assert.equal(JSON.parse(results[0]!.output).name, 'child-of-claude');
    const waited = JSON.parse(results[1]!.output) as { timed_out: boolean; agent: { name: string; status: string } };
    assert.deepEqual([waited.timed_out, waited.agent.name, waited.agent.status], [false, 'child-of-claude', 'done']);
    assert.ok(events.some((e) => e.type === 'text' && e.text.includes('The helper agent finished.')));

    const commandLine = record.commandLine.join(' ');
    assert.match(commandLine, /--mcp-config .*"url":"http:\/\/127\.0\.0\.1:\d+\/mcp".*\$\{SWITCHBOARD_MCP_TOKEN\}/);
    assert.ok(!commandLine.includes(token), 'the token is never on the command line');
  });
});
