/** A single run in a worktree of its own (real git, real processes): its branch, its diff, merging it, removing it, a model per run, bad input. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../../src/core/errors';
import { StateMap } from '../../src/core/state/stateMap';
import { gitIn, makeRepo } from '../support/gitRepo';
import { createHarness, fakeCommand, ROOT, tempDir, until, type Harness } from '../support/harness';
import { fakeCli } from '../support/fakeClis';

const GIT_WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
/** The scripted agent that writes `<task>.txt` (or --file) in its folder and commits it (not with --no-commit). */
const worker = (...args: string[]): string => [process.execPath, GIT_WORKER, ...args].map((a) => `'${a}'`).join(' ') + ' --text {prompt}';
const code = (reason: string) => (e: unknown) => e instanceof SwitchboardError && (e.code === reason || e.details?.reason === reason);

describe('a run in a worktree of its own (real git)', function () {
  this.timeout(60_000);
  let h: Harness;
  let repo: string;
  beforeEach(async () => {
    h = await createHarness();
    repo = makeRepo({ 'README.md': 'hello\n', 'shared.txt': 'one\ntwo\nthree\n' });
  });
  afterEach(async () => h.cleanup());

  it('works on its own branch made from HEAD, leaves the folder and its uncommitted changes alone, and has what it left committed for it', async () => {
    fs.writeFileSync(path.join(repo, 'README.md'), 'hello, not committed\n');
    const run = await h.registry.run({ runner: 'custom', prompt: 'Your task (T1): write it', cwd: repo, command: worker('--no-commit'), worktree: true });
    const wt = run.worktree!;
    assert.equal(wt.branch, `switchboard/run/${run.name}`);
    assert.deepEqual([wt.baseBranch, wt.baseCommit, wt.workspaceDirty], ['main', gitIn(repo, 'rev-parse', 'HEAD'), true]);
    assert.equal(wt.folder, new StateMap(h.stateDir).runWorktree(run.id));
    assert.equal(run.cwd, wt.folder);
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.existsSync(path.join(repo, 'T1.txt')), false, 'the folder itself is untouched');
    assert.equal(fs.readFileSync(path.join(repo, 'README.md'), 'utf8'), 'hello, not committed\n');
    assert.equal(record.worktree!.end?.committedLeftovers, true);
    assert.equal(record.worktree!.end?.commit, gitIn(repo, 'rev-parse', wt.branch));
    assert.match(gitIn(repo, 'log', '-1', '--format=%B', wt.branch), /left these changes uncommitted when it ended done/);
    const changes = await h.switchboard.worktrees.changes(run.name, { text: 'patch' });
    assert.deepEqual(changes.files.map((f) => [f.status, f.path, f.insertions]), [['A', 'T1.txt', 1]]);
    assert.deepEqual([changes.from, changes.commits, changes.merged, changes.uncommitted], ['branch', 1, false, []]);
    assert.match(changes.text!, /^\+done by /m);
  });

  it('shows the live worktree while it runs, refuses merge and cleanup until it ends, and commits what a killed run left', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'go', cwd: repo, command: `sh -c "echo live > live.txt; echo changed >> shared.txt; sleep 30" {prompt}`, worktree: true });
    await until(() => fs.existsSync(path.join(run.cwd, 'live.txt')), 10_000, 'the agent to write');
    const live = await h.switchboard.worktrees.changes(run.id);
    assert.deepEqual([live.from, live.commits, live.files.map((f) => `${f.status} ${f.path}`)], ['worktree', 0, ['A live.txt', 'M shared.txt']]);
    assert.deepEqual(live.uncommitted.sort(), ['live.txt', 'shared.txt']);
    await assert.rejects(h.switchboard.worktrees.merge(run.id), /still running in its worktree/);
    await assert.rejects(h.switchboard.worktrees.cleanup(run.id, { force: true }), (e: SwitchboardError) => /still running in its worktree/.test(e.message) && /switchboard kill/.test(e.hint ?? ''));
    assert.throws(() => h.registry.remove(run.id), /only finished runs/);
    await h.registry.kill(run.id, { source: 'test', force: true });
    const { record } = await h.registry.wait(run.id, 10_000);
    assert.equal(record.status, 'killed');
    assert.match(gitIn(repo, 'log', '-1', '--format=%B', record.worktree!.branch), /when it ended killed/);
    const after = await h.switchboard.worktrees.changes(run.id);
    assert.deepEqual([after.from, after.commits, after.files.length, after.uncommitted], ['branch', 1, 2, []]);
  });

  it('merges into the branch the folder was on; cleanup refuses unmerged work, then removes the worktree and keeps the branch', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'Your task (T1): write it', cwd: repo, command: worker(), worktree: true });
    await h.registry.wait(run.id, 20_000);
    const branch = run.worktree!.branch;
    await assert.rejects(h.switchboard.worktrees.cleanup(run.id), (e: SwitchboardError) => e.code === 'not_merged' && /1 commit\(s\) not merged into main/.test(e.message) && /switchboard merge/.test(e.hint ?? ''));
    assert.throws(() => h.registry.remove(run.id), /still has its worktree/);
    const merged = await h.switchboard.worktrees.merge(run.id);
    assert.deepEqual([merged.alreadyMerged, merged.base, merged.files], [false, 'main', ['T1.txt']]);
    assert.match(gitIn(repo, 'log', '-1', '--format=%s', 'main'), new RegExp(`^Merge run ${run.name} \\(${branch}\\)$`));
    assert.ok(fs.existsSync(path.join(repo, 'T1.txt')), 'the checked-out main has the work');
    assert.equal((await h.switchboard.worktrees.merge(run.id)).alreadyMerged, true);
    assert.equal((await h.switchboard.worktrees.changes(run.id)).merged, true);
    const removed = await h.switchboard.worktrees.cleanup(run.id);
    assert.deepEqual([removed.removedFolder, removed.deletedBranch, fs.existsSync(run.worktree!.folder)], [true, false, false]);
    assert.equal(gitIn(repo, 'branch', '--list', branch).trim(), branch);
    assert.equal((await h.switchboard.worktrees.cleanup(run.id)).alreadyRemoved, true);
    h.registry.remove(run.id);

    const again = await h.registry.run({ runner: 'custom', prompt: 'Your task (T2): write it', cwd: repo, command: worker(), worktree: true, name: run.name });
    assert.equal(again.worktree!.branch, `${branch}-${again.id}`, 'the name is free again, its branch is not: the run id tells them apart');
    await h.registry.wait(again.id, 20_000);
    const forced = await h.switchboard.worktrees.cleanup(again.id, { force: true, deleteBranch: true });
    assert.deepEqual([forced.removedFolder, forced.deletedBranch, gitIn(repo, 'branch', '--list', again.worktree!.branch)], [true, true, '']);
  });

  it('gives runs started at once names and branches of their own', async () => {
    const runs = await Promise.all([1, 2, 3].map(() => h.registry.run({ runner: 'custom', prompt: 'x', cwd: repo, command: fakeCommand(), worktree: true })));
    assert.deepEqual(runs.map((r) => r.name).sort(), ['custom-1', 'custom-2', 'custom-3']);
    assert.deepEqual(runs.map((r) => r.worktree!.branch).sort(), ['switchboard/run/custom-1', 'switchboard/run/custom-2', 'switchboard/run/custom-3']);
  });

  it('refuses a merge that would conflict, naming the file, and changes nothing', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'Your task (T1): edit', cwd: repo, command: worker('--file', 'shared.txt', '--line', 'from the run', '--at', '1'), worktree: true });
    await h.registry.wait(run.id, 20_000);
    fs.writeFileSync(path.join(repo, 'shared.txt'), 'one\nfrom main\nthree\n');
    gitIn(repo, 'commit', '-qam', 'main moved on');
    const before = gitIn(repo, 'rev-parse', 'main');
    await assert.rejects(h.switchboard.worktrees.merge(run.id), (e: SwitchboardError) => code('merge_conflict')(e) && /shared\.txt \(1 hunk\)/.test(e.message));
    assert.equal(gitIn(repo, 'rev-parse', 'main'), before);
    assert.equal(gitIn(repo, 'status', '--porcelain'), '');
  });

  it('refuses what it cannot do with a clear reason, recording nothing and leaving no branch', async () => {
    const plain = tempDir('sb-not-a-repo-');
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'x', cwd: plain, command: fakeCommand(), worktree: true }), (e: SwitchboardError) => e.code === 'bad_cwd' && /is not in a git repository/.test(e.message) && /without --worktree/.test(e.hint ?? ''));
    const empty = tempDir('sb-empty-repo-');
    gitIn(empty, 'init', '-q');
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'x', cwd: empty, command: fakeCommand(), worktree: true }), /has no commit yet/);
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'x', cwd: repo, command: fakeCommand(), model: 'gpt-5', worktree: true }), /The custom runner takes no model/);
    await assert.rejects(h.registry.run({ runner: 'claude', prompt: 'x', cwd: repo, model: 'two words' }), (e: SwitchboardError) => e.code === 'invalid_argument' && /"two words" is not a usable model name/.test(e.message));
    await assert.rejects(h.registry.run({ runner: 'nope', prompt: 'x', cwd: repo, worktree: true }), /Unknown runner "nope"/);
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'x', cwd: repo, worktree: true }), /command/i);
    assert.equal(h.registry.list().length, 0);
    assert.equal(gitIn(repo, 'branch', '--list', 'switchboard/*'), '');
    assert.deepEqual(fs.readdirSync(h.stateDir).filter((n) => n === 'run-worktrees').flatMap((n) => fs.readdirSync(path.join(h.stateDir, n))), []);
    await assert.rejects(h.switchboard.worktrees.changes((await h.registry.run({ runner: 'custom', prompt: 'x', cwd: repo, command: fakeCommand() })).id), /not started with a worktree of its own/);
  });

  it("gives a run its model on the CLI's command line and in its record from the start, over the runner's setting; a team task's model too", async () => {
    const claude = fakeCli('claude', 'sleep 1');
    const codex = fakeCli('codex', 'echo done > T1.txt');
    const registry = await h.open({ runners: { claude: { binary: claude, model: 'configured-model' }, codex: { binary: codex, protocol: 'json' } } });
    const run = await registry.run({ runner: 'claude', prompt: 'x', cwd: repo, model: 'claude-opus-4-1' });
    assert.deepEqual([run.status, run.model], ['running', 'claude-opus-4-1']);
    assert.deepEqual(run.commandLine.slice(run.commandLine.indexOf('--model'), run.commandLine.indexOf('--model') + 2), ['--model', 'claude-opus-4-1']);
    const plain = await registry.run({ runner: 'claude', prompt: 'x', cwd: repo });
    assert.equal(plain.model, 'configured-model');
    assert.ok(plain.commandLine.includes('configured-model'));

    const teams = h.switchboardOf(registry).teams;
    const team = await teams.run({ spec: '1:executor:codex', task: 'goal', workspace: repo, tasks: [{ id: 'T1', title: 'write it', model: 'gpt-5-mini' }] });
    const done = await teams.finished(team.name);
    const task = done.tasks[0]!;
    assert.equal(task.model, 'gpt-5-mini');
    const taskRun = registry.resolve(task.runId!);
    assert.equal(taskRun.model, 'gpt-5-mini');
    assert.deepEqual(taskRun.commandLine.slice(taskRun.commandLine.indexOf('-m'), taskRun.commandLine.indexOf('-m') + 2), ['-m', 'gpt-5-mini']);
  });
});
