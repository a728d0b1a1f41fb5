/**
 * In-host: what the extension contributes is what it registers (commands, views), and the commands
 * that open documents and panels or fill the clipboard without asking anything: Doctor, Pools
 * Status, Copy MCP Configuration, the budget report of today's runs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { clientConfig } from '../../src/mcp/clientConfigs';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';
import { connectHttp } from '../support/mcpClients';
import { agentRow, closeEditors, documentText, eventually, EXTENSION_ID, invokeTool, runRows, startAgent, structuredOf, switchboard } from './support/host';

interface Manifest { contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> } }

describe('Commands and views (in the extension host)', () => {
  afterEach(closeEditors);

  it('every command package.json contributes is registered in the host; the others are the views\' and the participant\'s own', async () => {
    await switchboard();
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.commands.map((c) => c.command).sort(), [...COMMAND_IDS].sort());
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('switchboard.'));
    const missing = COMMAND_IDS.filter((id) => !registered.includes(id));
    assert.deepEqual(missing, [], 'contributed but not registered');
    const others = registered.filter((c) => !(COMMAND_IDS as readonly string[]).includes(c) && !/^switchboard\.(agents|teams|goals|chat)\./.test(c));
    assert.deepEqual(others, [], 'registered but not contributed');
  });

  it('the Agents, Teams and Goals views are contributed; their providers\' rows are the runs, teams and goals of the state folder', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.views.switchboard?.map((v) => v.id), ['switchboard.agents', 'switchboard.teams', 'switchboard.goals']);
    const api = await switchboard();
    const started = await startAgent('a row of its own');
    await agentRow(started.id);
    const runs = structuredOf<{ agents: { id: string }[] }>(await invokeTool('switchboard_list_agents', { limit: 1000 })).agents.map((a) => a.id);
    assert.deepEqual(runRows(api.agents).map((r) => r.id).sort(), [...runs].sort());
    assert.ok(runs.includes(started.id));
    const teams = structuredOf<{ teams: { name: string }[] }>(await invokeTool('switchboard_team_list', {})).teams.map((t) => t.name);
    assert.deepEqual(api.teams.getChildren().filter((n) => n.kind === 'team').map((n) => (n as { team: string }).team).sort(), teams.sort());
    const goals = structuredOf<{ goals: { id: string }[] }>(await invokeTool('switchboard_goal_list', {})).goals.map((g) => g.id);
    assert.deepEqual(api.goals.getChildren().filter((n) => n.kind === 'goal').map((n) => (n as { goal: string }).goal).sort(), goals.sort());
    await vscode.commands.executeCommand('switchboard.agents.focus');
  });

  it('Doctor opens its report as Markdown: a row per runner, the state folder', async () => {
    await vscode.commands.executeCommand('switchboard.doctor');
    const report = await documentText('switchboard-doctor', (t) => t.includes('## State'));
    assert.ok(report.text.startsWith('# Switchboard Doctor'), report.text);
    // The pinned Claude Code is installed (test/vscode/support/fixture.ts); the others are not.
    assert.match(report.text, /\| Claude Code \| ok \| 2\.1\.329/);
    const stateDir = vscode.workspace.getConfiguration('switchboard').get<string>('stateDirectory')!;
    assert.ok(report.text.includes(`State folder: \`${stateDir}\``), report.text);
    assert.equal(vscode.window.activeTextEditor?.document.languageId, 'markdown');
  });

  it('Show Budget Report of Today\'s Runs opens its webview panel', async () => {
    await vscode.commands.executeCommand('switchboard.showSpendToday');
    const tab = await eventually('the budget report panel', () =>
      vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('switchboard.budget')));
    assert.match(tab.label, /today/i);
  });

  it('Pools Status opens a table of the admission pools: the default pool, its limit, who runs in it', async () => {
    const started = await startAgent('counted in its pool', '--sleep', '60000');
    await agentRow(started.id, (r) => r.status === 'running');
    try {
      await vscode.commands.executeCommand('switchboard.poolsStatus');
      const table = await eventually('the pools table', () => {
        const doc = vscode.window.activeTextEditor?.document;
        return doc?.getText().startsWith('# Switchboard pools') && doc;
      });
      assert.equal(table.languageId, 'markdown');
      assert.equal(table.uri.scheme, 'untitled');
      const text = table.getText();
      assert.match(text, /^All pools: \d+\/\d+ running, \d+ waiting\.$/m);
      const row = text.split('\n').find((l) => l.startsWith('| default |'));
      assert.ok(row?.includes(started.name), text);
    } finally {
      await vscode.commands.executeCommand('switchboard.killAgent', { id: started.id });
      await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    }
  });

  it('Copy MCP Configuration puts each client\'s snippet on the clipboard, with the live server\'s URL and a token it accepts', async () => {
    await vscode.commands.executeCommand('switchboard.copyMcpConfigClaude');
    const claude = await vscode.env.clipboard.readText();
    const [, url, token] = /^claude mcp add --transport http switchboard (http:\/\/127\.0\.0\.1:\d+\/\S+) --header "Authorization: Bearer (\S+)"$/.exec(claude) ?? [];
    assert.ok(url && token, claude);
    for (const [command, client] of [['switchboard.copyMcpConfigCodex', 'codex'], ['switchboard.copyMcpConfigGemini', 'gemini'], ['switchboard.copyMcpConfigCursor', 'cursor']] as const) {
      await vscode.commands.executeCommand(command);
      assert.equal(await vscode.env.clipboard.readText(), clientConfig(client, url, token).text, command);
    }
    // The snippet works: an MCP client with that URL and token lists the tools.
    const client = await connectHttp(url, token, 'inhost-clipboard');
    try {
      const tools = (await client.listTools()).tools.map((t) => t.name);
      assert.ok(tools.includes('run_agent'), tools.join(', '));
    } finally {
      await client.close();
    }
    const refused = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer not-the-token', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
  });
});
