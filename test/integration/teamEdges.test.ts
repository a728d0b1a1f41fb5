/**
 * Teams at their edges: a shutdown while starts are under way, a failed attempt's leftovers put
 * aside, the repository's hooks not blocking Switchboard's checkpoint commit, a team let go of when
 * its service closes, a settled team taken over, and two processes racing to take one over.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { treeMembers } from '../../src/core/proc/killTree';
import { readRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { StateMap } from '../../src/core/state/stateMap';
import { TeamService } from '../../src/core/teams/teamService';
import { loadTeam, saveTeam, withTakeoverLock } from '../../src/core/teams/teamStore';
import { gitIn as git, makeRepo } from '../support/gitRepo';
import { CLI, createHarness, pidAlive, ROOT, tempDir, until, type Harness } from '../support/harness';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const tasksFile = (tasks: unknown[]): string => {
  const file = path.join(tempDir('sb-tasks-'), 'tasks.json');
  fs.writeFileSync(file, JSON.stringify(tasks));
  return file;
};
const workerCommand = (...args: string[]): string => `${[process.execPath, WORKER, ...args].map((a) => `'${a}'`).join(' ')} {prompt}`;

describe('teams at their edges', function () {
  this.timeout(90_000);
  let h: Harness;
  let teams: TeamService;
  const open = async (...workerArgs: string[]): Promise<void> => {
    h = await createHarness({ runners: { custom: { command: workerCommand(...workerArgs) } }, teams: { roles: {}, copyFiles: [], maxAttempts: 1 } });
    teams = h.switchboard.teams;
  };
  afterEach(async () => {
    teams.dispose();
    await h.cleanup();
  });

  it('a shutdown right after the start waits for the starts under way and leaves no agent running', async () => {
    await open('--sleep', '30000');
    const tasks = Array.from({ length: 4 }, (_, i) => ({ title: `part ${i + 1}` }));
    await teams.run({ name: 'hasty', spec: '4:executor:custom', task: 'x', workspace: makeRepo(), tasks });
    const record = await teams.shutdown('hasty');
    // Interrupted when some run had started; shut down when every start was stopped before its agent.
    assert.ok(['interrupted', 'shutdown'].includes(record.status), record.status);
    assert.ok(record.tasks.every((t) => t.status === 'cancelled'));
    const runs = h.registry.list({ team: 'hasty' });
    assert.ok(runs.every((r) => r.status !== 'running' && r.status !== 'queued'), runs.map((r) => `${r.name} ${r.status}`).join(', '));
    const agents = runs.flatMap((r) => (r.agent ? treeMembers(r.agent) : []));
    await until(() => agents.every((p) => !pidAlive(p.pid)), 10_000, 'every agent to be gone');
    await assert.rejects(teams.addTasks('hasty', [{ title: 'late' }]), /Team hasty is (interrupted|shutdown)/);
  });

  it('a failed attempt\'s leftovers go to a stash, not into the next task\'s commit', async () => {
    await open('--write-then-fail');
    const workspace = makeRepo();
    await teams.run({ name: 'stash', spec: '1:executor:custom', task: 'x', workspace, tasks: [{ title: 'gives up' }] });
    const record = await teams.finished('stash');
    assert.equal(record.status, 'failed');
    assert.match(record.tasks[0]!.reason!, new RegExp(`what it left uncommitted was put in a stash: see \`git stash list\` in ${workspace}`));
    // Clean once its leftovers were put aside, with nothing unmerged: its worktree went with the team.
    assert.equal(fs.existsSync(record.workers[0]!.folder!), false);
    assert.match(git(workspace, 'stash', 'list'), /switchboard: T1 attempt 1 \(failed\) left this/);
    assert.match(git(workspace, 'stash', 'show', '--include-untracked', '--name-only', 'stash@{0}'), /T1\.half\.txt/);
  });

  it('the repository\'s hooks do not block the checkpoint commit of a worker\'s leftovers', async () => {
    await open('--no-commit');
    const workspace = makeRepo();
    const hook = path.join(workspace, '.git', 'hooks', 'pre-commit');
    fs.writeFileSync(hook, '#!/bin/sh\necho "lint failed" >&2\nexit 1\n', { mode: 0o755 });
    await teams.run({ name: 'hooked', spec: '1:executor:custom', task: 'x', workspace, tasks: [{ title: 'write' }] });
    const record = await teams.finished('hooked');
    assert.equal(record.status, 'done', record.tasks[0]!.reason);
    assert.ok(record.tasks[0]!.result?.commit);
    assert.equal(git(workspace, 'show', `${record.workers[0]!.branch}:T1.txt`).startsWith('done by'), true);
  });

  it('a team still at work when its service closes is let go of, and a settled one taken over finishes', async () => {
    await open('--sleep', '30000');
    await teams.run({ name: 'left', spec: '1:executor:custom', task: 'x', workspace: makeRepo(), tasks: [{ title: 'long' }] });
    await until(() => loadTeam(h.stateDir, 'left').tasks[0]!.status === 'running', 10_000, 'the task to run');
    teams.dispose();
    const released = loadTeam(h.stateDir, 'left');
    assert.deepEqual([released.status, released.owner], ['running', undefined]);
    teams = new TeamService(h.registry, { owner: h.switchboard.owner });
    assert.equal(teams.status('left').owned, false);
    // A new team cannot take its name: it would replace the record of a team whose agent still works.
    await assert.rejects(teams.run({ name: 'left', spec: '1:executor:custom', task: 'y', workspace: tempDir('sb-plain-'), tasks: [{ title: 'other' }] }), (e: SwitchboardError) => e.code === 'name_taken' && e.message === 'Team left is running, and the process that ran it has exited.' && /switchboard team resume left/.test(e.hint ?? ''));
    assert.equal(loadTeam(h.stateDir, 'left').task, 'x');

    // Its task ended while nobody ran it: taken over, the team settles at once.
    // Its run id may not have been saved before it was let go: the takeover finds the run by its task.
    await until(() => h.registry.list({ team: 'left' }).length === 1, 10_000, 'its run to be in the registry');
    const run = h.registry.list({ team: 'left' })[0]!;
    await h.registry.kill(run.id, { source: 'test', force: true });
    await h.registry.wait(run.id, 10_000);
    await teams.resume('left');
    const ended = await teams.finished('left');
    assert.deepEqual([ended.status, ended.tasks[0]!.status], ['failed', 'failed']);
  });

  it('a team that ended keeps its name: a new team of that name is refused, even in a folder without git where no branch stands in the way', async () => {
    await open();
    const folder = tempDir('sb-plain-');
    await teams.run({ name: 'once', spec: '1:executor:custom', task: 'the first', workspace: folder, tasks: [{ title: 'a' }] });
    // (The scripted agent cannot commit without git: the team ends failed, which is as settled as done.)
    const ended = (await teams.finished('once')).status;
    await assert.rejects(teams.run({ name: 'once', spec: '1:executor:custom', task: 'the second', workspace: folder, tasks: [{ title: 'b' }] }), (e: SwitchboardError) => e.code === 'name_taken' && e.message === `There is a team once already (${ended}); its record, branches and discoveries go by that name.`);
    const kept = loadTeam(h.stateDir, 'once');
    assert.deepEqual([kept.task, kept.tasks.map((t) => t.title)], ['the first', ['a']]);
  });

  it('two takeovers of one team at once: the second is refused while the first holds the lock', async () => {
    await open();
    saveTeam(h.stateDir, { version: 1, name: 'contested', spec: '1:executor', task: 'x', workspace: h.stateDir, status: 'running', workers: [], tasks: [], createdAt: Date.now() });
    let release!: () => void;
    const first = withTakeoverLock(h.stateDir, 'contested', () => new Promise<void>((resolve) => (release = resolve)));
    await assert.rejects(withTakeoverLock(h.stateDir, 'contested', async () => undefined), /Team contested is being taken over by process \d+/);
    release();
    await first;
    assert.equal(await withTakeoverLock(h.stateDir, 'contested', async () => 'free again'), 'free again');
    await assert.rejects(teams.resume('nobody'), (e: SwitchboardError) => e.code === 'unknown_team' && e.message === 'There is no team nobody.');
  });

  it('a forced shutdown asked while a graceful one is under way holds for the runs still being started: killed at once, and the team interrupted', async () => {
    await open('--ignore-sigint', '--sleep', '30000');
    await teams.run({ name: 'hurried', spec: '2:executor:custom', task: 'x', workspace: makeRepo(), tasks: [{ title: 'a' }, { title: 'b' }] });
    // Their agents run (as another process sees on disk) while their starts may not have returned here yet: not in this registry then.
    await until(() => recordsOnDisk(h.stateDir).filter((r) => r.links.team === 'hurried' && r.agent).length === 2, 20_000, 'both agents to run');
    const [record] = await Promise.all([teams.shutdown('hurried'), teams.shutdown('hurried', true)]);
    assert.deepEqual([record.status, record.tasks.map((t) => t.status)], ['interrupted', ['cancelled', 'cancelled']]);
    const runs = h.registry.list({ team: 'hurried' });
    assert.deepEqual(runs.map((r) => r.status), ['killed', 'killed']);
    const interrupts = runs.flatMap((r) => h.registry.events(r.id).filter((e) => e.type === 'control' && e.action === 'interrupt'));
    assert.deepEqual(interrupts, [], 'killed at once, not interrupted and given the grace time first');
  });

  it('`team run` in a terminal: Ctrl-C shuts the team down, a second Ctrl-C kills at once, and the record says interrupted', async () => {
    await open('--sleep', '30000');
    // The CLI reads its configuration from the state folder.
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ runners: { custom: { command: workerCommand('--ignore-sigint', '--sleep', '30000') } } }));
    const cli = spawn(process.execPath, [CLI, 'team', 'run', '2:executor:custom', 'x', '--name', 'ctrlc', '--tasks', tasksFile([{ title: 'a' }, { title: 'b' }]), '--cwd', makeRepo()], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    cli.stderr.on('data', (d) => (said += d));
    const exited = new Promise<number | null>((resolve) => cli.once('exit', resolve));
    await until(() => h.registry.list({ team: 'ctrlc', status: 'running' }).filter((r) => r.agent).length === 2, 20_000, 'both workers to run');
    const agents = h.registry.list({ team: 'ctrlc' }).flatMap((r) => treeMembers(r.agent!));
    cli.kill('SIGINT');
    await until(() => said.includes('shutting down team ctrlc'), 10_000, 'the graceful shutdown to begin');
    cli.kill('SIGINT');
    assert.equal(await exited, 1);
    assert.match(said, /killing the workers of team ctrlc/);
    const record = loadTeam(h.stateDir, 'ctrlc');
    assert.deepEqual([record.status, record.tasks.map((t) => t.status)], ['interrupted', ['cancelled', 'cancelled']]);
    await until(() => agents.every((p) => !pidAlive(p.pid)), 10_000, 'every agent to be gone');
  });
});

/** Every run record in the state folder, as another process reads them. */
function recordsOnDisk(stateDir: string): RunRecord[] {
  const paths = new StateMap(stateDir);
  return fs.readdirSync(paths.runs).flatMap((id) => {
    const read = readRecord(paths.run(id));
    return read.kind === 'ok' ? [read.value] : [];
  });
}
