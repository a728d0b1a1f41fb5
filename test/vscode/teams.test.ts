/**
 * In-host: the Teams view's rows for real teams of scripted workers (test/e2e/support/teamWorker.mjs
 * as the custom runner, each in its own worktree of the workspace repository), the team commands on
 * those rows, the DAG as text and as a webview panel.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { loadTeam } from '../../src/core/teams/teamStore';
import type { TeamNode } from '../../src/vscode/views/teamNodes';
import { pidAlive } from '../support/harness';
import { agentRow, answerNextDialog, closeEditors, dialogsAnswered, documentText, eventually, iconOf, invokeTool, runRows, stateDir, structuredOf, switchboard, treeGone, workerTree } from './support/host';

/** The Teams view's rows under a team: `kind:key` → its tree item (the team's own row as `team`). */
async function teamRows(team: string): Promise<Map<string, { node: TeamNode; item: vscode.TreeItem }>> {
  const { teams } = await switchboard();
  const rows = new Map<string, { node: TeamNode; item: vscode.TreeItem }>();
  const root = teams.getChildren().find((n) => n.kind === 'team' && n.team === team);
  if (!root) return rows;
  const walk = (node: TeamNode): void => {
    const item = teams.getTreeItem(node);
    const key = node.kind === 'worker' ? `worker:${node.worker}` : node.kind === 'task' ? `task:${node.task}` : node.kind;
    rows.set(key, { node, item });
    for (const child of teams.getChildren(node)) walk(child);
  };
  walk(root);
  return rows;
}

/** The rows once `ready` holds for them. */
const teamRowsWhen = (team: string, what: string, ready: (rows: Map<string, { node: TeamNode; item: vscode.TreeItem }>) => boolean, timeoutMs = 120_000) =>
  eventually(`${team}: ${what}`, async () => {
    const rows = await teamRows(team);
    return rows.size > 0 && ready(rows) && rows;
  }, timeoutMs);

const row = (rows: Map<string, { item: vscode.TreeItem }>, key: string): vscode.TreeItem => {
  const found = rows.get(key);
  assert.ok(found, `no row ${key} (rows: ${[...rows.keys()].join(', ')})`);
  return found.item;
};
const description = (rows: Map<string, { item: vscode.TreeItem }>, key: string): string => String(rows.get(key)?.item.description ?? '');

