/** The task graph: ids and checks, cycles and unknown dependencies named, readiness, blocking, the critical path, the ASCII view. */
import * as assert from 'node:assert/strict';
import type { SwitchboardError } from '../../src/core/errors';
import { checkGraph, criticalPath, dependentsOf, findCycle, layers, readyTasks, tasksFromSpecs } from '../../src/core/dag/graph';
import { renderDag } from '../../src/core/dag/render';
import type { Task, TaskStatus } from '../../src/core/dag/task';

const graph = (edges: Record<string, string[]>, status: Partial<Record<string, TaskStatus>> = {}): Task[] =>
  Object.entries(edges).map(([id, dependsOn]) => ({ id, title: `do ${id}`, dependsOn, status: status[id] ?? 'pending', attempts: 0 }));

const refused = (code: string, pattern: RegExp) => (e: SwitchboardError) => e.code === code && pattern.test(e.message);

describe('task graph', () => {
  it('numbers tasks without an id after the existing ones, and keeps given ids', () => {
    const first = tasksFromSpecs([{ title: 'schema' }, { id: 'api', title: 'endpoints', dependsOn: ['T1'] }]);
    assert.deepEqual(first.map((t) => [t.id, t.status, t.dependsOn]), [['T1', 'pending', []], ['api', 'pending', ['T1']]]);
    const more = tasksFromSpecs([{ title: 'tests', dependsOn: ['api'] }], first);
    assert.equal(more[0]!.id, 'T3');
  });

  it('refuses a cycle naming it, an unknown dependency naming it, duplicate ids and bad input', () => {
    assert.throws(() => checkGraph(graph({ T1: [], T3: ['T5'], T5: ['T3'] })), refused('invalid_argument', /cycle: T3 -> T5 -> T3\./));
    assert.throws(() => checkGraph(graph({ A: ['C'], B: ['A'], C: ['B'] })), refused('invalid_argument', /cycle: A -> C -> B -> A\./));
    assert.throws(() => checkGraph(graph({ T1: ['T1'] })), refused('invalid_argument', /cycle: T1 -> T1\./));
    assert.throws(() => tasksFromSpecs([{ id: 'T7', title: 'x', dependsOn: ['T9'] }]), refused('invalid_argument', /Task T7 depends on T9, which is not a task\./));
    assert.throws(() => tasksFromSpecs([{ id: 'A', title: 'x' }, { id: 'A', title: 'y' }]), refused('invalid_argument', /Two tasks have the id A/));
    assert.throws(() => tasksFromSpecs([{ title: '  ' }]), refused('invalid_argument', /has no title/));
    assert.throws(() => tasksFromSpecs([{ id: 'a b', title: 'x' }]), refused('invalid_argument', /"a b" is not a usable task id/));
    assert.equal(findCycle(graph({ A: [], B: ['A'], C: ['A', 'B'] })), undefined);
  });

  it('finds a cycle deep in a long chain without overflowing the stack', () => {
    const edges: Record<string, string[]> = { N0: ['N5000'] };
    for (let i = 1; i <= 5000; i++) edges[`N${i}`] = [`N${i - 1}`];
    assert.equal(findCycle(graph(edges))?.length, 5002);
  });

  it('a task is ready when all its dependencies are done; a failure reaches every dependent', () => {
    const tasks = graph({ A: [], B: ['A'], C: ['A'], D: ['B', 'C'], E: [] }, { A: 'done', B: 'done', C: 'running' });
    assert.deepEqual(readyTasks(tasks).map((t) => t.id), ['E']);
    tasks.find((t) => t.id === 'C')!.status = 'done';
    assert.deepEqual(readyTasks(tasks).map((t) => t.id), ['D', 'E']);
    assert.deepEqual(dependentsOf(graph({ A: [], B: ['A'], C: ['B'], D: [] }), 'A').map((t) => t.id), ['B', 'C']);
  });

  it('the critical path is the longest chain by measured, else expected, duration', () => {
    const tasks = graph({ A: [], B: ['A'], C: ['A'], D: ['B', 'C'] });
    const at = (id: string) => tasks.find((t) => t.id === id)!;
    Object.assign(at('A'), { startedAt: 0, endedAt: 10_000, status: 'done' });
    at('B').expectedMs = 5_000;
    at('C').expectedMs = 50_000;
    at('D').expectedMs = 1_000;
    assert.deepEqual(criticalPath(tasks, 20_000), { ids: ['A', 'C', 'D'], durationMs: 61_000 });
    assert.deepEqual([...layers(tasks)], [['A', 0], ['B', 1], ['C', 1], ['D', 2]]);
  });

  it('renders layers, statuses, dependencies, workers and the critical path', () => {
    const tasks = graph({ T1: [], T2: ['T1'], T3: ['T1'], T4: ['T2', 'T3'] }, { T1: 'done', T2: 'running', T3: 'failed', T4: 'blocked' });
    tasks[1]!.worker = 'executor-1';
    const text = renderDag(tasks, 0);
    assert.match(text, /^layer 0  \*✓ T1  do T1/m);
    assert.match(text, /^layer 1  \*● T2  do T2 +after T1  \[executor-1\]$/m);
    assert.match(text, /^          ✗ T3  do T3 +after T1$/m);
    assert.match(text, /^layer 2  \*⊘ T4  do T4 +after T2, T3$/m);
    assert.match(text, /critical path \(\*\): T1 → T2 → T4/);
    assert.match(text, /tasks: 1 done, 1 running, 1 failed, 1 blocked/);
    assert.equal(renderDag([]), '(no tasks)');
  });
});
