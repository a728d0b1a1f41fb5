/**
 * A goal's worktrees removed once it has ended (`goal cleanup`, over real git and scripted agents):
 * its checkout under the state folder goes and its branch stays; a checkout with uncommitted changes
 * is kept until forced; a goal at work or paused is refused; a rollback checks the branch out again.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GoalCleanup } from '../../src/core/goals/goalCheckout';
import { runCli } from '../support/cliChild';
import { gitIn as git, gitWorkerCommand, makeRepo } from '../support/gitRepo';
import { createHarness, until, type Harness } from '../support/harness';

const worker = gitWorkerCommand;
const passing = { name: 'ok', command: 'true', required: true };

describe("a goal's worktrees removed once it has ended", function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(async () => h.cleanup());
  const cli = (...args: string[]) => runCli(h.stateDir, ['goal', ...args]);

  it('removes the checkout of a ready goal (kept while it has uncommitted changes, until forced), keeps its branch, and a rollback checks it out again', async () => {
    h = await createHarness({ runners: { custom: { command: worker() } } });
    const workspace = makeRepo();
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'make T1', workspace, tasks: [{ title: 'the part' }], runner: 'custom', maxAgents: 1, gates: [passing] });
    const ended = await goals.settled(created.id);
    assert.equal(ended.status, 'ready', ended.failure);
    assert.ok(fs.existsSync(ended.checkout));
    const tip = git(workspace, 'rev-parse', ended.branch);

    fs.writeFileSync(path.join(ended.checkout, 'notes.txt'), 'mine\n');
    const kept = await cli('cleanup', created.id);
    assert.equal(kept.code, 1, kept.stderr);
    assert.match(kept.stdout, /Removed 0 of 1 worktree\(s\) of goal .+; its work stays on switchboard\/goal\/.+ Kept goal \(it has uncommitted changes: notes\.txt\) — force removes them\./);
    assert.ok(fs.existsSync(path.join(ended.checkout, 'notes.txt')), 'nothing was removed');

    const forced = await cli('cleanup', created.id, '--force', '--format', 'json');
    assert.equal(forced.code, 0, forced.stderr);
    const done = JSON.parse(forced.stdout) as GoalCleanup;
    assert.deepEqual([done.branch, done.worktrees.map((w) => [w.worktree, w.removed])], [ended.branch, [['goal', true]]]);
    assert.ok(!fs.existsSync(ended.checkout));
    assert.ok(!fs.existsSync(path.join(h.stateDir, 'worktrees', created.id)), 'no empty folder is left');
    assert.equal(git(workspace, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1, 'git forgot the worktree too');
    assert.equal(git(workspace, 'rev-parse', ended.branch), tip, 'the branch stays');
    const proof = await cli('proof', created.id, '--format', 'json');
    assert.deepEqual((JSON.parse(proof.stdout) as { changed_files: string[] }).changed_files, ['T1.txt']);
    const again = await cli('cleanup', created.id);
    assert.deepEqual([again.code, again.stdout.trim()], [0, `Goal ${created.id} has no worktrees left; its work is on ${ended.branch}.`]);

    const rolled = await goals.rollback(created.id, 'cp-1');
    assert.ok(fs.existsSync(ended.checkout), 'checked out again from the branch');
    assert.equal(git(ended.checkout, 'rev-parse', 'HEAD'), rolled.point.commit);
  });

  it("keeps a team's worktree with work that could not be merged, and the checkout it was made from, until forced", async () => {
    // Two workers at once write the same new file differently: the second one's branch conflicts with the goal branch.
    h = await createHarness({ runners: { custom: { command: worker('--file', 'shared.txt') } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'two writers', workspace: makeRepo(), tasks: [{ title: 'one' }, { title: 'two' }], runner: 'custom', maxAgents: 2, gates: [passing] });
    const ended = await goals.settled(created.id);
    assert.match(ended.iterations[0]?.problems?.join(' ') ?? '', /could not be merged/);
    const kept = await cli('cleanup', created.id, '--format', 'json');
    assert.equal(kept.code, 1, kept.stderr);
    const first = JSON.parse(kept.stdout) as GoalCleanup;
    const team = first.worktrees.find((w) => w.worktree !== 'goal');
    assert.match(team?.reason ?? '', /has 1 commit\(s\) not merged into switchboard\/goal\//, kept.stdout);
    assert.deepEqual(first.worktrees.find((w) => w.worktree === 'goal'), { worktree: 'goal', folder: first.worktrees.at(-1)!.folder, removed: false, reason: `the worktree ${team!.worktree} made from it is kept` });
    assert.ok(fs.existsSync(team!.folder) && fs.existsSync(ended.checkout));

    const forced = await cli('cleanup', created.id, '--force', '--format', 'json');
    assert.equal(forced.code, 0, forced.stderr);
    assert.deepEqual((JSON.parse(forced.stdout) as GoalCleanup).worktrees.map((w) => [w.worktree, w.removed]), [[team!.worktree, true], ['goal', true]]);
    assert.deepEqual(fs.readdirSync(path.join(h.stateDir, 'worktrees')), [], 'no folder of the goal or its team is left');
  });

  it('refuses a goal at work or paused, and removes what a cancelled one leaves', async () => {
    h = await createHarness({ runners: { custom: { command: worker('--sleep', '60000') } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'a long part', workspace: makeRepo(), tasks: [{ title: 'the part' }], runner: 'custom', maxAgents: 1, gates: [passing] });
    await until(() => h.registry.list({ goal: created.id }).some((r) => r.status === 'running'), 30_000, 'its agent to run');
    const running = await cli('cleanup', created.id);
    assert.deepEqual([running.code, running.stdout], [1, '']);
    assert.match(running.stderr, new RegExp(`Goal ${created.id} is running; it still works in its checkout\\.[\\s\\S]*switchboard goal cancel ${created.id}`));
    await goals.pause(created.id);
    assert.match((await cli('cleanup', created.id)).stderr, /is paused; it still works in its checkout/);
    assert.ok(fs.existsSync(goals.get(created.id).checkout));

    await goals.cancel(created.id);
    const removed = await cli('cleanup', created.id, '--format', 'json');
    assert.equal(removed.code, 0, removed.stderr);
    assert.ok((JSON.parse(removed.stdout) as GoalCleanup).worktrees.every((w) => w.removed));
    assert.ok(!fs.existsSync(goals.get(created.id).checkout));
  });
});
