/**
 * A goal whose task failed is not ready, however its gates do (they pass on untouched code): without
 * `until_ready` it ends not_ready naming the task; with it the failed task, and the one blocked
 * behind it, are done again in the next iteration, in their order, and the goal goes on to ready.
 * Real git, real gates, scripted agents; a task gets one attempt from its team.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { gitIn as git, gitWorkerCommand, makeRepo } from '../support/gitRepo';
import { createHarness, tempDir, type Harness } from '../support/harness';

const worker = gitWorkerCommand;
const passing = { name: 'ok', command: 'true', required: true };

describe('a goal with a task that failed', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(async () => h.cleanup());

  it('ends not_ready naming the task, though its gates passed', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--fail') } }, teams: { roles: {}, copyFiles: [], maxAttempts: 1 } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'make T1', workspace: makeRepo(), tasks: [{ title: 'the part' }], runner: 'custom', maxAgents: 1, gates: [passing] });
    const ended = await goals.settled(created.id);
    assert.equal(ended.status, 'not_ready');
    assert.deepEqual(ended.iterations.map((i) => [i.gates?.map((g) => g.passed), i.passed]), [[[true], false]]);
    assert.match(ended.failure ?? '', /^not ready: 1 task\(s\) not done: T1 failed/);
    const proof = await goals.proof(created.id);
    assert.equal(proof.status, 'not_ready');
    assert.ok(proof.knownGaps.some((g) => /^1 task\(s\) not done: T1 failed/.test(g)), proof.knownGaps.join(' | '));
  });

  it('with until_ready, does the failed task and the one blocked behind it again, in order, and goes on to ready', async () => {
    const once = path.join(tempDir('sb-fail-once-'), 'failed');
    h = await createHarness({ runners: { custom: { command: worker('--fail-once', once) } }, teams: { roles: {}, copyFiles: [], maxAttempts: 1 } });
    const goals = h.switchboard.goals;
    const workspace = makeRepo();
    const created = await goals.create({ objective: 'two parts', workspace, tasks: [{ id: 'T1', title: 'the first part' }, { id: 'T2', title: 'the second part', dependsOn: ['T1'] }], runner: 'custom', maxAgents: 2, untilReady: true, gates: [passing] });
    const ended = await goals.settled(created.id);
    assert.equal(ended.status, 'ready', ended.failure);
    assert.deepEqual(ended.iterations.map((i) => [i.tasks, i.passed]), [[['T1', 'T2'], false], [['T3', 'T4'], true]]);
    assert.deepEqual(ended.tasks.map((t) => [t.id, t.title, t.status, t.dependsOn]), [
      ['T1', 'the first part', 'failed', []],
      ['T2', 'the second part', 'blocked', ['T1']],
      ['T3', 'the first part', 'done', []],
      ['T4', 'the second part', 'done', ['T3']],
    ]);
    assert.match(ended.tasks[2]!.description ?? '', /An earlier attempt \(T1\) failed/);
    assert.deepEqual(git(workspace, 'ls-tree', '--name-only', ended.branch).split('\n').sort(), ['README.md', 'T3.txt', 'T4.txt']);
    const proof = await goals.proof(created.id);
    assert.ok(!proof.knownGaps.some((g) => /task/.test(g)), `the redone tasks are not gaps: ${proof.knownGaps.join(' | ')}`);
  });
});
