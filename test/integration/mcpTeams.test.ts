/**
 * The MCP team tools with a real SDK client: over HTTP (the server in this process, as the extension
 * hosts it) and over stdio (the built `switchboard mcp --stdio` in a child process), on real git
 * repositories, with the scripted git worker as the custom runner: teams run to done, their DAG,
 * merge scores and merges, refusals, tasks added and cancelled, shutdowns, a planner, and a stdio
 * server that outlives its client until its team has ended.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Logger } from '../../src/core/logger';
import { treeMembers } from '../../src/core/proc/killTree';
import { TeamService } from '../../src/core/teams/teamService';
import { loadTeam } from '../../src/core/teams/teamStore';
import { McpService } from '../../src/mcp/mcpService';
import { gitIn, makeRepo } from '../support/gitRepo';
import { createHarness, ensureBuilt, killEverything, pidAlive, ROOT, tempDir, until, type Harness } from '../support/harness';
import { call, connectHttp, textOf } from '../support/mcpClients';
import { startStdioServer, type StdioServer } from '../support/stdioChild';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const workerCommand = (args: string): string => `'${process.execPath}' '${WORKER}' ${args} {prompt}`;
const quiet: Logger = { trace() {}, info() {}, warn() {}, error: (m) => console.error(m) };
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface TaskOut {
  id: string;
  title: string;
  status: string;
  depends_on: string[];
  worker?: string;
  run_id?: string;
  result?: { changed_files?: string[] };
  reason?: string;
}
interface TeamOut {
  name: string;
  status: string;
  workspace: string;
  created_at: string;
  ended_at?: string;
  workers: { name: string; branch?: string; run?: { id: string; status: string } }[];
  tasks: TaskOut[];
  counts?: Record<string, number>;
  spend?: { runs: number; usd_known: boolean };
  owned?: boolean;
  plan?: { run_ids: string[]; from?: string; rejected?: string[] };
}
interface PairOut {
  score: number;
  clean: boolean;
  files: { path: string; hunks: number; kinds: string[] }[];
}
interface MergeStatusOut {
  base: string;
  pairs: (PairOut & { a: string; b: string })[];
  against_base: (PairOut & { worker: string; branch: string })[];
}

/** Calls a tool that must succeed; its structured content and its summary. */
async function ok<T>(client: Client, tool: string, args: Record<string, unknown> = {}): Promise<{ value: T; text: string }> {
  const result = await call(client, tool, args);
  assert.ok(!result.isError, `${tool}: ${textOf(result)}`);
  return { value: result.structuredContent as T, text: textOf(result) };
}

/** Calls a tool that must fail; its error text. */
async function refused(client: Client, tool: string, args: Record<string, unknown>): Promise<string> {
  const result = await call(client, tool, args);
  assert.equal(result.isError, true, `${tool} ${JSON.stringify(args)} should fail: ${textOf(result)}`);
  return textOf(result);
}

