/**
 * Teams through the TeamService, over real git and a scripted agent that edits and commits: the
 * planner step (a rejected plan retried), dependents building on their dependencies' commits, work
 * left uncommitted committed by Switchboard, merge scores and merging, worktrees kept until merged
 * or forced, a failed start leaving nothing behind, and requests to a team run by another process.
 */
import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { TeamService } from '../../src/core/teams/teamService';
import { loadTeam } from '../../src/core/teams/teamStore';
import { gitIn as git, makeRepo } from '../support/gitRepo';
import { CLI, createHarness, ROOT, tempDir, until, type Harness } from '../support/harness';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const quoted = (args: string[]): string => args.map((a) => `'${a}'`).join(' ');
const workerCommand = (...args: string[]): string => `${quoted([process.execPath, WORKER, ...args])} {prompt}`;
const refused = (code: string, pattern: RegExp) => (e: SwitchboardError) => e.code === code && pattern.test(e.message);

describe('team service', function () {
  this.timeout(90_000);
  let h: Harness;
  let teams: TeamService;
  const open = async (...workerArgs: string[]): Promise<void> => {
    h = await createHarness({ runners: { custom: { command: workerCommand(...workerArgs) } } });
    teams = h.switchboard.teams;
  };
  afterEach(async () => {
    teams.dispose();
    await h.cleanup();
  });

  /** `switchboard team run <args>` in a process of its own, once its first task's agent runs (not only its run recorded: killed before its launch, the run never starts). */
  const teamInAnotherProcess = async (args: string[]): Promise<{ owner: ChildProcess; exited: Promise<number | null> }> => {
    const owner = spawn(process.execPath, [CLI, 'team', 'run', ...args], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => owner.once('exit', resolve));
    const name = args[args.indexOf('--name') + 1]!;
    await until(() => {
      try {
        const task = loadTeam(h.stateDir, name).tasks[0]!;
        return task.status === 'running' && !!task.runId && h.registry.resolve(task.runId).status === 'running';
      } catch {
        return false;
      }
    }, 20_000, `team ${name}'s first task to run in the other process`);
    return { owner, exited };
  };

  it('a planner plans (its rejected plan retried with the reason), executors do the plan, and the planner worktree goes at the end', async () => {
    await open('--plan', '3', '--chain', '--bad-plan');
    const workspace = makeRepo();
    const started = await teams.run({ name: 'planned', spec: '1:planner:custom,2:executor:custom', task: 'make three parts', workspace });
    assert.equal(started.status, 'planning');
    const record = await teams.finished('planned');
    assert.equal(record.status, 'done', record.reason);
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status, t.dependsOn]), [['T1', 'done', []], ['T2', 'done', ['T1']], ['T3', 'done', ['T2']]]);
    assert.equal(record.plan!.runIds.length, 2);
    assert.match(record.plan!.rejected![0]!, /cycle: T1 -> T3 -> T2 -> T1|cycle: T\d( -> T\d)+/);
    const retry = h.registry.resolve(record.plan!.runIds[1]!);
    assert.match(retry.prompt, /You are the planner[\s\S]*Your previous plan was rejected: .*cycle/);
    assert.deepEqual([retry.links.task, retry.pool], ['plan', 'teams']);
    assert.ok(record.tasks.every((t) => t.worker?.startsWith('executor-')), 'the planner takes no tasks');
    const planner = record.workers.find((w) => w.role === 'planner')!;
    assert.equal(fs.existsSync(planner.folder!), false, 'nothing unmerged: the planner worktree is removed');
    // The chain went to one executor: its unmerged work keeps its worktree; the idle one's is gone.
    const busy = new Set(record.tasks.map((t) => t.worker));
    for (const w of record.workers.filter((x) => x.role === 'executor')) assert.equal(fs.existsSync(w.folder!), busy.has(w.name), w.name);
    assert.match(teams.dag('planned').ascii, /critical path \(\*\): T1 → T2 → T3/);
  });

  it('tasks for a role go to that role\'s workers; other tasks to the executors, not to reviewers or planners', async () => {
    await open();
    await teams.run({ name: 'roles', spec: '1:planner:custom,1:reviewer:custom,1:executor:custom', task: 'x', workspace: makeRepo(), tasks: [{ title: 'build' }, { title: 'also build' }, { title: 'review', role: 'reviewer', dependsOn: ['T1', 'T2'] }] });
    const record = await teams.finished('roles');
    assert.deepEqual(record.tasks.map((t) => [t.id, t.status, t.worker]), [['T1', 'done', 'executor-1'], ['T2', 'done', 'executor-1'], ['T3', 'done', 'reviewer-1']]);
    await assert.rejects(teams.run({ name: 'roles2', spec: '1:executor:custom', task: 'x', workspace: makeRepo(), tasks: [{ title: 'review', role: 'reviewer' }] }), refused('invalid_argument', /Task T1 is for role reviewer, which no worker of the team has/));
  });

  it('runs that end before their start returns still settle their tasks (40 instant agents on 4 workers)', async () => {
    h = await createHarness({ runners: { custom: { command: 'true {prompt}' } } });
    teams = h.switchboard.teams;
    const tasks = Array.from({ length: 40 }, (_, i) => ({ title: `instant ${i + 1}`, dependsOn: i >= 4 ? [`T${i - 3}`] : [] }));
    await teams.run({ name: 'instant', spec: '4:executor:custom', task: 'x', workspace: tempDir('sb-instant-'), tasks });
    const record = await teams.finished('instant');
    assert.equal(record.status, 'done');
    assert.ok(record.tasks.every((t) => t.status === 'done' && t.attempts === 1 && t.runId), JSON.stringify(record.tasks.filter((t) => t.status !== 'done')));
  });

  it('a planner that gives no usable plan twice fails the team with the reason', async () => {
    h = await createHarness({ runners: { custom: { command: `'${process.execPath}' -e "console.log('no plan today')" {prompt}` } } });
    teams = h.switchboard.teams;
    await teams.run({ name: 'noplan', spec: '1:planner:custom,1:executor:custom', task: 'x', workspace: makeRepo() });
    const record = await teams.finished('noplan');
    assert.equal(record.status, 'failed');
    assert.match(record.reason!, /No usable plan after 2 planner run\(s\): No plan was found/);
  });

  it('a dependent works on top of its dependencies\' commits, and work left uncommitted is committed for it', async () => {
    await open('--no-commit');
    const workspace = makeRepo();
    await teams.run({ name: 'stack', spec: '2:executor:custom', task: 'x', workspace, tasks: [{ title: 'left' }, { title: 'right' }, { title: 'join', dependsOn: ['T1', 'T2'] }] });
    const record = await teams.finished('stack');
    assert.equal(record.status, 'done');
    const join = record.tasks[2]!;
    const branch = record.workers.find((w) => w.name === join.worker)!.branch!;
    assert.deepEqual(git(workspace, 'ls-tree', '--name-only', branch).split('\n').sort(), ['README.md', 'T1.txt', 'T2.txt', 'T3.txt']);
    for (const task of record.tasks) {
      assert.ok(task.result?.commit, `${task.id} has a commit`);
      assert.match(git(workspace, 'log', '-1', '--format=%B', task.result!.commit!), new RegExp(`^${task.id}: ${task.title}\\n\\nCommitted by Switchboard: worker ${task.worker} left these changes uncommitted`));
    }
    assert.deepEqual(join.result!.changedFiles, ['T3.txt'], 'the merged-in work is not the task\'s own');
    assert.equal(git(workspace, 'log', '--format=%s', 'main'), 'initial');
  });

  it('scores conflicts, merges a clean branch, refuses a conflicting one naming the file, and keeps its worktree until forced', async () => {
    await open('--file', 'README.md', '--line', 'edited', '--at', '0');
    const workspace = makeRepo({ 'README.md': 'first line\nsecond line\n' });
    await teams.run({ name: 'clash', spec: '2:executor:custom', task: 'x', workspace, tasks: [{ title: 'a' }, { title: 'b' }] });
    assert.equal((await teams.finished('clash')).status, 'done');
    const status = await teams.mergeStatus('clash');
    assert.equal(status.pairs[0]!.score, 2, 'one file, one hunk');
    assert.deepEqual(status.pairs[0]!.files.map((f) => f.path), ['README.md']);
    assert.deepEqual(status.againstBase.map((p) => p.score), [0, 0]);
    const [first, second] = teams.get('clash').workers;
    const merged = await teams.mergeWorker('clash', first!.name);
    assert.deepEqual([merged.alreadyMerged, merged.files, merged.removedWorktree], [false, ['README.md'], true]);
    assert.equal(fs.existsSync(first!.folder!), false);
    await assert.rejects(teams.mergeWorker('clash', second!.name), refused('merge_conflict', /cannot be merged into main cleanly: 1 file\(s\) conflict: README\.md \(1 hunk\)/));
    assert.equal(git(workspace, 'status', '--porcelain'), '', 'a refused merge touches nothing');
    const kept = await teams.removeWorktrees('clash');
    assert.deepEqual(kept.map((r) => [r.worker, r.removed]), [[second!.name, false]]);
    assert.match(kept[0]!.reason!, /has 1 commit\(s\) not merged into main/);
    assert.deepEqual((await teams.removeWorktrees('clash', { force: true })).map((r) => r.removed), [true]);
    assert.ok(git(workspace, 'branch', '--list', 'switchboard/clash/*').includes(second!.branch!), 'the branch stays: nothing committed is lost');
    await assert.rejects(teams.mergeWorker('clash', 'nobody'), (e: SwitchboardError) => /^Team clash has no worker nobody\.$/.test(e.message) && e.hint === 'Its workers: executor-1, executor-2.');
  });

  it('a start that fails on a later worker leaves no worktree or branch behind', async () => {
    await open();
    const workspace = makeRepo();
    const flag = path.join(tempDir('sb-flag-'), 'second');
    const setup = `'${process.execPath}' -e "const fs=require('fs'); if (fs.existsSync('${flag}')) process.exit(3); fs.writeFileSync('${flag}', '')"`;
    await assert.rejects(teams.run({ name: 'halfway', spec: '2:executor:custom', task: 'x', workspace, setup }), /setup/i);
    assert.equal(git(workspace, 'branch', '--list', 'switchboard/*'), '');
    assert.equal(git(workspace, 'worktree', 'list').split('\n').length, 1);
  });

  it('another process adds, cancels and shuts down through the process that runs the team', async () => {
    await open('--sleep', '30000');
    // The other process reads its configuration from the state folder.
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ runners: { custom: { command: workerCommand('--sleep', '30000') } } }));
    const workspace = makeRepo();
    const { owner, exited } = await teamInAnotherProcess(['1:executor:custom', 'slow work', '--name', 'remote', '--cwd', workspace]);
    try {
      assert.equal(teams.team('remote'), undefined, 'not run here');
      const [added] = await teams.addTasks('remote', [{ title: 'more', dependsOn: ['T1'] }]);
      assert.deepEqual([added!.id, added!.status], ['T2', 'pending']);
      await assert.rejects(teams.addTasks('remote', [{ title: 'bad', dependsOn: ['T9'] }]), refused('invalid_argument', /depends on T9, which is not a task/));
      assert.equal((await teams.cancelTask('remote', 'T2')).status, 'cancelled');
      // Requests are answered at once now: T1's run must be under way for the shutdown to interrupt it.
      await until(() => !!teams.get('remote').tasks[0]!.runId, 20_000, 'T1 to be running');
      const stopped = await teams.shutdown('remote', true);
      assert.equal(stopped.status, 'interrupted');
      assert.equal(await exited, 1);
      await assert.rejects(teams.addTasks('remote', [{ title: 'late' }]), refused('not_running', /Team remote is interrupted/));
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it('a team whose process died is shown orphaned, and resumed here it finishes its work', async () => {
    await open('--sleep', '2000');
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ runners: { custom: { command: workerCommand('--sleep', '2000') } } }));
    const workspace = makeRepo();
    const tasks = path.join(tempDir('sb-tasks-'), 'tasks.json');
    fs.writeFileSync(tasks, JSON.stringify([{ title: 'first' }, { title: 'second', depends_on: ['T1'] }]));
    const { owner, exited } = await teamInAnotherProcess(['1:executor:custom', 'two steps', '--name', 'orphan', '--tasks', tasks, '--cwd', workspace]);
    owner.kill('SIGKILL');
    await exited;
    assert.equal(teams.status('orphan').owned, false);
    await assert.rejects(teams.addTasks('orphan', [{ title: 'more' }]), refused('not_running', /has exited, so nothing schedules its tasks/));
    await teams.resume('orphan');
    assert.equal(teams.status('orphan').owned, true);
    const record = await teams.finished('orphan');
    assert.equal(record.status, 'done');
    assert.deepEqual(record.tasks.map((t) => [t.status, t.attempts]), [['done', 1], ['done', 1]], 'the first run was not started again');
    assert.equal(record.owner!.pid, process.pid);
  });
});
