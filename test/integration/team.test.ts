/**
 * A team over a real git repository with a scripted agent that edits and commits (the custom
 * runner): workers in their own worktrees and branches, tasks in dependency order, the record on
 * disk, conflict scores of the branches, and a shutdown that takes every worker's process tree.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { treeMembers } from '../../src/core/proc/killTree';
import { conflictMatrix } from '../../src/core/git/mergeScore';
import { loadTeam } from '../../src/core/teams/teamStore';
import { Team } from '../../src/core/teams/team';
import { gitIn, makeRepo } from '../support/gitRepo';
import { createHarness, pidAlive, ROOT, tempDir, until, type Harness } from '../support/harness';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const git = gitIn;
const repo = (): string => makeRepo({ 'README.md': '# project\n' });

describe('teams', function () {
  this.timeout(60_000);
  let h: Harness;
  const teams: Team[] = [];
  const harness = async (workerArgs = ''): Promise<Harness> =>
    (h = await createHarness({ runners: { custom: { command: `'${process.execPath}' '${WORKER}' ${workerArgs} {prompt}` } } }));
  afterEach(async () => {
    for (const t of teams.splice(0)) t.dispose();
    await h.cleanup();
  });

  it('two workers in their own worktrees do the tasks in dependency order and commit on their branches', async () => {
    await harness('--sleep 300');
    const workspace = repo();
    const team = await Team.start({ registry: h.registry }, {
      name: 'alpha',
      spec: '2:executor:custom',
      task: 'build the thing',
      tasks: [{ title: 'base' }, { title: 'left', dependsOn: ['T1'] }, { title: 'right', dependsOn: ['T1'] }, { title: 'join', dependsOn: ['T2', 'T3'] }],
      workspace,
    });
    teams.push(team);
    assert.deepEqual(team.record.workers.map((w) => [w.name, w.branch]), [['executor-1', 'switchboard/alpha/executor-1'], ['executor-2', 'switchboard/alpha/executor-2']]);
    await until(() => team.settled, 30_000, 'the team to finish');
    const saved = loadTeam(h.stateDir, 'alpha');
    assert.equal(saved.status, 'done');
    assert.deepEqual(saved.tasks.map((t) => t.status), ['done', 'done', 'done', 'done']);
    const at = (id: string) => saved.tasks.find((t) => t.id === id)!;
    assert.ok(at('T2').startedAt! >= at('T1').endedAt! && at('T4').startedAt! >= Math.max(at('T2').endedAt!, at('T3').endedAt!));
    // Each task's commit is on the branch of the worker that did it, not on main.
    for (const task of saved.tasks) assert.equal(git(workspace, 'log', '--format=%s', '-1', `switchboard/alpha/${task.worker}`, '--', `${task.id}.txt`), `${task.id}: done`);
    assert.equal(git(workspace, 'log', '--format=%s', 'main'), 'initial');
    const run = h.registry.resolve(at('T2').runId!);
    assert.deepEqual([run.links.team, run.links.task, run.pool], ['alpha', 'T2', 'teams']);
    assert.match(run.prompt, /You are an executor[\s\S]*Team goal: build the thing[\s\S]*Your task \(T2\): left/);
    const scores = await conflictMatrix(workspace, ['switchboard/alpha/executor-1', 'switchboard/alpha/executor-2'], 'main');
    assert.equal(scores.pairs[0]!.score, 0, 'disjoint files do not conflict');
  });

  it('a failing task blocks its dependents and fails the team; a folder that is not a repository is shared, with a warning', async () => {
    await harness('--fail');
    const workspace = tempDir('sb-team-plain-');
    const team = await Team.start({ registry: h.registry }, { name: 'beta', spec: '1:executor:custom', task: 'x', tasks: [{ title: 'breaks' }, { title: 'after', dependsOn: ['T1'] }], workspace, maxAttempts: 1 });
    teams.push(team);
    assert.match(team.record.warning ?? '', /not a git repository/);
    assert.equal(team.record.workers[0]!.cwd, workspace);
    await until(() => team.settled, 30_000, 'the team to finish');
    const saved = loadTeam(h.stateDir, 'beta');
    assert.deepEqual([saved.status, saved.tasks[0]!.status, saved.tasks[1]!.status, saved.tasks[1]!.reason], ['failed', 'failed', 'blocked', 'T1 failed']);
  });

  it('shutdown stops every worker and its whole process tree, and marks the team interrupted', async () => {
    await harness('--sleep 30000');
    const team = await Team.start({ registry: h.registry }, { name: 'gamma', spec: '2:executor:custom', task: 'x', tasks: [{ title: 'a' }, { title: 'b' }], workspace: repo() });
    teams.push(team);
    await until(() => team.record.tasks.every((t) => t.runId && h.registry.resolve(t.runId).agent), 10_000, 'both tasks to run');
    const trees = team.record.tasks.flatMap((t) => treeMembers(h.registry.resolve(t.runId!).agent!));
    const record = await team.shutdown({ force: true });
    assert.equal(record.status, 'interrupted');
    assert.deepEqual(record.tasks.map((t) => t.status), ['cancelled', 'cancelled']);
    await until(() => trees.every((p) => !pidAlive(p.pid)), 10_000, 'every worker process to die');
    assert.equal(loadTeam(h.stateDir, 'gamma').status, 'interrupted');
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(h.registry.list({ status: 'running' }), [], 'no task was retried after the shutdown');
  });

  it('a graceful shutdown interrupts the workers first and kills only what does not stop', async () => {
    await harness('--sleep 30000');
    const team = await Team.start({ registry: h.registry }, { name: 'delta', spec: '2:executor:custom', task: 'x', tasks: [{ title: 'a' }, { title: 'b' }], workspace: repo() });
    teams.push(team);
    await until(() => team.record.tasks.every((t) => t.runId && h.registry.resolve(t.runId).agent), 10_000, 'both tasks to run');
    const record = await team.shutdown();
    assert.equal(record.status, 'interrupted');
    for (const task of record.tasks) {
      const controls = h.registry.events(task.runId!).filter((e) => e.type === 'control');
      assert.deepEqual(controls.map((e) => e.type === 'control' && [e.action, e.source]), [['interrupt', 'team delta shutdown']], 'the interrupt was enough');
      assert.notEqual(h.registry.resolve(task.runId!).status, 'running');
    }
  });
});
