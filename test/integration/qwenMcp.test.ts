/**
 * Qwen Code runs Switchboard starts get Switchboard's MCP server, the REAL CLI (pinned, against the
 * scripted Chat Completions provider): a Qwen Code worker of a team calls list_agents through its
 * `tool_call` bridge (Qwen offers MCP tools found after its start that way; the function response its
 * model gets lists its own run, by id) and then report_discovery by its own name, which is filed under the
 * run's team and task (the X-Switchboard-Run header names the run). The server is in a system settings
 * file that names the variables, which Qwen Code expands from its environment: the token is in no file,
 * the state folder's or that one, and not on the command line.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ownTempFolder } from '../../src/core/runners/ownTempFolder';
import { agentMcpSuite, assertReportedAsRun, DISCOVERY, scoutRun, scoutTeam } from '../support/agentMcp';

describe('Qwen Code runs get Switchboard\'s MCP server', function () {
  this.timeout(240_000);
  const { served, assertListedItself, assertTokenKept } = agentMcpSuite();

  it('a real Qwen Code in a team lists the agents (its own run among them) and reports a discovery as its run', async () => {
    const { sb, token, url } = await served('qwen', (r) => {
      if (r.turn === 0) return { kind: 'tool', name: 'tool_call', input: { name: 'mcp__switchboard__list_agents', arguments: {} } };
      if (r.turn === 1) return { kind: 'tool', name: 'mcp__switchboard__report_discovery', input: DISCOVERY };
      return { kind: 'text', text: 'T1 is done; I reported what I found.' };
    }, scoutTeam('qwen'));
    // The folder of the system settings files Switchboard writes for Qwen Code (made by the first).
    const overlays = (): string[] => {
      const dir = ownTempFolder('switchboard-qwen-settings', false);
      return dir ? fs.readdirSync(dir).map((f) => path.join(dir, f)) : [];
    };
    const holding = (text: string): string[] => overlays().filter((f) => fs.readFileSync(f, 'utf8').includes(text));
    try {
      const run = await scoutRun(sb);
      assert.equal(run.status, 'done');
      assertListedItself(run);
      assertReportedAsRun(sb, run);
      assert.match(run.commandLine.join(' '), /--allowed-tools mcp__switchboard(?: |$)/, 'its Switchboard tools run without asking');
      assert.ok(!run.commandLine.includes('--mcp-config'), 'nothing of the server on its command line');
      assertTokenKept(run, token);
      // They name the variables only.
      assert.deepEqual(holding(token), [], 'no settings file holds the token');
      assert.equal(holding(url).length, 1, 'one settings file gave the server');
      // Qwen Code rewrites a settings file without its schema's version (moving it aside for a moment, while other workers may start).
      assert.equal(fs.statSync(holding(url)[0]!).mode & 0o777, 0o600, 'Qwen Code left it as written');
    } finally {
      // Its name is its content's, the server's port in it: no other run's.
      for (const file of holding(url)) fs.rmSync(file);
    }
  });
});
