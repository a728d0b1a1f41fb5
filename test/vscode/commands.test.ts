/**
 * In-host: what the extension contributes is what it registers (commands, views), and the commands
 * that open documents and panels or fill the clipboard without asking anything: Doctor, Pools
 * Status, Copy MCP Configuration (and an MCP client using what it copied), the budget report of
 * today's runs.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { apiUrlOf } from '../../src/http/api/apiPath';
import { liveEndpoint, tokenFile } from '../../src/http/credentials';
import { clientConfig } from '../../src/mcp/clientConfigs';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';
import { fakeCommand } from '../support/harness';
import { call, connectHttp } from '../support/mcpClients';
import { agentRow, closeEditors, documentText, eventually, EXTENSION_ID, invokeTool, runRows, startAgent, structuredOf, switchboard, workspaceFolder } from './support/host';

/** The MCP server this window serves for its state folder, and the folder's token. */
function liveServer(): { url: string; token: string } {
  const stateDir = vscode.workspace.getConfiguration('switchboard').get<string>('stateDirectory')!;
  const endpoint = liveEndpoint(stateDir);
  assert.ok(endpoint, `no live MCP server for ${stateDir}`);
  return { url: endpoint.url, token: fs.readFileSync(tokenFile(stateDir), 'utf8').trim() };
}

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

  it('Copy MCP Configuration puts each client\'s snippet on the clipboard: the live server\'s URL and the token of the state folder', async () => {
    await vscode.commands.executeCommand('switchboard.copyMcpConfigClaude');
    const { url, token } = liveServer();
    assert.equal(await vscode.env.clipboard.readText(), `claude mcp add --transport http switchboard ${url} --header "Authorization: Bearer ${token}"`);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//);
    for (const [command, client] of [['switchboard.copyMcpConfigCodex', 'codex'], ['switchboard.copyMcpConfigGemini', 'gemini'], ['switchboard.copyMcpConfigCursor', 'cursor']] as const) {
      await vscode.commands.executeCommand(command);
      assert.equal(await vscode.env.clipboard.readText(), clientConfig(client, url, token).text, command);
    }
    const refused = await fetch(url, { method: 'POST', headers: { Authorization: 'Bearer not-the-token', 'Content-Type': 'application/json' }, body: '{}' });
    assert.equal(refused.status, 401);
  });

  it('an MCP client with the copied URL and token starts an agent in the window\'s folder; Doctor lists the server, the client and the HTTP API, which answers with the run', async () => {
    await vscode.commands.executeCommand('switchboard.copyMcpConfigClaude');
    const { url, token } = liveServer();
    const client = await connectHttp(url, token, 'inhost-external-client');
    try {
      const started = await call(client, 'run_agent', { runner: 'custom', prompt: 'hello from an MCP client', name: 'via-mcp', command: fakeCommand() });
      assert.ok(!started.isError, JSON.stringify(started.content));
      const waited = await call(client, 'wait_agent', { id: 'via-mcp', timeout_ms: 60_000 });
      assert.equal((waited.structuredContent as { agent: { status: string; started_by: string } }).agent.started_by, 'mcp:inhost-external-client');
      const { run } = await agentRow((started.structuredContent as { id: string }).id, (r) => r.status === 'done');
      assert.equal(run.name, 'via-mcp');
      assert.equal(run.cwd, workspaceFolder(), 'the agent works in the window\'s folder');
      await vscode.commands.executeCommand('switchboard.doctor');
      const doctor = await documentText('switchboard-doctor', (t) => t.includes('inhost-external-client'));
      assert.ok(doctor.text.includes(`- Address: \`${url}\``), doctor.text);
      assert.match(doctor.text, /^- Clients connected: (.*, )?inhost-external-client 1\.0\.0 \(http\)/m);
      const api = apiUrlOf(url);
      assert.ok(doctor.text.includes(`- HTTP API: \`${api}\``), doctor.text);
      // The window's listener serves the HTTP API beside MCP, with the same token.
      const viaApi = await fetch(`${api}/runs/via-mcp`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(viaApi.status, 200);
      assert.equal(((await viaApi.json()) as { status: string }).status, 'done');
    } finally {
      await client.close();
    }
  });
});
