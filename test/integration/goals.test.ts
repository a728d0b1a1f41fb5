/**
 * Goals over real git, real gates and scripted agents: a goal whose first iteration fails its test
 * gate and whose second passes ends ready with both iterations recorded; a goal stopped by its time
 * budget with every agent gone, then extended and finished; a token budget stopping a goal within
 * moments of being crossed; a breaker that opens, blocks the goal and is reset; a goal taken over
 * after its process was killed.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Breakers } from '../../src/core/gates/breakers';
import { runGates } from '../../src/core/gates/runGates';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { appendGoalEvent, loadGoal } from '../../src/core/goals/goalStore';
import { runCli } from '../support/cliChild';
import { goalKilledMidRun, writeTasks } from '../support/goalOwner';
import { StateMap } from '../../src/core/state/stateMap';
import { toBudgetReportShape, toReplayShape } from '../../src/ops/goalShapes';
import { gitIn as git, makeRepo } from '../support/gitRepo';
import { CLI, createHarness, FAKE_AGENT, pidAlive, ROOT, SUPERVISOR, tempDir, until, type Harness } from '../support/harness';
import { Switchboard } from '../../src/core/switchboard';
import { mergeConfig } from '../../src/core/config';

const REPORT_KEYS = ['version', 'goal_id', 'generated_at', 'budget_time', 'total_budget_secs', 'budget_tokens', 'used_tokens', 'remaining_budget_tokens', 'budget_usd', 'estimated_cost_usd', 'remaining_budget_usd', 'latest', 'checkpoints', 'spent_usd', 'spent_tokens', 'spent_seconds'];
const CHECKPOINT_KEYS = ['version', 'goal_id', 'label', 'status', 'phase', 'recorded_at', 'budget_time', 'total_budget_secs', 'elapsed_since_created_secs', 'remaining_budget_secs', 'budget_tokens', 'used_tokens', 'remaining_budget_tokens', 'budget_usd', 'estimated_cost_usd', 'remaining_budget_usd'];
const REPLAY_KEYS = ['version', 'goal_id', 'status', 'phase', 'generated_at', 'event_count', 'task_graph_summary', 'timeline', 'recovery_status', 'known_gaps', 'duplicate_events', 'parse_failures'];
const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const worker = (...args: string[]): string => `'${process.execPath}' '${WORKER}' ${args.map((a) => `'${a}'`).join(' ')} {prompt}`;
/** A gate that passes once `file` is on the goal branch. */
const fileGate = (file: string) => ({ name: 'check', command: `'${process.execPath}' -e "process.exit(require('fs').existsSync('${file}')?0:1)"`, required: true });

