/**
 * In-host: the host side of the webview panels' messages. A live DAG panel of a real team and the
 * budget report panels are handed the typed messages their pages send (src/shared/protocol/, through
 * the panels' probe in SwitchboardApi): their responses, what the commands they carry out change
 * (a task's output opened, a task cancelled and retried, a worker's diff), and the notifications
 * posted to the panel as the team and the runs change.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { BudgetProtocol, BudgetReportView } from '../../src/shared/protocol/budgetProtocol';
import type { DagNode, DagProtocol } from '../../src/shared/protocol/dagProtocol';
import type { FromWebview, Protocol, ResponseMessage, ToWebview } from '../../src/shared/protocol/ipc';
import type { PanelProbe } from '../../src/vscode/webviews/webviewPanels';
import { pidAlive } from '../support/harness';
import { closeEditors, documentText, eventually, invokeTool, logLines, runRows, startAgent, structuredOf, switchboard } from './support/host';

const TEAM = 'inhost-panel';

/** An open panel's exchange, with everything posted to it from now on. */
class Exchange<P extends Protocol> implements vscode.Disposable {
  readonly posted: ToWebview<P>[] = [];
  private readonly listening: vscode.Disposable;
  private nextId = 1;

  constructor(readonly probe: PanelProbe<P>) {
    this.listening = probe.onDidPost((message) => this.posted.push(message));
  }

  /** Sends a command as the page does; resolves once the host carried it out. */
  command(message: Omit<Extract<FromWebview<P>, { kind: 'command' }>, 'kind'>): Promise<void> {
    return this.probe.receive({ kind: 'command', ...message } as FromWebview<P>);
  }

  /** Sends a request as the page does, and returns the response the host posted for it. */
  async request(method: string, params: unknown): Promise<ResponseMessage> {
    const id = this.nextId++;
    await this.probe.receive({ kind: 'request', id, method, params } as FromWebview<P>);
    const response = this.posted.find((m): m is ResponseMessage => m.kind === 'response' && m.id === id);
    assert.ok(response, `no response to request ${id} (${method})`);
    return response;
  }

  notifications(): Extract<ToWebview<P>, { kind: 'notification' }>[] {
    return this.posted.filter((m) => m.kind === 'notification') as Extract<ToWebview<P>, { kind: 'notification' }>[];
  }

  dispose(): void {
    this.listening.dispose();
  }
}

async function exchange<K extends 'dag' | 'budget'>(kind: K, key: string): Promise<Exchange<K extends 'dag' ? DagProtocol : BudgetProtocol>> {
  const { panels } = await switchboard();
  const probe = await eventually(`the ${kind} panel of ${key}`, () => (panels[kind] as { probe(key: string): PanelProbe<Protocol> | undefined }).probe(key));
  return new Exchange(probe) as unknown as Exchange<K extends 'dag' ? DagProtocol : BudgetProtocol>;
}

/** The nodes as the page has them after every notification posted so far (a graph replaces them, nodes update them). */
function nodesShown(dag: Exchange<DagProtocol>): Map<string, DagNode> {
  const nodes = new Map<string, DagNode>();
  for (const n of dag.notifications()) {
    if (n.method === 'graph') {
      nodes.clear();
      for (const node of n.params.nodes) nodes.set(node.id, node);
    } else {
      for (const node of n.params.nodes) nodes.set(node.id, node);
    }
  }
  return nodes;
}

/** The last header posted (a graph's or a nodes notification's). */
function headerShown(dag: Exchange<DagProtocol>): { status: string; active: boolean; key: string } | undefined {
  const last = dag.notifications().at(-1);
  return last && (last.method === 'graph' ? last.params : last.params.header);
}

const shownWhen = (dag: Exchange<DagProtocol>, what: string, ready: (nodes: Map<string, DagNode>) => boolean, timeoutMs = 120_000): Promise<Map<string, DagNode>> =>
  eventually(() => `${what} (shown: ${[...nodesShown(dag).values()].map((n) => `${n.id} ${n.status}`).join(', ') || 'nothing posted'})`, () => {
    const nodes = nodesShown(dag);
    return ready(nodes) && nodes;
  }, timeoutMs);

