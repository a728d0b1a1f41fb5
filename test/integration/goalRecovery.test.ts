/**
 * A stuck goal over real git, real gates and scripted agents: agents that undo each other's change
 * (CircularFix found, told in the timeline), a gate failing the same way three times
 * (RepeatedFailure), a recovery applied to a goal at work (the failing task split, the fix started
 * from the findings), and a rollback whose abandoned tip stays reachable and from which the goal goes
 * on to ready.
 */
import * as assert from 'node:assert/strict';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { toCheckpointsShape, toDiagnosisShape, toRecoveryShape, type DiagnosisShape, type RollbackShape } from '../../src/ops/recoveryShapes';
import { runCli } from '../support/cliChild';
import { toReplayShape } from '../../src/ops/goalShapes';
import { gitIn as git, gitWorkerCommand, makeRepo } from '../support/gitRepo';
import { createHarness, until, type Harness } from '../support/harness';

const worker = gitWorkerCommand;
const node = (code: string): string => `'${process.execPath}' -e "${code}"`;
/** Passes once fixed.txt is there; else fails printing what config.txt says (so its failures differ as it flips). */
const configGate = { name: 'config', command: node("const fs=require('fs'); if (fs.existsSync('fixed.txt')) process.exit(0); console.log('config is', fs.readFileSync('config.txt','utf8')); process.exit(1)"), required: true };
/** Fails the same way every time. */
const stuckGate = { name: 'unit', command: node("console.log('FAIL parser.test.ts: expected 3, got 4'); process.exit(1)"), required: true };