describe('Teams view and team commands (in the extension host)', function () {
  this.timeout(300_000);
  afterEach(closeEditors);

  it('a team of two chained tasks: its row, Workers, Tasks and Discoveries as it runs, then done', async () => {
    structuredOf(await invokeTool('switchboard_team_run', {
      name: 'inhost-chain',
      spec: '1:executor:custom',
      task: 'two steps',
      tasks: [{ id: 'T1', title: 'first step (sleep 3000)' }, { id: 'T2', title: 'second step', depends_on: ['T1'] }],
    }));
    const running = await teamRowsWhen('inhost-chain', 'T1 running', (rows) => rows.get('task:T1')?.item.accessibilityInformation?.label?.includes(', running,') === true);
    const team = row(running, 'team');
    assert.equal(team.label, 'inhost-chain');
    assert.equal(team.description, 'running · 0/2 done · $0.00');
    assert.equal(iconOf(team), 'sync~spin/charts.blue');
    assert.equal(team.contextValue, 'team active hasBranches');
    assert.equal(team.collapsibleState, vscode.TreeItemCollapsibleState.Expanded, 'a team at work opens expanded');
    assert.deepEqual([row(running, 'workers').label, row(running, 'workers').description], ['Workers', '1']);
    assert.deepEqual([row(running, 'tasks').label, row(running, 'tasks').description], ['Tasks', '2']);
    assert.equal(row(running, 'discoveries').label, 'Discoveries');
    const t1 = row(running, 'task:T1');
    assert.equal(t1.label, 'T1: first step (sleep 3000)');
    assert.equal(iconOf(t1), 'sync~spin/charts.blue');
    assert.equal(t1.description, 'executor-1');
    assert.equal(t1.contextValue, 'task cancellable hasRun');
    assert.equal(t1.command?.command, 'switchboard.showAgentOutput');
    const t2 = row(running, 'task:T2');
    assert.equal(iconOf(t2), 'circle-large-outline/disabledForeground');
    assert.equal(t2.description, 'after T1');
    const worker = row(running, 'worker:executor-1');
    assert.match(String(worker.description), /^T1 running · executor · custom · switchboard\/inhost-chain\/executor-1$/);
    assert.equal(worker.contextValue, 'worker hasBranch hasRun');

    const done = await teamRowsWhen('inhost-chain', 'done', (rows) => description(rows, 'team').startsWith('done'));
    assert.equal(row(done, 'team').description, 'done · 2/2 done · $0.00');
    assert.equal(iconOf(row(done, 'team')), 'pass/testing.iconPassed');
    assert.equal(row(done, 'team').contextValue, 'team ended hasBranches');
    for (const id of ['T1', 'T2']) {
      assert.equal(iconOf(row(done, `task:${id}`)), 'pass/testing.iconPassed');
      assert.equal(row(done, `task:${id}`).contextValue, 'task hasRun');
    }
  });

  it('Show Team DAG as text on the team\'s row opens its graph as a read-only document', async () => {
    const rows = await teamRowsWhen('inhost-chain', 'its row', () => true);
    await vscode.commands.executeCommand('switchboard.showTeamDag', rows.get('team')!.node);
    const dag = await documentText('switchboard-team', (t) => t.includes('T2'));
    assert.equal(dag.uri.path, '/inhost-chain/dag.txt');
    assert.ok(dag.text.includes('T1') && dag.text.includes('first step'), dag.text);
  });

  it('Show Merge Status on the team\'s row opens the conflict scores of its worker branches as a read-only document', async () => {
    const rows = await teamRowsWhen('inhost-chain', 'done', (r) => description(r, 'team').startsWith('done'));
    await vscode.commands.executeCommand('switchboard.showMergeStatus', rows.get('team')!.node);
    const status = await documentText('switchboard-team', (t) => t.includes('Merge status'));
    assert.equal(status.uri.path, '/inhost-chain/merge-status.txt');
    assert.match(status.text, /^Team inhost-chain: done — two steps\nMerge status of its worker branches \(base \S+\)/);
    assert.ok(status.text.includes('switchboard/inhost-chain/executor-1'), status.text);
  });

  it('Show DAG on the team\'s row opens one webview panel for it; asked again, it is not opened twice', async () => {
    const rows = await teamRowsWhen('inhost-chain', 'its row', () => true);
    const dagTabs = (): vscode.Tab[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('switchboard.dag'));
    await vscode.commands.executeCommand('switchboard.showDag', rows.get('team')!.node);
    const [tab] = await eventually('the DAG panel', () => dagTabs().length === 1 && dagTabs());
    assert.match(tab!.label, /inhost-chain/);
    await vscode.commands.executeCommand('switchboard.showDag', rows.get('team')!.node);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(dagTabs().length, 1);
  });

  it('Shut Down Team on a working team\'s row interrupts it: its agent gone, its row interrupted, its task cancelled', async () => {
    structuredOf(await invokeTool('switchboard_team_run', { name: 'inhost-slow', spec: '1:executor:custom', task: 'slow', tasks: [{ id: 'S1', title: 'slow part (sleep 60000)' }] }));
    const running = await teamRowsWhen('inhost-slow', 'S1 running', (rows) => rows.get('task:S1')?.item.accessibilityInformation?.label?.includes(', running,') === true);
    const { agents } = await switchboard();
    const run = await eventually('the worker\'s run', () => runRows(agents).find((r) => r.status === 'running' && !!r.agent && r.prompt.includes('slow part')));
    // Its row in the Agents view says whose worker it is, which its prompt (the team's brief first) does not at a glance.
    const tooltip = (agents.resolveTreeItem(agents.getTreeItem(run), run).tooltip as vscode.MarkdownString).value.replace(/\\/g, '');
    assert.ok(tooltip.includes('Team: inhost-slow, task S1'), tooltip);
    await vscode.commands.executeCommand('switchboard.shutdownTeam', running.get('team')!.node);
    const ended = await teamRowsWhen('inhost-slow', 'interrupted', (rows) => description(rows, 'team').startsWith('interrupted'));
    assert.equal(iconOf(row(ended, 'team')), 'debug-pause/list.warningForeground');
    assert.equal(row(ended, 'team').contextValue, 'team ended hasBranches');
    assert.equal(iconOf(row(ended, 'task:S1')), 'close/disabledForeground');
    assert.equal(row(ended, 'task:S1').contextValue, 'task hasRun');
    await eventually('the worker\'s agent to be gone', () => !pidAlive(run.agent!.pid));
  });

  it('Force Shut Down Team on a working team\'s row, confirmed, kills its worker\'s whole process tree: its run killed, its task cancelled, the team interrupted', async function () {
    if (!dialogsAnswered()) this.skip(); // the confirmation is a modal dialog, answered from outside the host
    structuredOf(await invokeTool('switchboard_team_run', { name: 'inhost-force', spec: '1:executor:custom', task: 'endless', tasks: [{ id: 'F1', title: 'endless part (sleep 600000)' }] }));
    const running = await teamRowsWhen('inhost-force', 'F1 running', (rows) => rows.get('task:F1')?.item.accessibilityInformation?.label?.includes(', running,') === true);
    const { agents } = await switchboard();
    const run = await eventually('the worker\'s run', () => runRows(agents).find((r) => r.links.team === 'inhost-force' && r.status === 'running' && !!r.agent));
    const tree = await workerTree(run.agent!.pid);

    const question = answerNextDialog('Force Shut Down');
    await vscode.commands.executeCommand('switchboard.forceShutdownTeam', running.get('team')!.node);
    assert.match(await question, /Force shut down team inhost-force\? Its agents are killed at once/);
    await treeGone(tree);
    const killed = await agentRow(run.id, (r) => r.status !== 'running');
    assert.equal(killed.run.status, 'killed', `the run ended ${killed.run.status}${killed.run.lastError ? ` (${killed.run.lastError})` : ''}`);
    assert.equal(iconOf(killed.item), 'circle-slash/disabledForeground');
    assert.equal(killed.run.signal, 'SIGKILL', 'killed at once, without the graceful interrupt first');
    assert.deepEqual(runRows(agents).filter((r) => r.links.team === 'inhost-force' && (r.status === 'running' || r.status === 'queued')).map((r) => r.id), [], 'no run of the team is left going');

    const record = loadTeam(stateDir(), 'inhost-force');
    assert.equal(record.status, 'interrupted');
    assert.ok(record.endedAt, 'the team\'s record has its end');
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status]), [['F1', 'cancelled']]);
    const ended = await teamRowsWhen('inhost-force', 'interrupted', (rows) => description(rows, 'team').startsWith('interrupted'));
    assert.equal(iconOf(row(ended, 'team')), 'debug-pause/list.warningForeground');
    assert.equal(row(ended, 'team').contextValue, 'team ended hasBranches');
    assert.equal(iconOf(row(ended, 'task:F1')), 'close/disabledForeground');
    assert.equal(row(ended, 'task:F1').contextValue, 'task hasRun');
  });
});
