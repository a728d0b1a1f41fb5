/**
 * Agents Switchboard starts over ACP get Switchboard's MCP server in their `session/new`, each the
 * REAL CLI (pinned, against its scripted provider). A Gemini CLI worker of a team calls list_agents
 * (the function response its model gets lists its own run, by id) and then report_discovery with only
 * a title and description: the server knows the calling run from the X-Switchboard-Run header, so the
 * discovery is filed under the run's team and task. opencode, Kilo and the Copilot CLI call
 * list_agents the same way. The token reaches an agent only on its stdin: it is in none of the state
 * folder's files and not on the command line.
 */
import * as assert from 'node:assert/strict';
import { agentMcpSuite, assertReportedAsRun, DISCOVERY, offeredTools, scoutRun, scoutTeam } from '../support/agentMcp';
import { tempDir } from '../support/harness';

describe('agents started over ACP get Switchboard\'s MCP server', function () {
  this.timeout(240_000);
  const { served, assertListedItself, assertTokenKept } = agentMcpSuite();

  it('a real Gemini CLI in a team lists the agents (its own run among them) and reports a discovery as its run', async () => {
    const { sb, token } = await served('gemini', (r) => {
      if (r.turn === 0) return { kind: 'tool', name: 'mcp_switchboard_list_agents', input: {} };
      if (r.turn === 1) return { kind: 'tool', name: 'mcp_switchboard_report_discovery', input: DISCOVERY };
      return { kind: 'text', text: 'T1 is done; I reported what I found.' };
    }, { runners: { gemini: { protocol: 'acp' } }, ...scoutTeam('gemini') });
    const run = await scoutRun(sb);
    // Gemini CLI stays after its input is closed while the server's event stream is open: it is retired, its work done.
    assert.deepEqual([run.status, run.protocol], ['done', 'acp']);
    assertListedItself(run);
    assertReportedAsRun(sb, run);
    assert.match(run.commandLine.join(' '), /--allowed-tools mcp_switchboard_\*/, 'its Switchboard tools run without asking');
    assertTokenKept(run, token);
  });

  for (const runner of ['opencode', 'kilo', 'copilot']) {
    it(`a real ${runner} CLI over ACP lists the agents, its own run among them`, async () => {
      const { sb, token } = await served(runner, (r) => {
        // opencode's and Kilo's are `switchboard_<tool>`, the Copilot CLI's `switchboard-<tool>` (its own list_agents is another tool).
        const tool = offeredTools(r).find((n) => /^switchboard[-_]list_agents$/.test(n));
        return r.turn === 0 && tool ? { kind: 'tool', name: tool, input: {} } : { kind: 'text', text: 'Listed.' };
      }, { runners: { [runner]: { protocol: 'acp' } } });
      const started = await sb.runs.run({ runner, prompt: 'Which agents are there?', cwd: tempDir(`sb-acpmcp-${runner}-work-`) });
      const { record: run } = await sb.runs.wait(started.id, 100_000);
      assert.deepEqual([run.status, run.protocol], ['done', 'acp'], run.lastError);
      assertListedItself(run);
      assertTokenKept(run, token);
    });
  }
});
