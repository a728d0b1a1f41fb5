/**
 * In-host: Switchboard's language model tools as VS Code lists and invokes them
 * (`vscode.lm.tools`, `vscode.lm.invokeTool`), each a view onto its operation, with real runs behind.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { OPERATIONS } from '../../src/ops/operations';
import { toolName } from '../../src/chat/toolManifest';
import { agentRow, EXTENSION_ID, invokeTool, killRunning, startAgent, structuredOf } from './support/host';

interface ToolContribution { name: string; inputSchema: unknown; tags?: string[] }

const switchboardTools = (): readonly vscode.LanguageModelToolInformation[] => vscode.lm.tools.filter((t) => t.name.startsWith('switchboard_'));

describe('Language model tools (in the extension host)', () => {
  afterEach(killRunning);

  it('vscode.lm.tools lists one tool per operation, each with the input schema package.json contributes', () => {
    const listed = switchboardTools();
    assert.deepEqual(listed.map((t) => t.name).sort(), OPERATIONS.map(toolName).sort());
    const contributed = (vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { contributes: { languageModelTools: ToolContribution[] } }).contributes.languageModelTools;
    for (const tool of listed) {
      const contribution = contributed.find((c) => c.name === tool.name);
      assert.ok(contribution, `${tool.name} is not in package.json`);
      assert.deepEqual(tool.inputSchema, contribution.inputSchema, `${tool.name}'s input schema`);
    }
  });

  it('get_status answers with the runs, teams and goals in one line and the figures as JSON', async () => {
    const text = await invokeTool('switchboard_get_status', {});
    assert.match(text.split('\n')[0]!, /^\d+ running, \d+ queued; \d+ team\(s\) and \d+ goal\(s\) at work; \$\d+\.\d\d today\.$/);
    const status = structuredOf<{ version: string; runs: { total: number } }>(text);
    const { version } = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as { version: string };
    assert.equal(status.version, version);
  });

  it('run_agent starts a real agent that the Agents view shows; wait_agent and get_agent_status tell its end and output', async () => {
    const started = await startAgent('tool-started agent');
    assert.match(started.id, /\S/);
    await agentRow(started.id);
    const waited = await invokeTool('switchboard_wait_agent', { id: started.id, timeout_ms: 20_000 });
    assert.ok(waited.includes(started.name) && waited.includes('done'), waited);
    const status = structuredOf<{ status: string; output_tail: string; command_line: string[] }>(await invokeTool('switchboard_get_agent_status', { id: started.name }));
    assert.equal(status.status, 'done');
    assert.ok(status.output_tail.includes('tool-started agent'), status.output_tail);
    assert.ok(status.command_line.some((a) => a.endsWith('fakeAgent.mjs')), status.command_line.join(' '));
  });

  it('list_agents counts the runs by status, as the Agents view has them', async () => {
    const started = await startAgent('listed while running', '--sleep', '60000');
    await agentRow(started.id, (r) => r.status === 'running');
    const text = await invokeTool('switchboard_list_agents', {});
    assert.match(text.split('\n')[0]!, /^\d+ agents?: .*\d+ running/);
    assert.ok(text.includes(started.id), 'the run is listed');
  });

  it('bad input is answered with an error naming the field and what to do, and starts nothing', async () => {
    const before = structuredOf<{ runs: { total: number } }>(await invokeTool('switchboard_get_status', {})).runs.total;
    const text = await invokeTool('switchboard_run_agent', { runner: 'custom', prompt: '   ' });
    assert.match(text, /^Error \(/);
    assert.match(text, /prompt/);
    assert.equal(structuredOf<{ runs: { total: number } }>(await invokeTool('switchboard_get_status', {})).runs.total, before);
  });

  it('steer_agent on a custom command is refused with what to do instead, and the agent runs on', async () => {
    const started = await startAgent('not steerable', '--sleep', '60000');
    await agentRow(started.id, (r) => r.status === 'running' && !!r.agent);
    const text = await invokeTool('switchboard_steer_agent', { id: started.id, message: 'do something else' });
    assert.match(text, /^Error \(not_steerable\): The Custom command runner cannot be steered\./);
    assert.match(text, /Kill the run and start a new one/);
    assert.equal((await agentRow(started.id)).run.status, 'running');
  });

  it('an unknown run is an error answer, not a thrown exception', async () => {
    const text = await invokeTool('switchboard_get_agent_status', { id: 'no-such-run' });
    assert.match(text, /^Error \(unknown_run\)/);
  });
});