describe('goals', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(async () => h.cleanup());

  it('fails its gate in the first iteration, fixes it in the second, and ends ready with both iterations and a proof', async () => {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    const workspace = makeRepo();
    const created = await h.switchboard.goals.create({ objective: '  Make   T2 exist ', workspace, tasks: [{ title: 'the first part' }], runner: 'custom', untilReady: true, gates: [fileGate('T2.txt')], budgetUsd: 5 });
    assert.match(created.id, /^goal-\d{8}-[a-z0-9]{6}$/);
    assert.equal(created.normalizedGoal, 'Make T2 exist');
    // Followed live from another process: it stops by itself once the goal has ended.
    const follower = spawn(process.execPath, [CLI, 'goal', 'replay', created.id, '--follow', '--format', 'json'], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    let followed = '';
    follower.stdout.on('data', (d) => (followed += d));
    const followerExit = new Promise<number | null>((resolve) => follower.on('close', resolve));
    const goal = await h.switchboard.goals.settled(created.id);
    assert.equal(goal.status, 'ready', goal.failure);
    assert.equal(goal.phase, 'proof');
    assert.deepEqual(goal.iterations.map((i) => [i.n, i.passed, i.gates?.map((g) => [g.name, g.passed])]), [[1, false, [['check', false]]], [2, true, [['check', true]]]]);
    assert.deepEqual(goal.tasks.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done']]);
    assert.match(goal.tasks[1]!.title, /Make the "check" check pass/);
    assert.match(goal.tasks[1]!.description!, /failed \(exit code 1\)/);
    // The work is on the goal's own branch, not in the workspace.
    assert.deepEqual(git(workspace, 'ls-tree', '--name-only', goal.branch).split('\n').sort(), ['README.md', 'T1.txt', 'T2.txt']);
    assert.equal(fs.existsSync(path.join(workspace, 'T1.txt')), false);
    const proof = await h.switchboard.goals.proof(goal.id);
    assert.equal(proof.status, 'ready');
    assert.deepEqual(proof.changedFiles.sort(), ['T1.txt', 'T2.txt']);
    assert.ok(proof.commits.length >= 2 && proof.postMutationGatesRan);
    assert.deepEqual(proof.knownGaps, []);
    const report = toBudgetReportShape(h.switchboard.goals.budgetReport(goal.id));
    assert.deepEqual(report.checkpoints.map((c) => c.label), ['goal_created', 'iteration_started', 'iteration_ended', 'iteration_started', 'iteration_ended', 'goal_completed']);
    assert.equal(report.latest?.label, 'goal_completed');
    assert.deepEqual([report.budget_usd, report.budget_tokens, report.remaining_budget_usd], [5, null, 5 - report.estimated_cost_usd]);
    assert.deepEqual(report.breakdown.by_task.map((l) => l.key).sort(), ['T1', 'T2']);
    assert.deepEqual(report.breakdown.by_runner.map((l) => [l.key, l.runs]), [['custom', 2]]);
    const replay = toReplayShape(h.switchboard.goals.replay(goal.id));
    assert.deepEqual([Object.keys(replay), Object.keys(replay.timeline[0]!)], [REPLAY_KEYS, ['index', 'ts', 'kind', 'actor', 'summary']]);
    const kinds = replay.timeline.map((e) => e.kind);
    for (const kind of ['goal_created', 'phase_changed', 'task_created', 'task_started', 'task_completed', 'gate_failed', 'gate_passed', 'checkpoint_recorded', 'status_changed']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(' ')}`);
    assert.ok(kinds.indexOf('gate_failed') < kinds.lastIndexOf('gate_passed'));
    assert.deepEqual(replay.timeline.map((e) => e.index), replay.timeline.map((_, i) => i));
    assert.equal(replay.parse_failures, 0);
    try {
      assert.equal(await Promise.race([followerExit, new Promise((resolve) => setTimeout(resolve, 10_000, 'still following'))]), 0);
    } finally {
      follower.kill();
    }
    // The live timeline is the replay's: the same entries, kinds and deduplication, indexed in the order they came.
    const live = followed.trim().split('\n').map((line) => JSON.parse(line) as (typeof replay.timeline)[number]);
    const entryKey = (e: (typeof replay.timeline)[number]): string => `${e.ts} ${e.kind} ${e.summary}`;
    assert.deepEqual(live.map((e) => e.index), live.map((_, i) => i));
    assert.deepEqual(live.map(entryKey).sort(), replay.timeline.map(entryKey).sort());
    assert.equal(live.filter((e) => e.kind === 'status_changed').at(-1)?.summary, 'running -> ready');
    // A goal's own event file cut mid-line: the damaged line is counted, the rest still told.
    fs.appendFileSync(new StateMap(h.stateDir).goal(goal.id).events, '{"ts":1,"kind":"phase_ch');
    const cut = toReplayShape(h.switchboard.goals.replay(goal.id));
    assert.deepEqual([cut.parse_failures, cut.event_count], [1, replay.event_count]);
    // What the goal tells after the cut starts a line of its own: it is told, the cut line still counted.
    appendGoalEvent(h.stateDir, goal.id, { kind: 'steering', summary: 'told after the cut' });
    const after = toReplayShape(h.switchboard.goals.replay(goal.id));
    assert.deepEqual([after.parse_failures, after.event_count, after.timeline.at(-1)?.summary], [1, replay.event_count + 1, 'told after the cut']);
    const events = h.switchboard.feed.read(0, { types: ['goal'] }).events.map((e) => e.type);
    assert.deepEqual([events[0], events.at(-1)], ['goal.created', 'goal.ended']);
    assert.equal(loadGoal(h.stateDir, goal.id).status, 'ready');
  });

  it('stops at its time budget with every agent gone, and goes on when the budget is extended', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--sleep', '60000') } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'slow work', workspace: makeRepo(), tasks: [{ title: 'a long task' }], runner: 'custom', gates: [{ name: 'ok', command: 'true' }], budgetTime: '5s', maxAgents: 1 });
    await until(() => h.registry.list({ goal: created.id }).some((r) => r.status === 'running'), 10_000, 'its agent to run');
    const agent = h.registry.list({ goal: created.id })[0]!.agent!;
    const stopped = await goals.settled(created.id);
    assert.equal(stopped.status, 'needs_more_budget');
    assert.match(stopped.failure!, /time budget is spent/);
    assert.deepEqual(stopped.checkpoints.map((c) => c.label).filter((l) => l === 'budget_exhausted' || l === 'stopped'), ['budget_exhausted', 'stopped']);
    await until(() => !pidAlive(agent.pid), 10_000, 'the agent process to be gone');
    assert.ok(h.registry.list({ goal: created.id }).every((r) => r.status === 'killed' || r.status === 'failed'));
    await assert.rejects(goals.resume(created.id), /spent its time budget/);
    // Faster agents from now on, and one more minute: it goes on with the task that was cut short.
    h.registry.updateConfig({ ...h.registry.config, runners: { custom: { command: worker() } } });
    await goals.extend(created.id, { timeMs: 60_000, time: '+1m' });
    const done = await goals.settled(created.id);
    assert.equal(done.status, 'ready', done.failure);
    assert.equal(done.budgetTime, '1m5s');
    assert.equal(h.switchboard.feed.read(0, { types: ['budget.exhausted', 'budget.extended'] }).events.length, 2);
    // The budget report: its exact fields, and each checkpoint with the budget it had then (the iteration started again after the extension has its own).
    const report = toBudgetReportShape(goals.budgetReport(created.id));
    assert.deepEqual(Object.keys(report), [...REPORT_KEYS, 'breakdown']);
    assert.deepEqual(Object.keys(report.checkpoints[0]!), CHECKPOINT_KEYS);
    const labels = report.checkpoints.map((c) => c.label);
    assert.deepEqual(labels.filter((l) => l !== 'iteration_started').slice(1), ['budget_warning', 'budget_exhausted', 'stopped', 'budget_extended', 'iteration_ended', 'goal_completed'], labels.join(' '));
    assert.deepEqual(labels.slice(labels.indexOf('budget_extended')), ['budget_extended', 'iteration_started', 'iteration_ended', 'goal_completed']);
    assert.equal(labels.filter((l) => l === 'iteration_started').length, 2, labels.join(' '));
    const extendedAt = labels.indexOf('budget_extended');
    assert.deepEqual(report.checkpoints.map((c) => [c.label, c.budget_time, c.total_budget_secs]), report.checkpoints.map((c, i) => [c.label, i < extendedAt ? '5s' : '1m5s', i < extendedAt ? 5 : 65]));
    assert.ok(report.checkpoints.filter((c) => c.label === 'iteration_started').every((c) => c.phase === 'execution'));
    assert.deepEqual([report.budget_time, report.total_budget_secs, report.latest?.label], ['1m5s', 65, 'goal_completed']);
    const kinds = toReplayShape(goals.replay(created.id)).timeline.map((e) => e.kind);
    // The agent stopped at the budget's end is told as steering (it was interrupted).
    for (const kind of ['budget_warning', 'budget_exhausted', 'budget_extended', 'steering']) assert.ok(kinds.includes(kind), `${kind} in ${kinds.join(' ')}`);
  });

  it('stops at its token budget as soon as an agent crosses it, and starts no run after', async () => {
    const bin = path.join(tempDir('sb-goal-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --sleep 60000\n`, { mode: 0o755 });
    h = await createHarness({ runners: { claude: { binary: bin } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'spend tokens', workspace: makeRepo(), tasks: [{ title: 'a' }, { title: 'b', dependsOn: ['T1'] }], runner: 'claude', gates: [], budgetTokens: 50, maxAgents: 1 });
    const stopped = await goals.settled(created.id);
    assert.equal(stopped.status, 'needs_more_budget');
    const runs = h.registry.list({ goal: created.id });
    assert.equal(runs.length, 1, 'no run after the budget was spent');
    const crossedAt = runs[0]!.startedAt!;
    const exhausted = stopped.checkpoints.find((c) => c.label === 'budget_exhausted')!;
    assert.ok(exhausted.at - crossedAt < 5000, `stopped ${exhausted.at - crossedAt} ms after the run started`);
    assert.ok(exhausted.usedTokens >= 110, 'the figures show the overshoot');
    await until(() => !pidAlive(runs[0]!.agent!.pid), 15_000, 'the agent process to be gone');
  });

  it('with a quality bar: a review below it becomes a fix task with its notes, and the goal is ready once the review passes', async () => {
    // The evaluator (a scripted Claude Code) scores correctness 0.5 until T2.txt is on the goal branch, 0.9 after: 0.70, then 0.90.
    const bin = path.join(tempDir('sb-goal-claude-'), 'claude');
    const answer = (s: string) => `Review.\n\`\`\`json\n{"scores": {"correctness": ${s}, "safety": 0.9, "style": 0.9}, "notes": "NOTE-XYZ: add T2"}\n\`\`\``;
    fs.writeFileSync(bin, `#!/bin/sh\nif [ -f T2.txt ]; then S=0.9; else S=0.5; fi\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --text "${answer('$S').replace(/"/g, '\\"').replace(/`/g, '\\`')}"\n`, { mode: 0o755 });
    h = await createHarness({ runners: { custom: { command: worker() }, claude: { binary: bin } } });
    const created = await h.switchboard.goals.create({ objective: 'reviewed work', workspace: makeRepo(), tasks: [{ title: 'the first part' }], runner: 'custom', gates: [{ name: 'ok', command: 'true' }], untilReady: true, quality: 0.8, evaluator: 'claude' });
    const done = await h.switchboard.goals.settled(created.id);
    assert.equal(done.status, 'ready', done.failure);
    assert.deepEqual(done.iterations.map((i) => [i.n, i.passed, i.score?.toFixed(2)]), [[1, false, '0.70'], [2, true, '0.90']]);
    const fix = done.tasks.find((t) => t.id === 'T2')!;
    assert.equal(fix.title, 'Raise the quality of the work to the bar');
    assert.match(fix.description!, /scored the work 0\.70, below 0\.8[\s\S]*NOTE-XYZ: add T2/);
    assert.deepEqual(h.registry.list({ goal: created.id }).filter((r) => r.links.task?.startsWith('evaluate-')).map((r) => [r.links.task, r.status]).sort(), [['evaluate-1', 'done'], ['evaluate-2', 'done']]);
  });

  it("its evaluator starts no run while the goal is stopped, and its run is killed when the budget is spent", async () => {
    const bin = path.join(tempDir('sb-goal-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --sleep 60000\n`, { mode: 0o755 });
    h = await createHarness({ runners: { custom: { command: worker() }, claude: { binary: bin } } });
    const goals = h.switchboard.goals;
    const slowGate = { name: 'slow', command: `'${process.execPath}' -e "setTimeout(() => {}, 3000)"`, required: true };
    const created = await goals.create({ objective: 'reviewed work', workspace: makeRepo(), tasks: [{ title: 'a' }], runner: 'custom', gates: [slowGate], quality: 0.8, evaluator: 'claude', budgetTokens: 50 });
    const evaluations = () => h.registry.list({ goal: created.id }).filter((r) => r.links.task === 'evaluate-1');
    // Paused while its gates run: the evaluator does not start.
    await until(() => goals.get(created.id).phase === 'verification_design', 60_000, 'the gates to run');
    const paused = await goals.pause(created.id);
    assert.equal((await goals.settled(created.id)).status, 'paused');
    assert.equal(paused.status, 'paused');
    assert.deepEqual(evaluations(), []);
    assert.deepEqual(goals.get(created.id).iterations[0]!.problems ?? [], []);
    // Resumed: the evaluator runs, crosses the token budget, and its run is stopped with the goal.
    await goals.resume(created.id);
    await until(() => evaluations().length > 0, 60_000, 'the evaluator to start');
    const stopped = await goals.settled(created.id);
    assert.equal(stopped.status, 'needs_more_budget');
    const [evaluator] = evaluations();
    assert.equal(evaluations().length, 1);
    assert.notEqual(h.registry.resolve(evaluator!.id).status, 'done');
    await until(() => !pidAlive(h.registry.resolve(evaluator!.id).agent!.pid), 15_000, 'the evaluator process to be gone');
    assert.equal(stopped.iterations[0]!.passed, undefined, 'not judged: verified again when it goes on');
    assert.deepEqual(stopped.iterations[0]!.problems ?? [], []);
  });

  it('is blocked on a person while its agent waits for an approval, and goes on once it is answered', async () => {
    const bin = path.join(tempDir('sb-goal-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'test', 'fixtures', 'askingClaude.mjs')}"\n`, { mode: 0o755 });
    h = await createHarness();
    // A Switchboard with a person to answer what agents ask, as in VS Code.
    const sb = await Switchboard.open({ stateDir: h.stateDir, config: mergeConfig({ killGraceMs: 1500, agentNiceness: 0, runners: { claude: { binary: bin } } }), supervisorScript: SUPERVISOR, env: process.env, hostApprovals: true });
    try {
      const created = await sb.goals.create({ objective: 'ask first', workspace: makeRepo(), tasks: [{ title: 'a' }], runner: 'claude', gates: [{ name: 'ok', command: 'true' }] });
      await until(() => sb.goals.get(created.id).status === 'blocked_on_human', 60_000, 'the goal to be blocked on a person');
      const blocked = sb.goals.get(created.id);
      assert.equal(blocked.blockedOn, `${sb.runs.list({ goal: created.id })[0]!.name} waits for approval to use Bash: touch /outside/file`);
      assert.equal(loadGoal(h.stateDir, created.id).status, 'blocked_on_human', 'recorded, for other processes to see');
      const [run] = sb.runs.list({ goal: created.id });
      await sb.runs.approve(run!.id, true, 'test');
      await until(() => sb.goals.get(created.id).status !== 'blocked_on_human', 10_000, 'the goal to go on once answered');
      const done = await sb.goals.settled(created.id);
      assert.equal(done.status, 'ready', done.failure);
      assert.equal(done.blockedOn, undefined);
      assert.ok(sb.runs.events(run!.id).some((e) => e.type === 'approval' && e.allow));
    } finally {
      sb.dispose();
    }
  });

  it('is blocked on a gate whose breaker is open, and goes on once it is reset', async () => {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    const workspace = makeRepo();
    const flag = path.join(tempDir('sb-goal-flag-'), 'flag');
    const gate = { name: 'flag', command: `'${process.execPath}' -e "process.exit(require('fs').existsSync('${flag}')?0:1)"`, required: true };
    // Four failures before the goal; its own first run of the gate is the fifth, which opens the breaker, and its second iteration finds it open.
    for (let i = 0; i < 4; i++) await runGates([gate], { stateDir: h.stateDir, workspace, logDir: tempDir('sb-gate-logs-') });
    assert.equal(new Breakers(h.stateDir, workspace).status().find((b) => b.gateName === 'flag')?.state, 'Closed');
    const created = await h.switchboard.goals.create({ objective: 'wait for the flag', workspace, tasks: [{ title: 'x' }], runner: 'custom', gates: [gate], untilReady: true, maxIterations: 3 });
    const blocked = await h.switchboard.goals.settled(created.id);
    assert.equal(new Breakers(h.stateDir, workspace).status().find((b) => b.gateName === 'flag')?.state, 'Open');
    assert.equal(blocked.status, 'blocked_on_external');
    assert.match(blocked.blockedOn!, /circuit breaker of gate "flag" is open/);
    fs.writeFileSync(flag, '');
    new Breakers(h.stateDir, workspace, { feed: h.switchboard.feed }).reset('flag');
    await until(() => h.switchboard.goals.get(created.id).status !== 'blocked_on_external', 10_000, 'the goal to go on after the reset');
    const done = await h.switchboard.goals.settled(created.id);
    assert.equal(done.status, 'ready', done.failure);
    const kinds = toReplayShape(h.switchboard.goals.replay(created.id)).timeline.map((e) => e.kind);
    // Failed (the fifth time, opening the breaker), refused by the open breaker, then passed after the reset.
    assert.deepEqual(kinds.filter((k) => k.startsWith('breaker_') || k.startsWith('gate_')), ['gate_failed', 'breaker_opened', 'gate_failed', 'breaker_reset', 'gate_passed']);
  });

  it('run by the CLI, stays with its goal while a breaker blocks it, and goes on when `gates reset` (another process) resets it', async () => {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ runners: { custom: { command: worker() } } }), { mode: 0o600 });
    const workspace = makeRepo();
    const flag = path.join(tempDir('sb-goal-flag-'), 'flag');
    const gate = { name: 'flag', command: `'${process.execPath}' -e "process.exit(require('fs').existsSync('${flag}')?0:1)"`, required: true };
    for (let i = 0; i < 5; i++) await runGates([gate], { stateDir: h.stateDir, workspace, logDir: tempDir('sb-gate-logs-') });
    const owner = spawn(process.execPath, [CLI, 'goal', 'create', 'wait for the flag', '--cwd', workspace, '--runner', 'custom', '--gate', `flag=${gate.command}`, '--tasks', writeTasks([{ title: 'x' }])], { env: { ...process.env, SWITCHBOARD_HOME: h.stateDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    owner.stderr.on('data', (d) => (said += d));
    const exited = new Promise<number | null>((resolve) => owner.on('exit', resolve));
    let id = '';
    await until(() => {
      const dir = path.join(h.stateDir, 'goals');
      id = fs.existsSync(dir) ? (fs.readdirSync(dir)[0] ?? '') : '';
      return !!id && fs.existsSync(path.join(dir, id, 'goal.json')) && loadGoal(h.stateDir, id).status === 'blocked_on_external';
    }, 30_000, 'the goal to be blocked on its gate');
    await until(() => /goes on here once the breaker is reset/.test(said), 10_000, 'the CLI to say it waits');
    assert.ok(pidAlive(owner.pid!), 'the CLI stays with the blocked goal');
    assert.equal(h.switchboard.goals.status(id).owned, true);
    fs.writeFileSync(flag, '');
    const reset = await runCli(h.stateDir, ['gates', 'reset', '--gate', 'flag', '--cwd', workspace]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stderr, '', 'no hint to resume: a process runs the goal');
    assert.equal(await exited, 0, said);
    assert.equal(loadGoal(h.stateDir, id).status, 'ready');
  });

  /** A goal blocked on its gate's open breaker (five failures), which its process then lets go of (a window closed): nobody runs it. */
  async function blockedAndLetGo(objective: string): Promise<{ workspace: string; created: { id: string } }> {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    const workspace = makeRepo();
    const gate = { name: 'flag', command: 'false', required: true };
    for (let i = 0; i < 5; i++) await runGates([gate], { stateDir: h.stateDir, workspace, logDir: tempDir('sb-gate-logs-') });
    const created = await h.switchboard.goals.create({ objective, workspace, tasks: [{ title: 'x' }], runner: 'custom', gates: [gate] });
    assert.equal((await h.switchboard.goals.settled(created.id)).status, 'blocked_on_external');
    const held = h.switchboard.goals.goal(created.id)!;
    held.release();
    held.dispose();
    return { workspace, created };
  }

  it('blocked with nobody running it: `gates reset` says how to go on with it', async () => {
    const { workspace, created } = await blockedAndLetGo('blocked');
    const reset = await runCli(h.stateDir, ['gates', 'reset', '--gate', 'flag', '--cwd', workspace]);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, new RegExp(`no process runs it; go on with: switchboard goal resume ${created.id}`));
  });

  it('cancelled with nobody running it (by the CLI): ends cancelled, says why, and records its final budget figures', async () => {
    const { created } = await blockedAndLetGo('left alone');
    const cancel = await runCli(h.stateDir, ['goal', 'cancel', created.id]);
    assert.equal(cancel.code, 0, cancel.stderr);
    const goal = loadGoal(h.stateDir, created.id);
    assert.deepEqual([goal.status, goal.failure, !!goal.completedAt], ['cancelled', 'cancelled by a person', true]);
    const latest = goal.checkpoints.at(-1)!;
    assert.deepEqual([latest.label, latest.status, latest.at], ['goal_completed', 'cancelled', goal.completedAt]);
  });

  it('takes its gates, breaker policy and budget warning mark from the config when it is given none', async () => {
    // Its agent works 1.5 s: past the warning mark (1% of 60 s), whatever the machine's speed.
    h = await createHarness({ runners: { custom: { command: worker('--sleep', '1500') } }, goals: { budgetWarningAt: 0.01, evaluatorRubric: { correctness: 1 }, gates: [{ name: 'configured', command: 'false', required: true }] }, gates: { failureThreshold: 1, recoveryTimeoutSecs: 600, halfOpenCalls: 1 } });
    const workspace = makeRepo();
    const created = await h.switchboard.goals.create({ objective: 'configured', workspace, tasks: [{ title: 'x' }], runner: 'custom', budgetTime: '60s' });
    assert.deepEqual(created.gates, [{ name: 'configured', command: 'false', required: true }]);
    const done = await h.switchboard.goals.settled(created.id);
    assert.equal(done.status, 'not_ready');
    assert.deepEqual(done.warned, ['time'], 'warned past 1% of its time');
    const [breaker] = new Breakers(h.stateDir, workspace).status();
    assert.deepEqual([breaker!.gateName, breaker!.state, breaker!.failureCount], ['configured', 'Open', 1], 'opened by its first failure');
  });

  it('is taken over after its process was killed, without starting again the run that went on', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--sleep', '2500') } } });
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify({ runners: { custom: { command: worker('--sleep', '2500') } } }), { mode: 0o600 });
    const id = await goalKilledMidRun(h, 'survive');
    assert.equal(h.switchboard.goals.status(id).owned, false);
    await h.switchboard.goals.resume(id);
    const done: GoalRecord = await h.switchboard.goals.settled(id);
    assert.equal(done.status, 'ready', done.failure);
    assert.deepEqual(done.tasks.map((t) => [t.id, t.status, t.attempts]), [['T1', 'done', 1]]);
    assert.equal(h.registry.list({ goal: id }).length, 1, 'the run that went on was adopted, not started again');
  });

  it('ends not_ready when its planner makes no usable plan, though its gates pass on the untouched code', async () => {
    h = await createHarness({ runners: { custom: { command: `'${process.execPath}' -e "console.log('no plan here')" {prompt}` } } });
    const created = await h.switchboard.goals.create({ objective: 'plan nothing', workspace: makeRepo(), runner: 'custom', gates: [{ name: 'ok', command: 'true' }] });
    const ended = await h.switchboard.goals.settled(created.id);
    assert.deepEqual([ended.status, ended.tasks.length], ['not_ready', 0]);
    assert.match(ended.failure ?? '', /^no work was planned: No usable plan after 2 planner run\(s\): No plan was found/);
    assert.match((await h.switchboard.goals.proof(created.id)).readiness, /^not ready/);
  });

  it('taken over by `goal resume` after its process was killed and its time budget ran out: stops its team and agent before saying so', async () => {
    const config = { killGraceMs: 500, runners: { custom: { command: worker('--sleep', '60000') } } };
    h = await createHarness(config);
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    const id = await goalKilledMidRun(h, 'outlive', ['--budget-time', '2s']);
    await until(() => h.switchboard.goals.status(id).budget.exhausted.includes('time'), 10_000, 'its time budget to run out');
    const resumed = await runCli(h.stateDir, ['goal', 'resume', id]);
    assert.equal(resumed.code, 1);
    assert.match(resumed.stderr, /has spent its time budget/);
    // When the answer comes, the goal's work has stopped: nothing is left running for nobody to stop.
    const goal = loadGoal(h.stateDir, id);
    assert.equal(goal.status, 'needs_more_budget');
    assert.equal(h.switchboard.teams.status(goal.team!).team.status, 'interrupted');
    assert.deepEqual(h.registry.list({ goal: id }).map((r) => r.status), ['killed']);
  });
});
