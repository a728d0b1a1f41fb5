/**
 * A real Claude Code (pinned, against the scripted Anthropic provider) given Switchboard's MCP
 * server on its command line: the model calls run_agent, then wait_agent, so one agent starts
 * another through Switchboard and waits for it to finish.
 */
import * as assert from 'node:assert/strict';
import type { AgentEvent } from '../../src/core/runs/types';
import { agentMcpSuite } from '../support/agentMcp';
import { fakeCommand, tempDir } from '../support/harness';

describe('a real Claude Code drives Switchboard through MCP', function () {
  this.timeout(180_000);
  const { served } = agentMcpSuite();

  it('calls run_agent then wait_agent: an agent starts another agent and waits for it', async () => {
    const work = tempDir('sb-mcp-claude-work-');
    const { sb, token } = await served('claude', (r) => {
      if (r.turn === 0) {
        return { kind: 'tool', name: 'mcp__switchboard__run_agent', input: { runner: 'custom', prompt: 'the child task', name: 'child-of-claude', command: fakeCommand('--sleep', '1500'), cwd: work } };
      }
      if (r.turn === 1) return { kind: 'tool', name: 'mcp__switchboard__wait_agent', input: { id: 'child-of-claude', timeout_ms: 30_000 } };
      return { kind: 'text', text: 'The helper agent finished.' };
    });
    const registry = sb.runs;

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
