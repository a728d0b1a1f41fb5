/** What the DAG and budget report panels are made from: nodes, blocking, changes in place, and spend over time. */
import * as assert from 'node:assert/strict';
import type { Task } from '../../src/core/dag/task';
import type { RunRecord } from '../../src/core/runs/types';
import type { TeamRecord } from '../../src/core/teams/teamStore';
import type { TeamSnapshot } from '../../src/vscode/teams/teamWatcher';
import { runsReport, spendSeries } from '../../src/vscode/webviews/budgetModel';
import { changedNodes, dagGraph, sameShape } from '../../src/vscode/webviews/dagModel';

const task = (id: string, status: Task['status'], dependsOn: string[] = [], more: Partial<Task> = {}): Task => ({ id, title: `do ${id}`, status, dependsOn, attempts: 1, ...more });

function run(id: string, usage: RunRecord['usage'], endedAt?: number): RunRecord {
  return { id, name: id, runner: 'claude', prompt: '', status: endedAt ? 'done' : 'running', createdAt: 1000, startedAt: 1000, ...(endedAt ? { endedAt } : {}), usage, links: { team: 't', task: id.replace('run-', '') }, outputBytes: 0, eventCount: 0 } as RunRecord;
}

function snapshot(tasks: Task[], runs: RunRecord[] = []): TeamSnapshot {
  const team = { version: 1, name: 't', spec: '1:executor', task: 'x', workspace: '/w', status: 'running', workers: [{ name: 'executor-1', role: 'executor', runner: 'claude', cwd: '/w', branch: 'b' }], tasks, createdAt: 0 } as TeamRecord;
  return { view: { team, counts: {}, workers: [], spend: { runs: 0, usd: 0, usdKnown: true, inputTokens: 0, outputTokens: 0 }, owned: true }, runs: new Map(runs.map((r) => [r.id, r])), discoveries: [] };
}

describe('webview models', () => {
  it('makes a node per task with its runner, spend and the dependencies a blocked task waits on forever', () => {
    const runs = [run('run-A', { inputTokens: 100, outputTokens: 50, usd: 0.25, usdSource: 'estimated' }, 5000)];
    const graph = dagGraph('team:t', 'DAG: t', snapshot([task('A', 'failed', [], { worker: 'executor-1', runId: 'run-A' }), task('B', 'done'), task('C', 'blocked', ['A', 'B'])], runs));
    const [a, , c] = graph.nodes;
    assert.deepEqual([a!.runner, a!.hasBranch, a!.usd, a!.usdEstimated, a!.tokens, a!.runRunning], ['claude', true, 0.25, true, 150, false]);
    assert.deepEqual(c!.blockedBy, ['A']);
    assert.equal(graph.active, true);
    assert.ok(graph.critical.length > 0, 'a critical path');
    assert.match(dagGraph('team:gone', 'DAG: gone', undefined).note ?? '', /no such team/);
  });

  it('tells a status change (same tasks and edges: nodes in place) from a new task or edge (a new layout)', () => {
    const before = dagGraph('team:t', 'DAG', snapshot([task('A', 'running'), task('B', 'pending', ['A'])]));
    const after = dagGraph('team:t', 'DAG', snapshot([task('A', 'done'), task('B', 'pending', ['A'])]));
    assert.ok(sameShape(before, after));
    assert.deepEqual(changedNodes(before, after).map((n) => [n.id, n.status]), [['A', 'done']]);
    assert.ok(!sameShape(before, dagGraph('team:t', 'DAG', snapshot([task('A', 'done'), task('B', 'pending', [])]))), 'an edge went');
    assert.ok(!sameShape(before, dagGraph('team:t', 'DAG', snapshot([task('A', 'done'), task('B', 'pending', ['A']), task('C', 'pending')]))), 'a task came');
  });

  it('adds up spend over time by when each run ended, reported and estimated dollars apart', () => {
    const runs = [
      run('run-1', { inputTokens: 10, outputTokens: 0, usd: 1, usdSource: 'reported' }, 3000),
      run('run-2', { inputTokens: 5, outputTokens: 5, usd: 0.5, usdSource: 'estimated' }, 2000),
      run('run-3', { inputTokens: 1, outputTokens: 0 }),
    ];
    const series = spendSeries(runs, 9000);
    assert.deepEqual(series.map((p) => [p.at, p.reportedUsd, p.estimatedUsd, p.tokens]), [[1000, 0, 0, 0], [2000, 0, 0.5, 10], [3000, 1, 0.5, 20], [9000, 1, 0.5, 21]]);
    const report = runsReport('today', 'Spend today', runs, () => undefined, undefined, 9000);
    assert.deepEqual([report.spent.usd, report.spent.reportedUsd, report.spent.estimatedUsd, report.spent.runs], [1.5, 1, 0.5, 3]);
    assert.deepEqual(report.breakdown.task.map((l) => l.key), ['t/1', 't/2', 't/3']);
  });
});
