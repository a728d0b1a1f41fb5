/**
 * In-host: the Goals view's rows for a real goal (one task for a scripted worker, one gate that
 * passes once the task's file is there), from running to ready, and its proof as a document; Pause,
 * Resume and Show Team DAG on a goal at work.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GoalNode } from '../../src/vscode/views/goalNodes';
import { pidAlive } from '../support/harness';
import { closeEditors, documentText, eventually, iconOf, invokeTool, runRows, structuredOf, switchboard } from './support/host';

const GATE = `node -e "process.exit(require('fs').existsSync('G1.txt')?0:1)"`;

describe('Goals view and goal commands (in the extension host)', function () {
  this.timeout(300_000);
  afterEach(closeEditors);

  it('a goal whose gate passes: its row goes from running to ready with a filled check, its groups below it; Show Goal Proof opens the proof', async () => {
    const created = structuredOf<{ goal_id: string }>(await invokeTool('switchboard_goal_create', {
      objective: 'G1.txt exists',
      spec: '1:executor:custom',
      tasks: [{ id: 'G1', title: 'write the file' }],
      gates: [{ name: 'g1', command: GATE }],
      max_iterations: 1,
    }));
    const { goals } = await switchboard();
    const root = (): GoalNode | undefined => goals.getChildren().find((n) => n.kind === 'goal' && n.goal === created.goal_id);
    let last = 'no row';
    const ready = await eventually(() => `the goal to be ready (its row: ${last})`, () => {
      const node = root();
      const item = node && goals.getTreeItem(node);
      if (item) last = String(item.accessibilityInformation?.label);
      return item && last.includes(', ready,') && { node, item };
    }, 240_000);
    assert.equal(ready.item.label, 'G1.txt exists');
    assert.equal(iconOf(ready.item), 'pass-filled/testing.iconPassed');
    assert.match(String(ready.item.contextValue), /^goal ready\b.*\bhasGates\b/);
    assert.match(String(ready.item.description), /^ready · /);
    const groups = goals.getChildren(ready.node).map((n) => String(goals.getTreeItem(n).label));
    for (const group of ['Gates', 'Tasks', 'Iterations']) assert.ok(groups.includes(group), `${group} in ${groups.join(', ')}`);
    const gatesNode = goals.getChildren(ready.node).find((n) => n.kind === 'gates')!;
    const gateRows = goals.getChildren(gatesNode).map((n) => goals.getTreeItem(n));
    assert.equal(gateRows.length, 1);
    assert.match(String(gateRows[0]!.label), /g1/);

    await vscode.commands.executeCommand('switchboard.showGoalProof', ready.node);
    const proof = await documentText('switchboard-goal', (t) => t.includes('G1.txt exists'));
    assert.match(proof.text, /ready/i);
  });

  it('Pause on a goal at work stops its agent and its row says paused; Resume sets it going again; Show Team DAG opens its team\'s graph', async () => {
    const created = structuredOf<{ goal_id: string }>(await invokeTool('switchboard_goal_create', {
      objective: 'H1.txt exists, slowly',
      spec: '1:executor:custom',
      tasks: [{ id: 'H1', title: 'take a long time (sleep 120000)' }],
      gates: [{ name: 'h1', command: GATE.replace('G1', 'H1') }],
      max_iterations: 1,
    }));
    const { goals, agents } = await switchboard();
    const row = (): { node: GoalNode; item: vscode.TreeItem } | undefined => {
      const node = goals.getChildren().find((n) => n.kind === 'goal' && n.goal === created.goal_id);
      return node && { node, item: goals.getTreeItem(node) };
    };
    const rowSays = (status: string) => eventually(() => `the goal's row to say ${status} (it says: ${String(row()?.item.accessibilityInformation?.label)})`, () => {
      const r = row();
      return r && String(r.item.accessibilityInformation?.label).includes(`, ${status},`) && r;
    }, 120_000);
    const worker = () => runRows(agents).find((r) => r.links.goal === created.goal_id && r.status === 'running' && !!r.agent);
    const first = await eventually('the goal\'s worker to run', worker, 120_000);
    const running = await rowSays('running');

    await vscode.commands.executeCommand('switchboard.showGoalTeamDag', running.node);
    const dag = await documentText('switchboard-team', (t) => t.includes('H1'));
    assert.match(dag.uri.path, /^\/[^/]+\/dag\.txt$/);
    assert.ok(dag.text.includes('take a long time'), dag.text);

    await vscode.commands.executeCommand('switchboard.pauseGoal', running.node);
    const paused = await rowSays('paused');
    assert.match(String(paused.item.description), /^paused/);
    await eventually('the worker\'s agent to be gone', () => !pidAlive(first.agent!.pid));

    await vscode.commands.executeCommand('switchboard.resumeGoal', paused.node);
    await rowSays('running');
    const again = await eventually('a worker to run again', () => {
      const run = worker();
      return run && run.id !== first.id && run;
    }, 120_000);
    assert.ok(again.prompt.includes('take a long time'));
    // Left paused: no agent of it runs on.
    await vscode.commands.executeCommand('switchboard.pauseGoal', created.goal_id);
    await rowSays('paused');
    await eventually('the worker\'s agent to be gone', () => !pidAlive(again.agent!.pid));
  });
});