const runOf = async (runId: string | undefined) => {
  assert.ok(runId, 'the task has a run');
  return eventually(`the run ${runId}`, async () => runRows((await switchboard()).agents).find((r) => r.id === runId));
};

describe('Webview panels: the host side of their messages (in the extension host)', function () {
  this.timeout(300_000);
  afterEach(closeEditors);

  it('a live team DAG panel: ready, a task\'s details, Open Output, Cancel, Retry and Open Diff, and the nodes posted as the team changes', async () => {
    structuredOf(await invokeTool('switchboard_team_run', {
      name: TEAM,
      spec: '2:executor:custom',
      task: 'a team for the panel',
      tasks: [{ id: 'P1', title: 'quick part' }, { id: 'P2', title: 'slow part (sleep 120000)' }, { id: 'P3', title: 'other slow part (sleep 120000)' }],
    }));
    await vscode.commands.executeCommand('switchboard.showDag', TEAM);
    const dag = await exchange('dag', `team:${TEAM}`);
    try {
      // The page says it listens: the host posts what changed since the graph the HTML embedded.
      await dag.command({ method: 'ready', params: {} });
      await eventually('a notification after ready', () => headerShown(dag)?.key === `team:${TEAM}`);

      // As the team works, the changed nodes are posted: P1 done, P2 running (P3 after P1 on its worker).
      let shown = await shownWhen(dag, 'P1 done and P2 running', (n) => n.get('P1')?.status === 'done' && n.get('P2')?.status === 'running' && !!n.get('P2')?.runId);
      assert.equal(headerShown(dag)?.active, true);
      const p1 = shown.get('P1')!;
      assert.match(String(p1.worker), /^executor-[12]$/);
      assert.equal(p1.hasBranch, true);

      // details: the last lines of the task's run.
      const details = await dag.request('details', { task: 'P1' });
      assert.equal(details.error, undefined);
      const tail = (details.result as DagProtocol['requests']['details']['result']).outputTail;
      assert.ok(tail.some((line) => /^committed P1\.txt as [0-9a-f]+$/.test(line)), tail.join('\n'));
      const unknown = await dag.request('details', { task: 'P9' });
      assert.equal(unknown.error, 'There is no task P9 in this graph.');
      assert.equal(unknown.result, undefined);

      // act openOutput: the task's run's output document, in the active editor.
      const p1Run = await runOf(p1.runId);
      await dag.command({ method: 'act', params: { action: 'openOutput', task: 'P1' } });
      const output = await documentText('switchboard-output', (t) => t.includes('committed P1.txt'));
      assert.equal(output.uri.path, `/${p1Run.name}.log`);
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), output.uri.toString());

      // act diff: the worker's branch against the base, in a diff editor.
      await dag.command({ method: 'act', params: { action: 'diff', task: 'P1' } });
      const diff = await eventually('the worker\'s diff', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.label.startsWith('P1.txt')));
      assert.ok(diff.label.includes(`${p1.worker}:`) && diff.label.includes(`switchboard/${TEAM}/${p1.worker}`), diff.label);
      const modified = await vscode.workspace.openTextDocument((diff.input as vscode.TabInputTextDiff).modified);
      assert.match(modified.getText(), /^done by \//, 'P1.txt as the worker committed it');

      // act cancel: P2 is cancelled, its agent is gone, the node posted says so; the team goes on (P3).
      const p2Run = await runOf(shown.get('P2')!.runId);
      assert.ok(p2Run.agent, 'P2\'s agent runs');
      await dag.command({ method: 'act', params: { action: 'cancel', task: 'P2' } });
      shown = await shownWhen(dag, 'P2 cancelled', (n) => n.get('P2')?.status === 'cancelled');
      await eventually('P2\'s agent to be gone', () => !pidAlive(p2Run.agent!.pid));
      assert.equal(headerShown(dag)?.active, true, 'P3 keeps the team at work');

      // act retry: P2 runs again from its first attempt, with a run of its own.
      await dag.command({ method: 'act', params: { action: 'retry', task: 'P2' } });
      shown = await shownWhen(dag, 'P2 running again', (n) => n.get('P2')?.status === 'running' && n.get('P2')?.attempts === 1 && !!n.get('P2')?.runId && n.get('P2')?.runId !== p2Run.id);
      assert.equal((await runOf(shown.get('P2')!.runId)).links.task, 'P2');

      // A command for a task the graph does not have is logged and shown as an error; nothing else happens.
      const log = await logLines();
      await dag.command({ method: 'act', params: { action: 'cancel', task: 'P9' } });
      log.dispose();
      assert.deepEqual(log.lines.filter((l) => l.level === 'error').map((l) => l.message), ['[webview] switchboard.dag act: There is no task P9 in this graph.']);

      // The team shut down: its header says so, no longer active, and the panel's title follows.
      await vscode.commands.executeCommand('switchboard.shutdownTeam', TEAM);
      await eventually(() => `the team interrupted (last header: ${JSON.stringify(headerShown(dag))})`, () => headerShown(dag)?.status === 'interrupted' && headerShown(dag)?.active === false);
      await eventually('the panel\'s title', () => dag.probe.panel.title === `DAG: ${TEAM} (interrupted)`);
    } finally {
      dag.dispose();
    }
  });

  it('a team\'s budget report panel: ready posts the report of its runs; a request is answered with an error', async () => {
    await vscode.commands.executeCommand('switchboard.showBudgetReport', { team: TEAM });
    const budget = await exchange('budget', `team:${TEAM}`);
    try {
      await budget.command({ method: 'ready', params: {} });
      const [report] = budget.notifications().map((n) => n.params);
      assert.ok(report, 'ready posted the report at once');
      assert.equal(report.key, `team:${TEAM}`);
      assert.equal(report.title, `Spend of team ${TEAM}`);
      assert.equal(report.status, 'interrupted');
      const runs = runRows((await switchboard()).agents).filter((r) => r.links.team === TEAM);
      assert.equal(report.spent.runs, runs.length);
      assert.equal(runs.length, 4, 'P1, P2 twice, P3');
      assert.deepEqual(report.breakdown.task.map((l) => [l.key, l.runs]).sort(), [[`${TEAM}/P1`, 1], [`${TEAM}/P2`, 2], [`${TEAM}/P3`, 1]]);
      assert.deepEqual(report.breakdown.runner.map((l) => [l.key, l.runs]), [['custom', 4]]);
      const answer = await budget.request('details', {});
      assert.equal(answer.error, 'The budget report answers no requests.');
    } finally {
      budget.dispose();
    }
  });

  it('today\'s budget report panel: a report is posted again when a run starts and ends', async () => {
    await vscode.commands.executeCommand('switchboard.showSpendToday');
    const budget = await exchange('budget', 'today');
    try {
      await budget.command({ method: 'ready', params: {} });
      const first = budget.notifications().at(-1)?.params as BudgetReportView | undefined;
      assert.ok(first, 'ready posted the report at once');
      assert.equal(first.key, 'today');
      const started = await startAgent('spends a little today');
      const last = (): BudgetReportView | undefined => budget.notifications().at(-1)?.params;
      const after = await eventually(() => `a report with one more run (last: ${last()?.spent.runs} runs)`, () => {
        const report = last();
        return report && report.spent.runs === first.spent.runs + 1 && report;
      });
      assert.ok(after.at > first.at);
      const runner = after.breakdown.runner.find((l) => l.key === 'custom');
      assert.equal(runner?.runs, (first.breakdown.runner.find((l) => l.key === 'custom')?.runs ?? 0) + 1);
      assert.ok(after.breakdown.worker.some((l) => l.key === started.name), after.breakdown.worker.map((l) => l.key).join(', '));
    } finally {
      budget.dispose();
    }
  });
});
