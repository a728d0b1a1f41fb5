/**
 * The team scheduler over real runs (the scripted fake agent as each task's agent): dependency
 * order, immediate start of dependents, parallel workers, retries, blocking on failure, tasks
 * added and cancelled while it runs.
 */
import * as assert from 'node:assert/strict';
import type { RunRegistry } from '../../src/core/registry/registry';
import { isFinished } from '../../src/core/runs/types';
import { tasksFromSpecs } from '../../src/core/dag/graph';
import type { Task, TaskSpec } from '../../src/core/dag/task';
import { Scheduler } from '../../src/core/teams/scheduler';
import { createHarness, fakeCommand, until, type Harness } from '../support/harness';

describe('team scheduler', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h.cleanup());

  /** A scheduler whose tasks run the fake agent; `exitFor` says how each attempt of a task ends. */
  function team(specs: TaskSpec[], workers: string[], exitFor: (task: Task, attempt: number) => number = () => 0, sleepMs = 400) {
    const registry: RunRegistry = h.registry;
    /** The statuses after each change, in order. */
    const history: string[] = [];
    const scheduler = new Scheduler(tasksFromSpecs(specs), workers, {
      start: async (task, worker, attempt) =>
        (await registry.run({ runner: 'custom', prompt: `${task.id} by ${worker}`, command: fakeCommand('--sleep', String(sleepMs), '--exit', String(exitFor(task, attempt))), links: { team: 't', task: task.id } })).id,
      stop: async (runId) => void (await registry.kill(runId, { source: 'test', force: true })),
      changed: (tasks) => void history.push(tasks.map((t) => `${t.id}:${t.status}`).join(' ')),
    });
    const listener = registry.onDidChange(({ run }) => {
      if (run.links.team === 't' && isFinished(run.status)) scheduler.runEnded(run.id, run.status === 'done', run.lastError);
    });
    const settled = async (): Promise<void> => {
      await until(() => scheduler.settled, 30_000, 'every task to settle');
      listener.dispose();
    };
    const task = (id: string): Task => scheduler.all.find((t) => t.id === id)!;
    return { scheduler, settled, task, history };
  }

  it('respects dependencies, starts dependents as soon as their last dependency is done, and uses every worker', async () => {
    const { scheduler, settled, task, history } = team([{ title: 'schema' }, { title: 'api', dependsOn: ['T1'] }, { title: 'ui', dependsOn: ['T1'] }, { title: 'tests', dependsOn: ['T2', 'T3'] }], ['w1', 'w2']);
    scheduler.pump();
    assert.deepEqual(scheduler.all.map((t) => t.status), ['running', 'pending', 'pending', 'pending']);
    await settled();
    assert.deepEqual(scheduler.all.map((t) => t.status), ['done', 'done', 'done', 'done']);
    const [t1, t2, t3, t4] = ['T1', 'T2', 'T3', 'T4'].map(task) as [Task, Task, Task, Task];
    assert.ok(t2.startedAt! >= t1.endedAt! && t3.startedAt! >= t1.endedAt!, 'after their dependency');
    // At once, not on a timer: the change right after T1 is done already has T2 running.
    const t1Done = history.findIndex((h) => h.startsWith('T1:done'));
    assert.match(history[t1Done + 1]!, /T2:running/);
    assert.notEqual(t2.worker, t3.worker, 'side by side on both workers');
    assert.ok(t2.startedAt! < t3.endedAt! && t3.startedAt! < t2.endedAt!, 'in parallel');
    assert.ok(t4.startedAt! >= Math.max(t2.endedAt!, t3.endedAt!));
    assert.equal(h.registry.resolve(t4.runId!).links.task, 'T4');
  });

  it('retries a failed task once, then fails it and blocks everything that depends on it', async () => {
    const { scheduler, settled, task } = team(
      [{ title: 'flaky' }, { title: 'broken' }, { title: 'after broken', dependsOn: ['T2'] }, { title: 'after that', dependsOn: ['T3'] }, { title: 'independent' }],
      ['w1', 'w2', 'w3'],
      (t, attempt) => (t.id === 'T1' && attempt === 1) || t.id === 'T2' ? 1 : 0,
      150,
    );
    scheduler.pump();
    await settled();
    assert.deepEqual([task('T1').status, task('T1').attempts], ['done', 2]);
    assert.deepEqual([task('T2').status, task('T2').attempts], ['failed', 2]);
    assert.match(task('T2').reason ?? '', /exited with code 1/);
    assert.deepEqual([task('T3').status, task('T3').reason, task('T4').status, task('T4').reason], ['blocked', 'T2 failed', 'blocked', 'T2 failed']);
    assert.equal(task('T5').status, 'done');
    assert.equal(task('T3').runId, undefined, 'a blocked task never ran');
  });

  it('takes tasks added while it runs (refusing a cycle or an unknown dependency) and cancels one with its run', async () => {
    const { scheduler, settled, task } = team([{ title: 'first' }, { title: 'long', dependsOn: [] }], ['w1', 'w2'], () => 0, 600);
    scheduler.pump();
    const [added] = scheduler.add([{ title: 'later', dependsOn: ['T1'] }]);
    assert.equal(added!.id, 'T3');
    assert.throws(() => scheduler.add([{ id: 'X', title: 'x', dependsOn: ['nope'] }]), /depends on nope, which is not a task/);
    assert.throws(() => scheduler.add([{ id: 'Y', title: 'y', dependsOn: ['Z'] }, { id: 'Z', title: 'z', dependsOn: ['Y'] }]), /cycle: Y -> Z -> Y/);
    assert.equal(scheduler.all.length, 3, 'refused tasks are not added');
    await until(() => task('T2').status === 'running' && !!task('T2').runId, 10_000, 'T2 to run');
    const runId = task('T2').runId!;
    await scheduler.cancel('T2');
    await settled();
    assert.deepEqual(scheduler.all.map((t) => t.status), ['done', 'cancelled', 'done']);
    assert.equal(h.registry.resolve(runId).status, 'killed');
    await assert.rejects(scheduler.cancel('T2'), /already cancelled/);
  });

  it('tries a cancelled task again from its first attempt, and what it blocked waits for it again', async () => {
    const { scheduler, settled, task } = team([{ title: 'slow' }, { title: 'after', dependsOn: ['T1'] }, { title: 'other' }], ['w1'], () => 0, 300);
    scheduler.pump();
    await until(() => task('T1').status === 'running' && !!task('T1').runId, 10_000, 'T1 to run');
    await scheduler.cancel('T1');
    assert.deepEqual([task('T2').status, task('T2').reason], ['blocked', 'T1 was cancelled']);
    assert.throws(() => scheduler.retry('T3'), /T3 is (pending|running); only a failed or cancelled task can be retried/);
    assert.throws(() => scheduler.retry('T9'), /There is no task T9/);
    const retried = scheduler.retry('T1');
    assert.ok(retried.attempts <= 1, 'from its first attempt');
    assert.deepEqual([task('T2').status, task('T2').reason], ['pending', undefined]);
    await settled();
    assert.deepEqual(scheduler.all.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done'], ['T3', 'done']]);
  });
});