describe('goals that go in circles', function () {
  this.timeout(180_000);
  let h: Harness;
  afterEach(async () => h.cleanup());

  it('finds CircularFix when agents undo each other, rolls back keeping the abandoned tip, and goes on to ready from the checkpoint', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--toggle', 'config.txt') } } });
    const workspace = makeRepo({ 'README.md': 'hello\n', 'config.txt': 'off\n' });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'settle the config', workspace, tasks: [{ title: 'set the config' }], runner: 'custom', untilReady: true, maxIterations: 3, maxAgents: 1, gates: [configGate] });
    const ended = await goals.settled(created.id);
    assert.equal(ended.status, 'not_ready');
    assert.deepEqual(ended.iterations.map((i) => i.metrics?.changedFiles), [['config.txt'], ['config.txt'], ['config.txt']]);
    assert.deepEqual(ended.recoveryPoints?.map((p) => [p.id, p.iteration]), [['cp-1', 1], ['cp-2', 2], ['cp-3', 3]]);
    assert.equal(ended.stagnation?.kind, 'CircularFix');

    const diagnosis = toDiagnosisShape(goals.diagnose(created.id));
    assert.deepEqual([diagnosis.stagnant, diagnosis.diagnosis.primary?.kind, diagnosis.diagnosis.primary?.since_iteration, diagnosis.recommended_action], [true, 'CircularFix', 1, 'rollback']);
    assert.match(diagnosis.diagnosis.primary!.evidence, /config\.txt changed, undone and changed again/);
    const replay = toReplayShape(goals.replay(created.id));
    assert.ok(replay.timeline.some((e) => e.kind === 'stagnation_detected' && /CircularFix after iteration 3/.test(e.summary)), replay.timeline.map((e) => e.kind).join(' '));
    assert.match(replay.recovery_status ?? '', /stagnant after iteration 3: CircularFix/);
    assert.equal(h.switchboard.feed.read(0, { types: ['goal.stagnation'] }).events.length, 1);

    const plan = toRecoveryShape(await goals.recover(created.id, false));
    assert.deepEqual(plan.actions.map((a) => [a.kind, a.target]), [['rollback', 'cp-1']], 'no room for a reviewer at max_agents 1');
    assert.deepEqual([plan.applied, plan.risk_level], [false, 'high']);

    // From another process (the CLI): back to where iteration 2 started; the tip it leaves stays reachable under the ref it names.
    const cli = (...args: string[]) => runCli(h.stateDir, ['goal', ...args]);
    const diagnosed = await cli('diagnose', created.id, '--format', 'json');
    assert.deepEqual([diagnosed.code, (JSON.parse(diagnosed.stdout) as DiagnosisShape).diagnosis.primary?.kind], [0, 'CircularFix']);
    assert.match((await cli('checkpoints', created.id)).stdout, /cp-1 +1 .+\ncp-2 +2 .+\ncp-3 +3 .+refs\/switchboard\/goals\/.+\/checkpoints\/cp-3/);
    const unknown = await cli('rollback', created.id, '--to', 'cp-9');
    assert.deepEqual([unknown.code !== 0, /has no checkpoint "cp-9"/.test(unknown.stderr), /cp-1 \(iteration 1\), cp-2 \(iteration 2\), cp-3 \(iteration 3\)/.test(unknown.stderr)], [true, true, true], unknown.stderr);
    const tip = git(workspace, 'rev-parse', ended.branch);
    const cp2 = ended.recoveryPoints![1]!;
    const beforeRollback = toReplayShape(goals.replay(created.id)).timeline;
    assert.ok(beforeRollback.some((e) => e.kind === 'team_started' && e.summary.includes(`${created.id}-3`)), beforeRollback.map((e) => e.kind).join(' '));
    const result = await cli('rollback', created.id, '--to', 'cp-2', '--format', 'json');
    assert.equal(result.code, 0, result.stderr);
    const rolled = JSON.parse(result.stdout) as RollbackShape;
    assert.deepEqual([rolled.checkpoint.id, rolled.restored_commit, rolled.abandoned_commit, rolled.status, rolled.iteration], ['cp-2', cp2.commit, tip, 'paused', 2]);
    assert.match(rolled.abandoned_ref!, new RegExp(`^refs/switchboard/goals/${created.id}/abandoned/cp-2-\\d{8}T\\d{6}Z$`));
    assert.equal(git(workspace, 'rev-parse', rolled.abandoned_ref!), tip);
    // The abandoned iterations' history (their teams, tasks, merges) is still in the replay.
    const entryKey = (e: { ts: string; kind: string; summary: string }): string => `${e.ts} ${e.kind} ${e.summary}`;
    const afterRollback = new Set(toReplayShape(goals.replay(created.id)).timeline.map(entryKey));
    assert.deepEqual(beforeRollback.map(entryKey).filter((k) => !afterRollback.has(k)), []);

    assert.equal(git(workspace, 'rev-parse', ended.branch), cp2.commit);
    assert.equal(git(workspace, 'show', `${ended.branch}:config.txt`), 'on', 'as iteration 1 left it');
    const back = goals.get(created.id);
    assert.deepEqual([back.iteration, back.iterations.length, back.stagnation, back.tasks.map((t) => [t.id, t.status])], [2, 2, undefined, [['T1', 'done'], ['T2', 'pending']]]);
    assert.deepEqual(toCheckpointsShape(back).rollbacks.map((r) => r.to), ['cp-2']);
    // Work nobody planned, promoted into the paused goal's graph; rolled back again, its task goes, and the discovery is pending again.
    const found = await h.switchboard.discoveries.report({ title: 'the config needs a schema', description: 'nothing checks config.txt', goal: created.id });
    await h.switchboard.discoveries.promote(found.id, { goal: created.id });
    const again = await goals.rollback(created.id);
    assert.deepEqual([again.point.id, again.rollback.abandonedRef, again.rollback.reopened], ['cp-2', undefined, [found.id]], 'the branch was there already: nothing left behind');
    const reopened = h.switchboard.discoveries.get(found.id, { goal: created.id });
    assert.deepEqual([reopened.status, reopened.reason], ['pending', `its task ${found.id} was rolled back with the goal to cp-2; promote it again`]);
    assert.ok(toReplayShape(goals.replay(created.id)).timeline.some((e) => e.kind === 'rollback' && e.summary.includes(rolled.abandoned_ref!)));

    // An agent that does the right thing this time: the goal goes on from the checkpoint, to ready.
    h.registry.updateConfig({ ...h.registry.config, runners: { custom: { command: worker('--file', 'fixed.txt') } } });
    await goals.resume(created.id);
    const done = await goals.settled(created.id);
    assert.equal(done.status, 'ready', done.failure);
    assert.deepEqual(git(workspace, 'ls-tree', '--name-only', done.branch).split('\n').sort(), ['README.md', 'config.txt', 'fixed.txt']);
    assert.deepEqual(done.iterations.map((i) => i.team), [`${created.id}-1`, `${created.id}-2.2`], 'the redone iteration had a team of its own');
    const redone = done.checkpoints.filter((c) => c.label === 'iteration_started' && c.at > done.rollbacks!.at(-1)!.at);
    assert.deepEqual(redone.map((c) => c.phase), ['execution'], 'the redone iteration has its budget checkpoint');
  });

  it('goes on to ready after a rollback to its first checkpoint: the iterations worked again have teams of their own, not those of the iterations undone', async () => {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    const goals = h.switchboard.goals;
    // The fix task of the second iteration (T2) makes it pass.
    const gate = { name: 'second', command: node("process.exit(require('fs').existsSync('T2.txt') ? 0 : 1)"), required: true };
    const created = await goals.create({ objective: 'two rounds', workspace: makeRepo(), tasks: [{ title: 'the first round' }], runner: 'custom', untilReady: true, maxIterations: 3, maxAgents: 1, gates: [gate] });
    assert.equal((await goals.settled(created.id)).status, 'ready');
    await goals.rollback(created.id, 'cp-1');
    await goals.resume(created.id);
    const done = await goals.settled(created.id);
    assert.equal(done.status, 'ready', done.failure);
    assert.deepEqual(done.iterations.map((i) => i.team), [`${created.id}-1.2`, `${created.id}-2.2`]);
  });

  it('finds RepeatedFailure when a gate fails the same way three times, and a recovery applied to the goal at work splits the failing task', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--sleep', '1500') } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'make the parser right', workspace: makeRepo(), tasks: [{ title: 'fix the parser' }], runner: 'custom', untilReady: true, maxIterations: 6, maxAgents: 1, gates: [stuckGate] });
    await until(() => goals.get(created.id).stagnation?.kind === 'RepeatedFailure', 60_000, 'RepeatedFailure to be found');
    const diagnosis = toDiagnosisShape(goals.diagnose(created.id));
    assert.deepEqual([diagnosis.stagnant, diagnosis.diagnosis.primary?.kind, diagnosis.diagnosis.primary?.since_iteration], [true, 'RepeatedFailure', 1]);
    assert.match(diagnosis.diagnosis.primary!.evidence, /gate "unit" failed the same way in 3 iterations in a row/);
    assert.ok(diagnosis.diagnosis.secondary.some((f) => f.kind === 'NoProgress'));

    const applied = toRecoveryShape(await goals.recover(created.id, true));
    assert.equal(applied.applied, true);
    assert.deepEqual(applied.actions.map((a) => a.kind), ['split_task'], 'no other agent CLI is installed here to switch to');
    const goal: GoalRecord = goals.get(created.id);
    const fix = goal.tasks.find((t) => t.id === applied.actions[0]!.target)!;
    const cause = goal.tasks.find((t) => t.title === 'Find out why the "unit" check keeps failing')!;
    assert.ok(fix.dependsOn.includes(cause.id), `${fix.id} waits for ${cause.id}`);
    assert.match(applied.results[0]!, new RegExp(`${fix.id} now starts from ${cause.id}`));
    assert.ok(['running', 'ready', 'not_ready'].includes(applied.status));
    // The fix ran after the cause was found, and its prompt carried what that task reported.
    await until(() => goals.get(created.id).tasks.find((t) => t.id === fix.id)?.status === 'done', 60_000, 'the fix to be done');
    const fixRun = h.registry.list({ goal: created.id }).find((r) => r.links.task === fix.id && r.status === 'done')!;
    const prompt = fixRun.commandLine.at(-1)!;
    assert.match(prompt, new RegExp(`What the tasks before yours found:\\n\\n${cause.id} \\(Find out why the "unit" check keeps failing\\) reported:\\ncommitted ${cause.id}\\.txt`));
    await goals.cancel(created.id);
  });
});
