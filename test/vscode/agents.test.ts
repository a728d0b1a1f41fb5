/**
 * In-host: the Agents view's rows, the status bar item, the agent commands and the output
 * documents, with scripted agents really running behind them (started through the run_agent tool).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { FAKE_AGENT, fakeCommand, NODE, pidAlive, ROOT } from '../support/harness';
import { agentRow, closeEditors, documentText, errorShownBy, eventually, iconOf, invokeTool, killRunning, runRows, startAgent, structuredOf, switchboard, workspaceFolder } from './support/host';

const OUTPUT_SCHEME = 'switchboard-output';

describe('Agents view, status bar and agent commands (in the extension host)', () => {
  afterEach(async () => {
    await killRunning();
    await closeEditors();
  });

  it('a running agent\'s row: its name, `custom · <elapsed>`, a blue spinning icon, menus for a running run, a click that shows its output', async () => {
    const started = await startAgent('row while running', '--sleep', '60000');
    const { run, item } = await agentRow(started.id, (r) => r.status === 'running');
    assert.equal(item.label, started.name);
    assert.equal(item.id, started.id);
    assert.match(String(item.description), /^custom · \d+s$/);
    assert.equal(iconOf(item), 'sync~spin/charts.blue');
    assert.equal(item.contextValue, 'run running');
    assert.equal(item.collapsibleState, vscode.TreeItemCollapsibleState.None);
    assert.deepEqual(item.command && { command: item.command.command, arguments: item.command.arguments }, { command: 'switchboard.showAgentOutput', arguments: [run] });
    assert.equal(item.accessibilityInformation?.label, `${started.name}, running, ${String(item.description)}`);
  });

  it('a finished agent\'s row turns to a green check; one that exits 3 to a red error with the exit in its tooltip', async () => {
    const good = await startAgent('finishes well');
    const bad = await startAgent('finishes badly', '--exit', '3');
    const done = await agentRow(good.id, (r) => r.status === 'done');
    assert.equal(iconOf(done.item), 'pass/testing.iconPassed');
    assert.equal(done.item.contextValue, 'run finished');
    const failed = await agentRow(bad.id, (r) => r.status === 'failed');
    assert.equal(iconOf(failed.item), 'error/testing.iconFailed');
    assert.equal(failed.item.contextValue, 'run finished');
    const { agents } = await switchboard();
    const tooltip = agents.resolveTreeItem(failed.item, failed.run).tooltip;
    assert.ok(tooltip instanceof vscode.MarkdownString);
    assert.match(tooltip.value, /— failed/);
    assert.match(tooltip.value, /Error: .*3/);
  });

  it('a row\'s tooltip is built when asked for: the command line, the folder and the pid (no token count: a command reports none)', async () => {
    const started = await startAgent('tooltip please', '--sleep', '60000');
    const { run, item } = await agentRow(started.id, (r) => r.status === 'running' && !!r.agent);
    assert.equal(item.tooltip, undefined, 'no tooltip until the row is hovered');
    const { agents } = await switchboard();
    const tooltip = agents.resolveTreeItem(item, run).tooltip as vscode.MarkdownString;
    assert.match(tooltip.value, /fakeAgent\.mjs/);
    assert.ok(tooltip.value.includes('tooltip please'), tooltip.value);
    assert.ok(tooltip.value.includes(`PID: ${run.agent!.pid}`), tooltip.value);
    assert.ok(tooltip.value.replace(/\\/g, '').includes(`Folder: ${workspaceFolder()}`), tooltip.value);
    assert.ok(!tooltip.value.includes('Tokens'), tooltip.value);
  });

  it('running agents are listed before finished ones', async () => {
    const finished = await startAgent('first, finishes at once');
    await agentRow(finished.id, (r) => r.status === 'done');
    const running = await startAgent('second, runs on', '--sleep', '60000');
    await agentRow(running.id, (r) => r.status === 'running');
    const { agents } = await switchboard();
    const ids = runRows(agents).map((r) => r.id);
    assert.ok(ids.indexOf(running.id) < ids.indexOf(finished.id), `${ids.join(' ')}`);
  });

  it('the status bar counts the running agents with a spinning icon, and goes back to a pulse when they end', async () => {
    const { statusBar } = await switchboard();
    const started = await startAgent('status bar', '--sleep', '60000');
    await agentRow(started.id, (r) => r.status === 'running');
    await eventually('the status bar to count one running', () => statusBar.text.startsWith('$(sync~spin) 1 running · '));
    assert.match(statusBar.text, /^\$\(sync~spin\) 1 running · .* today$/);
    assert.match(String(statusBar.tooltip), /^Switchboard: 1 agent running; .* spent by today's runs/);
    assert.equal(statusBar.command, 'workbench.view.extension.switchboard');
    assert.equal(statusBar.backgroundColor, undefined);
    await vscode.commands.executeCommand('switchboard.killAgent', { id: started.id });
    await eventually('the status bar to count none running', () => statusBar.text.startsWith('$(pulse) 0 running · '));
  });

  it('Kill Agent on a row kills the agent and its process tree (its grandchild too); the row says killed', async () => {
    const started = await startAgent('to be killed', '--sleep', '60000', '--grandchild', '--ignore-term');
    const { run } = await agentRow(started.id, (r) => r.status === 'running' && !!r.agent);
    const pid = run.agent!.pid;
    // The agent prints the pid of the `sleep` its shell child started (the tree is three deep).
    await vscode.commands.executeCommand('switchboard.showAgentOutput', run);
    const printed = await documentText(OUTPUT_SCHEME, (t) => /grandchild \d+/.test(t));
    const grandchild = Number(/grandchild (\d+)/.exec(printed.text)![1]);
    assert.ok(pidAlive(grandchild), 'the grandchild runs before the kill');
    await vscode.commands.executeCommand('switchboard.killAgent', run);
    const killed = await agentRow(started.id, (r) => r.status === 'killed');
    assert.equal(iconOf(killed.item), 'circle-slash/disabledForeground');
    await eventually('the agent process to be gone', () => !pidAlive(pid));
    await eventually('its grandchild to be gone', () => !pidAlive(grandchild));
  });

  it('Interrupt Agent on a running row stops the agent gently (SIGINT): its row says killed, interrupted by vscode', async () => {
    const started = await startAgent('to be interrupted', '--sleep', '60000');
    const { run } = await agentRow(started.id, (r) => r.status === 'running' && !!r.agent);
    await vscode.commands.executeCommand('switchboard.interruptAgent', run);
    const stopped = await agentRow(started.id, (r) => r.status === 'killed');
    assert.equal(stopped.run.lastError, 'interrupted by vscode');
    await eventually('the agent process to be gone', () => !pidAlive(run.agent!.pid));
  });

  it('an agent started with limits ($1, 1s) keeps them in its record and is stopped at its time limit', async () => {
    const started = structuredOf<{ id: string }>(await invokeTool('switchboard_run_agent', { runner: 'custom', prompt: 'too slow for its limit', command: fakeCommand('--sleep', '5000'), max_usd: 1, timeout: '1s' }));
    const { run, item } = await agentRow(started.id, (r) => r.status === 'killed');
    assert.deepEqual(run.limits, { maxUsd: 1, timeoutMs: 1000 });
    assert.equal(run.lastError, 'stopped at its time limit of 1s');
    const { agents } = await switchboard();
    assert.ok((agents.resolveTreeItem(item, run).tooltip as vscode.MarkdownString).value.includes('stopped at its time limit of 1s'));
  });

  it('Copy Session ID puts the run\'s session id on the clipboard', async () => {
    // A Claude Code stand-in: the scripted agent printing Claude's stream-json, with the session id it is given.
    const bin = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sb-inhost-claude-')), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${NODE}" "${FAKE_AGENT}" --format claude --stdin "$@"\n`, { mode: 0o755 });
    // For this workspace (the machine's settings, which the suite's VS Code was given, win over a user's).
    const settings = vscode.workspace.getConfiguration('switchboard');
    const folderSettings = path.join(workspaceFolder(), '.vscode');
    await settings.update('runners.claude.path', bin, vscode.ConfigurationTarget.Workspace);
    try {
      const started = structuredOf<{ id: string }>(await invokeTool('switchboard_run_agent', { runner: 'claude', prompt: 'a session please' }));
      const { run } = await agentRow(started.id, (r) => r.status === 'done' && !!r.sessionId);
      await vscode.env.clipboard.writeText('nothing yet');
      await vscode.commands.executeCommand('switchboard.copySessionId', run);
      assert.equal(await vscode.env.clipboard.readText(), run.sessionId);
    } finally {
      await settings.update('runners.claude.path', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(folderSettings, { recursive: true, force: true });
      fs.rmSync(path.dirname(bin), { recursive: true, force: true });
    }
  });

  it('Open Diff on a run in a worktree of its own shows what it committed on its branch', async () => {
    // The team's git worker as a plain run: it writes R1.txt and commits it in its folder, the run's worktree.
    const worker = `'${NODE}' '${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}' {prompt}`;
    const started = structuredOf<{ id: string; name: string }>(await invokeTool('switchboard_run_agent', { runner: 'custom', prompt: 'Your task (R1): write the file', command: worker, worktree: true }));
    const { run } = await agentRow(started.id, (r) => r.status === 'done');
    await vscode.commands.executeCommand('switchboard.openRunDiff', run);
    const diff = await eventually('the run\'s diff', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.label.startsWith('R1.txt')));
    assert.ok(diff.label.includes(`switchboard/run/${started.name}`), diff.label);
    const modified = await vscode.workspace.openTextDocument((diff.input as vscode.TabInputTextDiff).modified);
    assert.match(modified.getText(), /^done by \//);
  });

  it('Remove from List drops a finished run\'s row; the list no longer has it', async () => {
    const started = await startAgent('to be removed');
    const { run } = await agentRow(started.id, (r) => r.status === 'done');
    await vscode.commands.executeCommand('switchboard.removeFromList', run);
    const { agents } = await switchboard();
    await eventually('the row to go', () => !runRows(agents).some((r) => r.id === started.id));
  });

  it('Show Agent Output opens a read-only document with what the agent printed; the raw one has the bytes', async () => {
    const started = await startAgent('say the secret word');
    const { run } = await agentRow(started.id, (r) => r.status === 'done');
    await vscode.commands.executeCommand('switchboard.showAgentOutput', run);
    const readable = await documentText(OUTPUT_SCHEME, (t) => t.includes('say the secret word'));
    assert.equal(readable.uri.path, `/${started.name}.log`);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), readable.uri.toString());
    await vscode.commands.executeCommand('switchboard.showAgentRawOutput', run);
    const raw = await documentText(OUTPUT_SCHEME, (t) => t.includes('say the secret word') && vscode.window.activeTextEditor?.document.uri.path === `/${started.name} (raw).log`);
    assert.ok(raw.text.includes('say the secret word'));
  });

  it('a command\'s readable output leaves out the colour codes it printed (an editor cannot draw them); its raw output keeps them', async () => {
    const started = await startAgent('\x1b[31mred\x1b[39m and plain');
    const { run } = await agentRow(started.id, (r) => r.status === 'done');
    await vscode.commands.executeCommand('switchboard.showAgentOutput', run);
    const readable = await documentText(OUTPUT_SCHEME, (t) => t.includes('red and plain'));
    assert.ok(!readable.text.includes('\x1b'), readable.text);
    await vscode.commands.executeCommand('switchboard.showAgentRawOutput', run);
    await documentText(OUTPUT_SCHEME, (t) => t.includes('\x1b[31mred\x1b[39m and plain'));
  });

  it('an open output document follows the run: lines printed later appear in it', async () => {
    const started = await startAgent('counting', '--lines', '40', '--every', '250');
    const { run } = await agentRow(started.id, (r) => r.status === 'running');
    await vscode.commands.executeCommand('switchboard.showAgentOutput', run);
    const early = await documentText(OUTPUT_SCHEME, (t) => t.includes('line 1 of a busy agent'));
    assert.ok(!early.text.includes('line 40 of a busy agent'), 'opened while the agent was still printing');
    await agentRow(started.id, (r) => r.status === 'done');
    const late = await documentText(OUTPUT_SCHEME, (t) => t.includes('line 40 of a busy agent') && t.includes('counting'));
    assert.equal(late.uri.toString(), early.uri.toString(), 'the same document, updated');
  });

  it('a command given an unknown run shows the error (there is no such run) and changes nothing', async () => {
    const { agents } = await switchboard();
    const before = runRows(agents).map((r) => `${r.id}:${r.status}`);
    const error = await errorShownBy('switchboard.killAgent', { id: 'no-such-run' });
    assert.match(error, /no-such-run/);
    assert.deepEqual(runRows(agents).map((r) => `${r.id}:${r.status}`), before);
  });
});
