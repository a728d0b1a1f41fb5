/**
 * Discoveries end to end, with real processes, real git and real sockets: a real Claude Code (pinned,
 * against the scripted Anthropic provider) in a team reports one over MCP (the server knows its run
 * from the X-Switchboard-Run header), it is promoted and runs to done in that team; a scripted agent
 * without MCP prints fenced blocks in a team (each recognised once), listed, promoted and dismissed
 * with the CLI in other processes (--format json); in a goal, one promoted while the goal's team
 * works and one while its gate runs (the goal's next team works it before the goal is ready); and
 * bad input refused, saying why, with nothing lost.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mergeConfig } from '../../src/core/config';
import type { Task } from '../../src/core/dag/task';
import type { AgentEvent } from '../../src/core/runs/types';
import { Switchboard } from '../../src/core/switchboard';
import { McpService } from '../../src/mcp/mcpService';
import { agentCliBinary, offlineCli, type OfflineCli } from '../support/agentClis';
import { runCli } from '../support/cliChild';
import { gitIn, makeRepo } from '../support/gitRepo';
import { call, connectHttp, connectStdio, textOf } from '../support/mcpClients';
import { createHarness, FAKE_AGENT, fakeCommand, ROOT, SUPERVISOR, tempDir, until, type Harness } from '../support/harness';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const worker = `'${process.execPath}' '${WORKER}' {prompt}`;
const quiet = { trace() {}, info() {}, warn() {}, error: (m: string) => console.error(m) };
const FIELDS = ['created_at', 'description', 'goal_id', 'id', 'promoted_task_id', 'reason', 'source_run', 'source_task_id', 'status', 'team', 'title'];

interface CliJson {
  code: number;
  json: Record<string, unknown> & { error?: { code: string; message: string; hint?: string } };
  stderr: string;
}

describe('discoveries', function () {
  this.timeout(180_000);
  let h: Harness;
  let service: McpService | undefined;
  let cli: OfflineCli | undefined;
  let sb: Switchboard | undefined;
  afterEach(async () => {
    await service?.dispose();
    service = undefined;
    sb?.dispose();
    sb = undefined;
    await h.cleanup();
    await cli?.provider.close();
    cli = undefined;
  });

  /** The CLI in a process of its own over the test's state folder, its JSON answer parsed. */
  const cliJson = async (...args: string[]): Promise<CliJson> => {
    const result = await runCli(h.stateDir, [...args, '--format', 'json']);
    return { code: result.code, json: result.stdout.trim() ? (JSON.parse(result.stdout) as CliJson['json']) : {}, stderr: result.stderr };
  };
  const taskOf = (team: string, id: string, teams = h.switchboard.teams): Task | undefined => teams.get(team).tasks.find((t) => t.id === id);
  const serve = async (switchboard: Switchboard): Promise<McpService> =>
    (service = new McpService({ switchboard, logger: quiet, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} }));

  it('a real Claude Code in a team reports one over MCP; promoted through MCP, it runs to done in that team', async function () {
    try {
      agentCliBinary('claude');
    } catch (error) {
      console.log(`      skipped: ${(error as Error).message}`);
      this.skip();
    }
    h = await createHarness();
    const release = path.join(tempDir('sb-dsc-release-'), 'release');
    const prompts: string[] = [];
    cli = await offlineCli('claude', tempDir('sb-dsc-claude-home-'), (r) => {
      const id = /Your task \(([^)]+)\)/.exec(r.lastUserText)?.[1];
      if (id && !r.afterToolResult) prompts.push(r.lastUserText);
      if (id === 'T1' && !r.afterToolResult) {
        return { kind: 'tool', name: 'mcp__switchboard__report_discovery', input: { title: 'The rate limit config is missing', description: 'api/limits.ts reads RATE_LIMIT, which nothing sets.' } };
      }
      if (id === 'DSC-001') return { kind: 'text', text: 'Added the rate limit config.' };
      return { kind: 'text', text: 'T1 is done; I reported what I found outside it.' };
    });
    // As the extension and the CLI open it: agents whose CLI takes an MCP server get this one. The agents
    // run at normal priority, as the harness's do: at nice 19 a loaded machine starves the real CLI for minutes.
    sb = await Switchboard.open({
      stateDir: h.stateDir,
      config: mergeConfig({ agentNiceness: 0, runners: { claude: { binary: agentCliBinary('claude') }, custom: { command: worker } }, teams: { copyFiles: [], maxAttempts: 2, roles: { scout: { runner: 'claude', preamble: 'You are a scout in a team of coding agents.' } } } }),
      supervisorScript: SUPERVISOR,
      env: { ...process.env, ...cli.env },
      agentMcp: async () => ({ url: (await service!.startHttp()).url, token: service!.token() }),
    });
    await serve(sb);
    const teams = sb.teams;
    // T1 for the scout (Claude Code); T2 keeps the executor busy, so the promoted task goes to the scout.
    await teams.run({ name: 'alpha', spec: '1:scout,1:executor:custom', task: 'Harden the API', workspace: makeRepo(), tasks: [{ id: 'T1', title: 'Look at the API limits', role: 'scout' }, { id: 'T2', title: 'The long part', description: `hold until ${release}`, role: 'executor' }] });
    await until(() => sb!.discoveries.list({ team: 'alpha' }).length === 1 && teams.get('alpha').tasks[0]!.status === 'done', 150_000, 'the discovery and T1 done');

    const t1 = teams.get('alpha').tasks[0]!;
    const [found] = sb.discoveries.list({ team: 'alpha' });
    assert.deepEqual([found!.id, found!.title, found!.sourceRun, found!.sourceTaskId, found!.team, found!.goal, found!.status, found!.via], ['DSC-001', 'The rate limit config is missing', t1.runId, 'T1', 'alpha', undefined, 'pending', 'mcp']);
    const run = sb.runs.resolve(t1.runId!);
    assert.match(run.commandLine.join(' '), /"X-Switchboard-Run":"\$\{SWITCHBOARD_RUN_ID\}"/, 'the run id travels in a header from the environment');
    const results = sb.runs.events(run.id).filter((e): e is Extract<AgentEvent, { type: 'tool_result' }> => e.type === 'tool_result');
    assert.equal(results.length, 1);
    assert.ok(!results[0]!.isError, results[0]!.output);
    assert.equal(JSON.parse(results[0]!.output).id, 'DSC-001');
    assert.match(prompts[0]!, /report_discovery[\s\S]*switchboard-discovery/, 'workers are told how to report');

    // Promoted through MCP by another client: the team at work schedules it, and the scout does it.
    const client = await connectHttp((await service!.startHttp()).url, service!.token(), 'a-person');
    try {
      const promoted = await call(client, 'discovery_promote', { id: 'DSC-001', team: 'alpha' });
      assert.ok(!promoted.isError, textOf(promoted));
      const answer = promoted.structuredContent as { discovery: Record<string, unknown>; task: { id: string; depends_on: string[] } };
      assert.deepEqual(Object.keys(answer.discovery).sort(), FIELDS);
      assert.deepEqual([answer.discovery.status, answer.discovery.promoted_task_id, answer.task.id, answer.task.depends_on], ['promoted', 'DSC-001', 'DSC-001', []]);
    } finally {
      await client.close();
    }
    await until(() => taskOf('alpha', 'DSC-001', teams)?.status === 'done', 120_000, 'the promoted task to be done');
    const task = taskOf('alpha', 'DSC-001', teams)!;
    assert.equal(task.worker, 'scout-1');
    assert.match(task.description!, /api\/limits\.ts reads RATE_LIMIT[\s\S]*Discovery DSC-001, reported during task T1 by run /);
    assert.match(prompts.find((p) => p.includes('Your task (DSC-001)'))!, /The rate limit config is missing[\s\S]*api\/limits\.ts reads RATE_LIMIT/);
    fs.writeFileSync(release, '');
    const ended = await teams.finished('alpha');
    assert.equal(ended.status, 'done', ended.tasks.map((t) => `${t.id} ${t.status} ${t.reason ?? ''}`).join('; '));
    assert.deepEqual(ended.tasks.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done'], ['DSC-001', 'done']]);
    const types = sb.feed.read(0, { types: ['discovery'] }).events.map((e) => `${e.type} ${e.key}`);
    assert.deepEqual(types, ['discovery.created discovery:alpha/DSC-001', 'discovery.promoted discovery:alpha/DSC-001']);
  });

  it('fenced blocks of a scripted agent in a team, each recognised once; listed, promoted and dismissed with the CLI; bad input refused with nothing lost', async () => {
    h = await createHarness({ runners: { custom: { command: worker } } });
    const teams = h.switchboard.teams;
    const workspace = makeRepo();
    const release = path.join(tempDir('sb-dsc-release-'), 'release');
    // The second block twice (an agent repeating itself): recognised once.
    const found = 'discover: The rate limit config is missing\ndiscover: Flaky test in api.test.ts\ndiscover: Flaky test in api.test.ts';
    await teams.run({ name: 'alpha', spec: '2:executor:custom', task: 'Harden the API', workspace, tasks: [{ id: 'T1', title: 'Look around', description: found }, { id: 'T2', title: 'The long part', description: `hold until ${release}` }] });
    await until(() => h.switchboard.discoveries.list({ team: 'alpha' }).length === 2, 30_000, 'two discoveries');

    const listed = await cliJson('discovery', 'list', '--team', 'alpha');
    assert.equal(listed.code, 0, listed.stderr);
    const rows = listed.json.discoveries as Record<string, unknown>[];
    assert.deepEqual(Object.keys(listed.json).sort(), ['count', 'discoveries']);
    assert.ok(rows.every((r) => assert.deepEqual(Object.keys(r).sort(), FIELDS) ?? true));
    const t1 = taskOf('alpha', 'T1')!;
    assert.deepEqual(rows.map((r) => [r.id, r.title, r.description, r.status, r.source_task_id, r.source_run, r.team, r.goal_id, r.reason, r.promoted_task_id]), [
      ['DSC-001', 'The rate limit config is missing', 'found while doing T1', 'pending', 'T1', t1.runId, 'alpha', null, null, null],
      ['DSC-002', 'Flaky test in api.test.ts', 'found while doing T1', 'pending', 'T1', t1.runId, 'alpha', null, null, null],
    ]);

    // Bad input, each refused saying why; the discoveries stay as they were.
    const unknownDep = await cliJson('discovery', 'promote', 'DSC-001', '--team', 'alpha', '--depends-on', 'T9');
    assert.deepEqual([unknownDep.code, unknownDep.json.error?.code], [1, 'invalid_argument']);
    assert.match(unknownDep.json.error!.message, /Task DSC-001 depends on T9, which is not a task/);
    const cycle = await cliJson('discovery', 'promote', 'DSC-001', '--team', 'alpha', '--depends-on', 'T1,DSC-001');
    assert.match(cycle.json.error?.message ?? '', /cycle: DSC-001 -> DSC-001/);
    const unknownId = await cliJson('discovery', 'promote', 'DSC-009', '--team', 'alpha');
    assert.deepEqual([unknownId.code, unknownId.json.error?.code], [1, 'unknown_discovery']);
    assert.match(unknownId.json.error!.hint!, /alpha\/DSC-001, alpha\/DSC-002/);
    const notAnId = await cliJson('discovery', 'dismiss', 'T1', '--reason', 'x');
    assert.match(notAnId.json.error?.message ?? '', /"T1" is not a discovery id/);
    const noReason = await runCli(h.stateDir, ['discovery', 'dismiss', 'DSC-002', '--team', 'alpha']);
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /discovery dismiss: say why with --reason/);
    const both = await runCli(h.stateDir, ['discovery', 'list', '--team', 'alpha', '--goal', 'goal-20260101-abcdef']);
    assert.deepEqual([both.code, /give --goal or --team, not both/.test(both.stderr)], [2, true]);
    assert.deepEqual(h.switchboard.discoveries.list({ team: 'alpha' }).map((d) => d.status), ['pending', 'pending']);
    assert.deepEqual(teams.get('alpha').tasks.map((t) => t.id), ['T1', 'T2'], 'nothing was added');

    // Promoted from another process: the team (run here) schedules it after T1, on the free worker.
    const promoted = await cliJson('discovery', 'promote', 'DSC-001', '--team', 'alpha', '--depends-on', 'T1');
    assert.equal(promoted.code, 0, promoted.stderr);
    const task = promoted.json.task as { id: string; depends_on: string[]; status: string; title: string };
    assert.deepEqual([task.id, task.title, task.depends_on], ['DSC-001', 'The rate limit config is missing', ['T1']]);
    assert.deepEqual([(promoted.json.discovery as Record<string, unknown>).status, (promoted.json.discovery as Record<string, unknown>).promoted_task_id], ['promoted', 'DSC-001']);
    await until(() => taskOf('alpha', 'DSC-001')?.status === 'done', 30_000, 'the promoted task to be done');
    const done = taskOf('alpha', 'DSC-001')!;
    assert.ok(done.result?.commit, 'its work is committed on its worker\'s branch');
    assert.equal(gitIn(workspace, 'show', `${done.result!.commit}:DSC-001.txt`).startsWith('done by'), true);

    const dismissed = await cliJson('discovery', 'dismiss', 'alpha/DSC-002', '--reason', 'Known flake, tracked elsewhere');
    assert.equal(dismissed.code, 0, dismissed.stderr);
    assert.deepEqual([dismissed.json.id, dismissed.json.status, dismissed.json.reason], ['DSC-002', 'dismissed', 'Known flake, tracked elsewhere']);
    const again = await cliJson('discovery', 'promote', 'DSC-002', '--team', 'alpha');
    assert.match(again.json.error?.message ?? '', /DSC-002 of team alpha was dismissed \(Known flake, tracked elsewhere\); it cannot be promoted/);
    const twice = await cliJson('discovery', 'dismiss', 'DSC-001', '--team', 'alpha', '--reason', 'changed my mind');
    assert.match(twice.json.error?.message ?? '', /already promoted, as task DSC-001/);

    // MCP: a client that is not a Switchboard agent says where; one that names an unknown run is told.
    await serve(h.switchboard);
    const { url } = await service!.startHttp();
    const client = await connectHttp(url, service!.token(), 'a-person');
    try {
      const nowhere = await call(client, 'report_discovery', { title: 'Docs are stale', description: 'README says npm 6' });
      assert.ok(nowhere.isError);
      assert.match(textOf(nowhere), /Nothing says which goal or team .* Pass `goal` .* or `team`/);
      const empty = await call(client, 'report_discovery', { title: '  ', description: 'x', team: 'alpha' });
      assert.match(textOf(empty), /invalid_argument: report_discovery: .*title.* must say in a few words/);
      const ghost = await call(client, 'report_discovery', { title: 'x', description: 'y', team: 'ghost' });
      assert.match(textOf(ghost), /unknown_team: There is no team ghost/);
      const stranger = await connectHttp(url, service!.token(), 'stranger', { 'X-Switchboard-Run': 'nosuchrun1' });
      const unknownRun = await call(stranger, 'report_discovery', { title: 'x', description: 'y' });
      await stranger.close();
      assert.match(textOf(unknownRun), /unknown_run: Run nosuchrun1 \(named by the X-Switchboard-Run header\) is not a run of this Switchboard.*Pass `goal`/);
      const alone = await h.switchboard.runs.run({ runner: 'custom', prompt: 'alone', command: fakeCommand() });
      // Named as an agent Switchboard started names its run.
      const named = await connectHttp(url, service!.token(), 'agent', { 'X-Switchboard-Run': alone.id });
      try {
        const lonely = await call(named, 'report_discovery', { title: 'x', description: 'y' });
        assert.match(textOf(lonely), new RegExp(`Run custom-\\d+ \\(${alone.id}\\) belongs to no goal or team`));
        const given = await call(named, 'report_discovery', { title: 'Docs are stale', description: 'README says npm 6 (token sk-ant-abcdefghijklmnopqrstuv)', team: 'alpha' });
        assert.ok(!given.isError, textOf(given));
        assert.deepEqual([given.structuredContent!.id, given.structuredContent!.source_run, given.structuredContent!.description], ['DSC-003', alone.id, 'README says npm 6 (token <<REDACTED_ANTHROPIC_KEY_1>>)']);
      } finally {
        await named.close();
      }
      // A stdio server an agent started has the agent's SWITCHBOARD_RUN_ID: its run says where the discovery goes.
      const viaStdio = await connectStdio(h.stateDir, 'agent', { SWITCHBOARD_RUN_ID: t1.runId! });
      try {
        const reported = await call(viaStdio, 'report_discovery', { title: 'No 429 metric', description: 'Nothing counts rate-limited calls' });
        assert.ok(!reported.isError, textOf(reported));
        assert.deepEqual([reported.structuredContent!.id, reported.structuredContent!.team, reported.structuredContent!.source_run, reported.structuredContent!.source_task_id], ['DSC-004', 'alpha', t1.runId, 'T1']);
      } finally {
        await viaStdio.close();
      }
      // The same id in another team: ambiguous without a scope, and the error names both.
      await teams.run({ name: 'beta', spec: '1:executor:custom', task: 'quick', workspace: makeRepo(), tasks: [{ title: 'quick' }] });
      await teams.finished('beta');
      assert.ok(!(await call(client, 'report_discovery', { title: 'Beta needs docs', description: 'none at all', team: 'beta' })).isError);
      const ambiguous = await call(client, 'discovery_dismiss', { id: 'DSC-001', reason: 'x' });
      assert.match(textOf(ambiguous), /ambiguous_discovery: DSC-001 is the id of a discovery in more than one place: team alpha \("The rate limit config is missing"\), team beta \("Beta needs docs"\)\. Say which: --team alpha, or --team beta/);
      // A team that has ended schedules nothing: refused, and the discovery stays pending.
      const ended = await call(client, 'discovery_promote', { id: 'beta/DSC-001' });
      assert.match(textOf(ended), /not_running: Team beta is done\. DSC-001 stays pending\. Start a new team/);
      const all = await call(client, 'discovery_list', {});
      assert.deepEqual((all.structuredContent!.discoveries as { team: string; id: string; status: string }[]).map((d) => `${d.team}/${d.id} ${d.status}`), ['alpha/DSC-001 promoted', 'alpha/DSC-002 dismissed', 'alpha/DSC-003 pending', 'alpha/DSC-004 pending', 'beta/DSC-001 pending']);
    } finally {
      await client.close();
    }

    const md = await runCli(h.stateDir, ['discovery', 'list', '--team', 'alpha', '--format', 'md']);
    assert.match(md.stdout, /^\| discovery \| of \| status \| title \| from \|\n\| --- /);
    assert.match(md.stdout, /\| DSC-002 \| team alpha \| dismissed: Known flake, tracked elsewhere \| Flaky test in api\.test\.ts \| T1, run /);
    const events = await runCli(h.stateDir, ['events', '--type', 'discovery', '--format', 'json']);
    const told = events.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string; key: string });
    assert.deepEqual(told.map((e) => `${e.type} ${e.key}`), [
      'discovery.created discovery:alpha/DSC-001',
      'discovery.created discovery:alpha/DSC-002',
      'discovery.promoted discovery:alpha/DSC-001',
      'discovery.dismissed discovery:alpha/DSC-002',
      'discovery.created discovery:alpha/DSC-003',
      'discovery.created discovery:alpha/DSC-004',
      'discovery.created discovery:beta/DSC-001',
    ]);
    fs.writeFileSync(release, '');
    assert.equal((await teams.finished('alpha')).status, 'done');
  });

  it("a structured runner's block, in its message and again in its final result, is recorded once", async () => {
    const bin = path.join(tempDir('sb-dsc-bin-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude "$@"\n`, { mode: 0o755 });
    const text = 'Done.\n\n```switchboard-discovery\n{"title": "Retries never stop", "description": "client.ts retries forever"}\n```';
    h = await createHarness({ runners: { claude: { binary: bin } } }, { FAKE_AGENT_ARGS: JSON.stringify(['--text', text]) });
    await h.switchboard.teams.run({ name: 'gamma', spec: '1:executor:claude', task: 'x', workspace: makeRepo(), tasks: [{ title: 'one' }] });
    const team = await h.switchboard.teams.finished('gamma');
    assert.equal(team.status, 'done');
    const events = h.switchboard.runs.events(team.tasks[0]!.runId!);
    assert.equal(events.filter((e) => (e.type === 'text' || e.type === 'result') && /switchboard-discovery/.test((e as { text?: string }).text ?? '')).length, 2, 'told twice');
    assert.deepEqual(h.switchboard.discoveries.list({ team: 'gamma' }).map((d) => [d.id, d.title, d.description, d.sourceTaskId, d.via]), [['DSC-001', 'Retries never stop', 'client.ts retries forever', 'T1', 'output']]);
  });

  it('in a goal: one promoted while its team works runs in that team, one promoted while its gate runs is worked by its next team before it is ready', async () => {
    h = await createHarness({ runners: { custom: { command: worker } } });
    const goals = h.switchboard.goals;
    const dir = tempDir('sb-dsc-release-');
    const [release, gateRelease] = [path.join(dir, 'team'), path.join(dir, 'gate')];
    // The gate waits for the test, so that a discovery can be promoted while it runs.
    const gate = { name: 'wait', command: `'${process.execPath}' -e "const f=require('fs');(function w(){f.existsSync('${gateRelease}')?process.exit(0):setTimeout(w,50)})()"`, required: true };
    const created = await goals.create({
      objective: 'Harden the API',
      workspace: makeRepo(),
      runner: 'custom',
      maxAgents: 2,
      gates: [gate],
      tasks: [{ id: 'T1', title: 'Look around', description: 'discover: The rate limit config is missing' }, { id: 'T2', title: 'The long part', description: `discover: Nobody logs the 429s\nhold until ${release}` }],
    });
    const id = created.id;
    await until(() => h.switchboard.discoveries.list({ goal: id }).length === 1, 30_000, 'the discovery of T1');
    const [first] = h.switchboard.discoveries.list({ goal: id });
    assert.deepEqual([first!.id, first!.goal, first!.team, first!.sourceTaskId], ['DSC-001', id, undefined, 'T1'], 'a run of a goal\'s team reports to the goal');
    // --team with the goal's team stands for the goal.
    const promoted = await cliJson('discovery', 'promote', 'DSC-001', '--team', `${id}-1`);
    assert.equal(promoted.code, 0, promoted.stderr);
    await until(() => goals.get(id).tasks.find((t) => t.id === 'DSC-001')?.status === 'done', 30_000, 'DSC-001 done in the goal\'s team');
    assert.ok(h.switchboard.teams.get(`${id}-1`).tasks.some((t) => t.id === 'DSC-001'), 'the team at work took it');

    fs.writeFileSync(release, '');
    await until(() => h.switchboard.discoveries.list({ goal: id }).length === 2 && goals.get(id).phase === 'verification_design', 30_000, 'T2\'s discovery, and the gate running');
    const second = await cliJson('discovery', 'promote', 'DSC-002', '--goal', id, '--depends-on', 'T2');
    assert.equal(second.code, 0, second.stderr);
    assert.equal((second.json.task as { status: string }).status, 'pending');
    fs.writeFileSync(gateRelease, '');
    const goal = await goals.settled(id);
    assert.equal(goal.status, 'ready', goal.failure);
    assert.deepEqual(goal.tasks.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done'], ['DSC-001', 'done'], ['DSC-002', 'done']]);
    assert.deepEqual([goal.iterations.length, goal.iterations[0]!.teams, goal.iterations[0]!.tasks], [1, 2, ['T1', 'T2', 'DSC-001', 'DSC-002']]);
    assert.equal(goal.tasks.find((t) => t.id === 'DSC-002')!.worker !== undefined, true);
    assert.ok(h.switchboard.teams.get(`${id}-1.2`).tasks.some((t) => t.id === 'DSC-002'), 'its next team worked it');
    assert.deepEqual(h.switchboard.discoveries.list({ goal: id }).map((d) => [d.id, d.status, d.promotedTask]), [['DSC-001', 'promoted', 'DSC-001'], ['DSC-002', 'promoted', 'DSC-002']]);
    const proof = await goals.proof(id);
    assert.ok(proof.changedFiles.includes('DSC-002.txt'), proof.changedFiles.join(' '));
    const kinds = goals.replay(id).timeline.map((e) => e.kind);
    assert.ok(kinds.includes('discovery_created') && kinds.includes('discovery_promoted'), kinds.join(' '));
    const ended = await cliJson('discovery', 'dismiss', 'DSC-002', '--goal', id, '--reason', 'late');
    assert.match(ended.json.error?.message ?? '', /already promoted/);
  });
});
