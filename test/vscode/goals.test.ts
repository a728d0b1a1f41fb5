/**
 * In-host: the Goals view's rows for a real goal (one task for a scripted worker, one gate that
 * passes once the task's file is there), from running to ready, and its proof as a document.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GoalNode } from '../../src/vscode/views/goalNodes';
import { closeEditors, documentText, eventually, iconOf, invokeTool, structuredOf, switchboard } from './support/host';

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
});