/** Polls team_status until the team has ended. */
async function settle(client: Client, name: string, timeoutMs = 60_000): Promise<TeamOut> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { value, text } = await ok<TeamOut>(client, 'team_status', { name });
    if (value.status !== 'planning' && value.status !== 'running') return value;
    if (Date.now() > deadline) throw new Error(`team ${name} is still ${value.status}: ${text}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('MCP team tools', function () {
  this.timeout(120_000);
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  interface Served {
    h: Harness;
    client: Client;
    teams: TeamService;
  }

  /** An HTTP server in this process whose custom runner is the git worker with `workerArgs`; `workspace` is its default folder. */
  async function serve(workerArgs: string, workspace?: string): Promise<Served> {
    const h = await createHarness({ runners: { custom: { command: workerCommand(workerArgs) } } });
    const teams = h.switchboard.teams;
    const service = new McpService({ switchboard: h.switchboard, logger: quiet, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => workspace, guard: () => {} });
    const host = await service.startHttp();
    const client = await connectHttp(host.url, service.token(), 'teams-client');
    // Listed first, so that the client checks every result against the tool's output schema.
    await client.listTools();
    cleanups.push(async () => {
      await client.close();
      teams.dispose();
      await service.dispose();
      await h.cleanup();
    });
    return { h, client, teams };
  }

  /** The built CLI's stdio server over a fresh state folder, started in `workspace`. */
  async function serveStdio(workerArgs: string, workspace: string): Promise<StdioServer & { stateDir: string }> {
    ensureBuilt();
    const stateDir = tempDir('sb-state-');
    fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: workerCommand(workerArgs) } }, killGraceMs: 1500 }));
    const server = await startStdioServer(stateDir, workspace);
    await server.client.listTools();
    cleanups.push(async () => {
      if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
      await server.exited;
      await killEverything(stateDir);
    });
    return { ...server, stateDir };
  }

  it('team_run with tasks and dependencies returns at once and runs to done; dag_get shows the critical path; disjoint branches score 0 and merge', async () => {
    const workspace = makeRepo({ 'README.md': '# project\n' });
    const { client, teams } = await serve('--sleep 300', workspace);
    const tasks = [{ title: 'base' }, { title: 'left', depends_on: ['T1'] }, { title: 'right', depends_on: ['T1'] }, { title: 'join', depends_on: ['T2', 'T3'] }];
    const started = await ok<TeamOut>(client, 'team_run', { spec: '2:executor:custom', task: 'build the thing', name: 'alpha', tasks });
    assert.equal(started.value.status, 'running');
    assert.equal(started.value.workspace, workspace, 'without cwd: the workspace folder');
    assert.match(started.value.created_at, ISO);
    assert.deepEqual(started.value.workers.map((w) => [w.name, w.branch]), [['executor-1', 'switchboard/alpha/executor-1'], ['executor-2', 'switchboard/alpha/executor-2']]);
    assert.deepEqual(started.value.tasks.map((t) => [t.id, t.depends_on]), [['T1', []], ['T2', ['T1']], ['T3', ['T1']], ['T4', ['T2', 'T3']]]);
    assert.ok(started.value.tasks.some((t) => t.status === 'running'), 'it answers while the first task runs');
    assert.match(started.text, /^Started team alpha \(running\): 2 workers \(executor-1 on switchboard\/alpha\/executor-1, executor-2 on switchboard\/alpha\/executor-2\), 4 tasks\./);

    const done = await settle(client, 'alpha');
    await teams.finished('alpha');
    assert.equal(done.status, 'done');
    assert.deepEqual(done.counts, { done: 4 });
    assert.equal(done.owned, true);
    assert.equal(done.spend!.runs, 4);
    assert.match(done.ended_at!, ISO);
    for (const task of done.tasks) assert.deepEqual([task.status, task.result?.changed_files], ['done', [`${task.id}.txt`]], task.id);
    assert.ok(done.workers.every((w) => w.run?.status === 'done'), 'each worker shows its last run');

    const { value: dag, text: dagText } = await ok<{ edges: { from: string; to: string }[]; critical_path: { ids: string[]; duration_ms: number }; ascii: string }>(client, 'dag_get', { team: 'alpha' });
    assert.equal(dag.critical_path.ids.length, 3);
    assert.deepEqual([dag.critical_path.ids[0], dag.critical_path.ids[2]], ['T1', 'T4']);
    assert.ok(dag.critical_path.duration_ms > 0);
    assert.deepEqual(dag.edges, [{ from: 'T1', to: 'T2' }, { from: 'T1', to: 'T3' }, { from: 'T2', to: 'T4' }, { from: 'T3', to: 'T4' }]);
    for (const id of ['T1', 'T2', 'T3', 'T4']) assert.match(dag.ascii, new RegExp(id));
    assert.match(dagText, /^4 tasks, 4 edges; critical path T1 -> T[23] -> T4\.$/);

    const listed = await ok<{ count: number; teams: { name: string; status: string; worker_count: number; counts: Record<string, number> }[] }>(client, 'team_list');
    assert.deepEqual(listed.value.teams.map((t) => [t.name, t.status, t.worker_count, t.counts]), [['alpha', 'done', 2, { done: 4 }]]);
    assert.equal(listed.text, '1 team: alpha done (4 done).');

    const scores = await ok<MergeStatusOut>(client, 'merge_status', { team: 'alpha' });
    assert.equal(scores.value.base, 'main');
    assert.deepEqual(scores.value.pairs.map((p) => [p.score, p.clean, p.files]), [[0, true, []]], 'disjoint files do not conflict');
    assert.deepEqual(scores.value.against_base.map((p) => [p.worker, p.score]), [['executor-1', 0], ['executor-2', 0]]);
    assert.match(scores.text, /^All 2 worker branch\(es\) merge cleanly into main/);
    const merges: { already_merged: boolean; removed_worktree: boolean }[] = [];
    for (const worker of ['executor-1', 'executor-2']) merges.push((await ok<(typeof merges)[number]>(client, 'merge_worker', { team: 'alpha', worker })).value);
    // The worker that did T4 had the other's branch merged in first, so that one may be in main already.
    assert.ok(merges.some((m) => !m.already_merged));
    assert.ok(merges.every((m) => m.removed_worktree), 'a merged worktree of an ended team goes');
    assert.deepEqual(gitIn(workspace, 'ls-tree', '--name-only', 'main').split('\n').sort(), ['README.md', 'T1.txt', 'T2.txt', 'T3.txt', 'T4.txt']);
    const again = await ok<{ already_merged: boolean }>(client, 'merge_worker', { team: 'alpha', worker: 'executor-1' });
    assert.equal(again.value.already_merged, true);
  });

  it('merge_status scores two workers editing the same line above 0 with the file; merge_worker merges one and refuses the other naming the file', async () => {
    const workspace = makeRepo({ 'shared.txt': 'original\nsecond line\n' });
    const { client, teams } = await serve('--file shared.txt --line edited --at 0');
    const started = await ok<TeamOut>(client, 'team_run', { spec: '2:executor:custom', task: 'edit', name: 'clash', cwd: workspace, tasks: [{ title: 'one' }, { title: 'two' }] });
    assert.equal(started.value.tasks.filter((t) => t.status === 'running').length, 2, 'two free workers take the two tasks at once');
    const done = await settle(client, 'clash');
    await teams.finished('clash');
    assert.equal(done.status, 'done');

    const scores = await ok<MergeStatusOut>(client, 'merge_status', { team: 'clash' });
    const [pair] = scores.value.pairs;
    assert.ok(pair!.score > 0 && !pair!.clean, JSON.stringify(pair));
    assert.deepEqual(pair!.files, [{ path: 'shared.txt', hunks: 1, kinds: ['contents'] }]);
    assert.ok(scores.value.against_base.every((p) => p.clean), 'each branch alone merges into main');
    assert.match(scores.text, /^Conflicts \(score\): executor-1 × executor-2: 2 \(shared\.txt\)\.$/);

    await ok(client, 'merge_worker', { team: 'clash', worker: 'executor-1' });
    const head = gitIn(workspace, 'rev-parse', 'main');
    const refusal = await refused(client, 'merge_worker', { team: 'clash', worker: 'executor-2' });
    assert.match(refusal, /^merge_conflict: switchboard\/clash\/executor-2 cannot be merged into main cleanly: 1 file\(s\) conflict: shared\.txt \(1 hunk\)\./);
    assert.equal(gitIn(workspace, 'rev-parse', 'main'), head, 'a refused merge changes nothing');
    assert.equal(gitIn(workspace, 'status', '--porcelain'), '');
    const after = await ok<MergeStatusOut>(client, 'merge_status', { team: 'clash' });
    assert.ok(after.value.against_base.find((p) => p.worker === 'executor-2')!.score > 0);

    const cleanup = await ok<{ worktrees: { worker: string; removed: boolean; reason?: string }[] }>(client, 'team_cleanup', { team: 'clash' });
    const kept = cleanup.value.worktrees.find((w) => w.worker === 'executor-2')!;
    assert.deepEqual([kept.removed, typeof kept.reason], [false, 'string']);
    assert.match(cleanup.text, /kept executor-2 \(.+\) — force removes them/);
    const forced = await ok<{ worktrees: { worker: string; removed: boolean }[] }>(client, 'team_cleanup', { team: 'clash', force: true });
    assert.ok(forced.value.worktrees.find((w) => w.worker === 'executor-2')!.removed);
    assert.equal(gitIn(workspace, 'branch', '--list', 'switchboard/clash/executor-2'), 'switchboard/clash/executor-2', 'the branch stays');
  });

  it('refuses a cycle naming it, an unknown dependency, an unknown team, and bad input naming the field', async () => {
    const workspace = makeRepo();
    const { client } = await serve('');
    const cycle = await refused(client, 'team_run', { spec: '1:executor:custom', task: 'x', cwd: workspace, tasks: [{ id: 'T1', title: 'a', depends_on: ['T3'] }, { id: 'T2', title: 'b' }, { id: 'T3', title: 'c', depends_on: ['T1'] }] });
    assert.match(cycle, /^invalid_argument: The tasks depend on each other in a cycle: T1 -> T3 -> T1\. Remove one of these dependencies\.$/);
    const unknown = await refused(client, 'team_run', { spec: '1:executor:custom', task: 'x', cwd: workspace, tasks: [{ title: 'a', depends_on: ['T9'] }] });
    assert.match(unknown, /^invalid_argument: Task T1 depends on T9, which is not a task\./);
    assert.equal((await ok<{ count: number }>(client, 'team_list')).value.count, 0, 'a refused team leaves nothing behind');
    assert.equal(gitIn(workspace, 'branch', '--list', 'switchboard/*'), '');

    const ghost: [string, Record<string, unknown>][] = [
      ['team_status', { name: 'ghost' }],
      ['team_shutdown', { name: 'ghost' }],
      ['task_create', { team: 'ghost', title: 'x' }],
      ['task_cancel', { team: 'ghost', task_id: 'T1' }],
      ['dag_get', { team: 'ghost' }],
      ['merge_status', { team: 'ghost' }],
      ['merge_worker', { team: 'ghost', worker: 'executor-1' }],
      ['team_cleanup', { team: 'ghost' }],
    ];
    for (const [tool, args] of ghost) assert.match(await refused(client, tool, args), /^unknown_team: There is no team ghost\. Teams: none yet\.$/, tool);

    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['team_run', {}, /^invalid_argument: team_run: `spec` is required \(string\); `task` is required \(string\)\.$/],
      ['team_run', { spec: '1:executor', task: 'x', tasks: [{}] }, /`tasks\.0\.title` is required/],
      ['team_run', { spec: '1:executor', task: 'x', tasks: [] }, /`tasks`: /],
      ['team_run', { spec: '1:executor', task: 'x', tasks: [{ title: 'a', needs: ['T2'] }] }, /unknown field `needs` in `tasks\.0`/],
      ['team_run', { spec: '1:executor', task: 'x', cwd: 'relative/dir' }, /`cwd`: must be an absolute path/],
      ['team_run', { spec: '1:executor', task: 'x', name: 'two words' }, /`name`: must be 1-64 letters/],
      ['team_run', { spec: '2:wizard', task: 'x', cwd: workspace }, /^invalid_argument: The team spec "2:wizard" cannot be used: there is no role "wizard"/],
      ['team_status', {}, /`name` is required/],
      ['team_shutdown', { name: 'x', force: 'yes' }, /`force` must be a boolean, not "yes"/],
      ['task_create', { team: 'x' }, /`title` is required/],
      ['task_create', { team: 'x', title: 'y', id: 'T7' }, /unknown field `id`/],
      ['task_cancel', { team: 'x' }, /`task_id` is required/],
      ['team_list', { all: true }, /unknown field `all`/],
    ];
    for (const [tool, args, expected] of bad) assert.match(await refused(client, tool, args), expected, `${tool} ${JSON.stringify(args)}`);
  });

  it('task_create adds a task while the team runs (an unknown dependency is refused, named), task_cancel cancels it, team_shutdown stops the runs', async () => {
    const workspace = makeRepo();
    const { client, h } = await serve('--sleep 30000');
    await ok(client, 'team_run', { spec: '1:executor:custom', task: 'x', name: 'busy', cwd: workspace, tasks: [{ title: 'long' }] });
    let runId = '';
    await until(() => !!(runId = loadTeam(h.stateDir, 'busy').tasks[0]!.runId ?? '') && !!h.registry.resolve(runId).agent, 10_000, 'the first task to run');
    const tree = treeMembers(h.registry.resolve(runId).agent!);

    const added = await ok<{ task: TaskOut }>(client, 'task_create', { team: 'busy', title: 'after', description: 'then this', depends_on: ['T1'] });
    assert.deepEqual([added.value.task.id, added.value.task.status, added.value.task.depends_on], ['T2', 'pending', ['T1']]);
    assert.equal(added.text, 'Added T2 to team busy (pending), after T1.');
    assert.match(await refused(client, 'task_create', { team: 'busy', title: 'nope', depends_on: ['T9'] }), /^invalid_argument: Task T3 depends on T9, which is not a task\. Known tasks: T1, T2, T3\./);
    assert.match(await refused(client, 'task_create', { team: 'busy', title: 'nope', role: 'reviewer' }), /^invalid_argument: Task T3 is for role reviewer, which no worker of the team has/);

    const cancelled = await ok<{ task: TaskOut }>(client, 'task_cancel', { team: 'busy', task_id: 'T2' });
    assert.equal(cancelled.value.task.status, 'cancelled');
    assert.match(await refused(client, 'task_cancel', { team: 'busy', task_id: 'T2' }), /^invalid_argument: Task T2 is already cancelled\./);
    assert.match(await refused(client, 'task_cancel', { team: 'busy', task_id: 'T8' }), /^invalid_argument: There is no task T8\./);
    const status = await ok<TeamOut>(client, 'team_status', { name: 'busy' });
    assert.deepEqual(status.value.counts, { running: 1, cancelled: 1 });
    assert.match(status.text, /^Team busy running \(1 running, 1 cancelled\); working: executor-1 on T1; spent /);

    const stopped = await ok<TeamOut>(client, 'team_shutdown', { name: 'busy' });
    assert.equal(stopped.value.status, 'interrupted');
    assert.deepEqual(stopped.value.tasks.map((t) => t.status), ['cancelled', 'cancelled']);
    assert.equal(stopped.text, 'Team busy is interrupted; 2 tasks cancelled.');
    await until(() => tree.every((p) => !pidAlive(p.pid)), 10_000, "every process of the worker's run to die");
    assert.equal(h.registry.resolve(runId).status, 'killed');
    assert.equal((await ok(client, 'team_shutdown', { name: 'busy' })).text, 'Team busy had already ended (interrupted); nothing to stop.');
    assert.match(await refused(client, 'task_create', { team: 'busy', title: 'late' }), /^not_running: Team busy is interrupted/);
  });

  it('team_run with a planner: a plan with a cycle is rejected naming it, the next one is worked to done', async () => {
    const workspace = makeRepo();
    const { client } = await serve('--plan 3 --chain --bad-plan');
    const started = await ok<TeamOut>(client, 'team_run', { spec: '1:planner:custom,2:executor:custom', task: 'make three parts', name: 'planned', cwd: workspace });
    assert.deepEqual([started.value.status, started.value.tasks], ['planning', []]);
    assert.match(started.text, /^Started team planned \(planning\): 3 workers \(planner-1 on switchboard\/planned\/planner-1, .*\), planning the task into tasks\./);
    const done = await settle(client, 'planned');
    assert.equal(done.status, 'done', JSON.stringify(done));
    assert.deepEqual(done.tasks.map((t) => [t.id, t.title, t.status, t.depends_on]), [
      ['T1', 'part 1 of the goal', 'done', []],
      ['T2', 'part 2 of the goal', 'done', ['T1']],
      ['T3', 'part 3 of the goal', 'done', ['T2']],
    ]);
    assert.ok(done.tasks.every((t) => t.worker?.startsWith('executor-')), 'the planner plans, executors execute');
    assert.equal(done.plan!.run_ids.length, 2);
    assert.equal(done.plan!.from, done.plan!.run_ids[1]);
    assert.match(done.plan!.rejected![0]!, /cycle: T1 -> T3 -> T1/);
    const dag = await ok<{ critical_path: { ids: string[] } }>(client, 'dag_get', { team: 'planned' });
    assert.deepEqual(dag.value.critical_path.ids, ['T1', 'T2', 'T3']);
  });

  it('over stdio, a team outlives its client: the server says it waits, stays until the team is done, then exits', async () => {
    const workspace = makeRepo();
    const server = await serveStdio('--sleep 1500', workspace);
    const started = await ok<TeamOut>(server.client, 'team_run', { spec: '1:executor:custom', task: 'x', name: 'outlive', tasks: [{ title: 'a' }, { title: 'b', depends_on: ['T1'] }] });
    assert.equal(started.value.workspace, workspace, "without cwd: the stdio server's folder");
    await server.client.close();
    await until(() => /waiting for team outlive \(running\) to finish/.test(server.stderr()), 10_000, 'the server to say it waits');
    assert.equal(server.child.exitCode, null, 'the server is still there');
    assert.equal(loadTeam(server.stateDir, 'outlive').status, 'running');
    assert.equal(await server.exited, 0, server.stderr());
    const team = loadTeam(server.stateDir, 'outlive');
    assert.deepEqual([team.status, ...team.tasks.map((t) => t.status)], ['done', 'done', 'done'], server.stderr());
  });

  it('over stdio, SIGTERM while the server waits for its team shuts the team down gracefully, then the server exits', async () => {
    const workspace = makeRepo();
    const server = await serveStdio('--sleep 30000', workspace);
    await ok(server.client, 'team_run', { spec: '1:executor:custom', task: 'x', name: 'doomed', tasks: [{ title: 'forever' }] });
    let pid = 0;
    for (let i = 0; i < 100 && !pid; i++) {
      const status = await ok<TeamOut>(server.client, 'team_status', { name: 'doomed' });
      const run = status.value.workers[0]!.run;
      if (run) pid = ((await ok<{ pid?: number }>(server.client, 'get_agent_status', { id: run.id })).value.pid ?? 0);
      if (!pid) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(pid > 0, 'the task runs');
    await server.client.close();
    await until(() => /waiting for team doomed/.test(server.stderr()), 10_000, 'the server to say it waits');
    server.child.kill('SIGTERM');
    assert.equal(await server.exited, 0, server.stderr());
    assert.match(server.stderr(), /SIGTERM: shutting down team\(s\) doomed/);
    assert.equal(loadTeam(server.stateDir, 'doomed').status, 'interrupted');
    assert.equal(pidAlive(pid), false, "the worker's run was stopped, not left behind");
  });
});
