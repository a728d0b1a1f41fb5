/**
 * In-host: what the extension contributes is what it registers (commands, views), and the commands
 * that open documents and panels without asking anything: Doctor, the budget report of today's runs.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { COMMAND_IDS } from '../../src/vscode/commands/commandIds';
import { closeEditors, documentText, eventually, EXTENSION_ID, switchboard } from './support/host';

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

  it('the Agents, Teams and Goals views are contributed and their providers answer', async () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as Manifest;
    assert.deepEqual(manifest.contributes.views.switchboard?.map((v) => v.id), ['switchboard.agents', 'switchboard.teams', 'switchboard.goals']);
    const api = await switchboard();
    assert.ok(Array.isArray(api.agents.getChildren()));
    assert.ok(Array.isArray(api.teams.getChildren()));
    assert.deepEqual(api.goals.getChildren(), [], 'no goal has been made in this workspace');
    await vscode.commands.executeCommand('switchboard.agents.focus');
  });

  it('Doctor opens its report as Markdown: a row per runner, the state folder', async () => {
    await vscode.commands.executeCommand('switchboard.doctor');
    const report = await documentText('switchboard-doctor', (t) => t.includes('## State'));
    assert.ok(report.text.startsWith('# Switchboard Doctor'), report.text);
    assert.match(report.text, /\| Claude Code \|/);
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
});
