/**
 * In-host: the Goals view's rows for a real goal (one task for a scripted worker, one gate that
 * passes once the task's file is there), from running to ready, and its proof as a document; Pause,
 * Resume and Show Team DAG on a goal at work.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { loadGoal } from '../../src/core/goals/goalStore';
import { loadTeam } from '../../src/core/teams/teamStore';
import type { GoalNode } from '../../src/vscode/views/goalNodes';
import { pidAlive } from '../support/harness';
import { agentRow, answerNextDialog, closeEditors, errorShownBy, dialogsAnswered, documentText, eventually, iconOf, invokeTool, runRows, stateDir, structuredOf, switchboard, treeGone, workerTree } from './support/host';

const GATE = `node -e "process.exit(require('fs').existsSync('G1.txt')?0:1)"`;

/** The Goals view's row of goal `id`. */
async function goalRow(id: string): Promise<{ node: GoalNode; item: vscode.TreeItem } | undefined> {
  const { goals } = await switchboard();
  const node = goals.getChildren().find((n) => n.kind === 'goal' && n.goal === id);
  return node && { node, item: goals.getTreeItem(node) };
}

/** The row of goal `id` once it says `status`. */
const goalRowSays = (id: string, status: string) => {
  let last = 'no row';
  return eventually(() => `the goal's row to say ${status} (it says: ${last})`, async () => {
    const r = await goalRow(id);
    last = String(r?.item.accessibilityInformation?.label);
    return r && last.includes(`, ${status},`) && r;
  }, 120_000);
};

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
    const { agents } = await switchboard();
    const rowSays = (status: string) => goalRowSays(created.goal_id, status);
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

  it('Cancel Goal on a goal at work, confirmed, stops its agent and ends it cancelled: its runs ended, its record and budget final', async function () {
    if (!dialogsAnswered()) this.skip(); // the confirmation is a modal dialog, answered from outside the host
    const created = structuredOf<{ goal_id: string }>(await invokeTool('switchboard_goal_create', {
      objective: 'C1.txt exists, never',
      spec: '1:executor:custom',
      tasks: [{ id: 'C1', title: 'work without end (sleep 600000)' }],
      gates: [{ name: 'c1', command: GATE.replace('G1', 'C1') }],
      max_iterations: 3,
    }));
    const id = created.goal_id;
    const { agents } = await switchboard();
    const goalRuns = () => runRows(agents).filter((r) => r.links.goal === id);
    const run = await eventually('the goal\'s worker to run', () => goalRuns().find((r) => r.status === 'running' && !!r.agent), 120_000);
    const tree = await workerTree(run.agent!.pid);
    const running = await goalRowSays(id, 'running');

    const question = answerNextDialog('Cancel Goal');
    await vscode.commands.executeCommand('switchboard.cancelGoal', running.node);
    assert.match(await question, /Cancel goal "C1\.txt exists, never"\? Its agents are stopped and it ends cancelled\./);
    const cancelled = await goalRowSays(id, 'cancelled');
    assert.match(String(cancelled.item.description), /^cancelled/);
    await treeGone(tree);
    const ended = await agentRow(run.id, (r) => r.status !== 'running');
    assert.equal(ended.run.status, 'killed', `the run ended ${ended.run.status}${ended.run.lastError ? ` (${ended.run.lastError})` : ''}`);
    assert.deepEqual(goalRuns().filter((r) => r.status === 'running' || r.status === 'queued').map((r) => r.id), [], 'no run of the goal is left going');

    const record = loadGoal(stateDir(), id);
    assert.equal(record.status, 'cancelled');
    assert.equal(record.failure, 'cancelled by a person');
    assert.ok(record.completedAt, 'the goal\'s record has its end');
    assert.equal(record.iterations.length, 1, 'no further iteration was started');
    assert.ok(record.team, 'the goal\'s record names its team');
    assert.ok(['interrupted', 'shutdown'].includes(loadTeam(stateDir(), record.team).status), `its team ended ${loadTeam(stateDir(), record.team).status}`);
    // Its time stopped counting when it ended: the budget report reads the same later on.
    type Report = { spent_seconds: number; spent_tokens: number; spent_usd: number; checkpoints: unknown[]; latest: { status: string } | null };
    const report = async () => {
      const { spent_seconds, spent_tokens, spent_usd, checkpoints, latest } = structuredOf<Report>(await invokeTool('switchboard_goal_budget', { goal_id: id }));
      return { spent_seconds, spent_tokens, spent_usd, checkpoints, latest: latest?.status };
    };
    const first = await report();
    assert.equal(first.latest, 'cancelled');
    await new Promise((r) => setTimeout(r, 1_100));
    assert.deepEqual(await report(), first, 'the cancelled goal\'s budget report changed after it ended');
    // It is over: Resume refuses it.
    const refused = await errorShownBy('switchboard.resumeGoal', id);
    assert.ok(refused.includes(id) || /cancel/i.test(refused), refused);
    assert.equal(loadGoal(stateDir(), id).status, 'cancelled');
  });
});
