/**
 * The end of a run, between its agent's exit and its final record (here: the commit of its worktree,
 * held up by a real git clean filter that waits for a gate file): the agent's exit decides how the
 * run ends; a kill, interrupt or steer that comes meanwhile is answered truthfully and changes nothing;
 * a kill stops finishing work that hangs once the grace time is over, and so does a kill that came
 * while the agent ran, a little later.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { StateMap } from '../../src/core/state/stateMap';
import { gitIn, makeRepo } from '../support/gitRepo';
import { createHarness, tempDir, until, type Harness } from '../support/harness';

/** A repository whose `*.txt` files pass through a clean filter that waits while `gate` exists (git add runs it), saying it began in `began`. */
function gatedRepo(): { repo: string; gate: string; began: string } {
  const dir = tempDir('sb-gate-');
  const gate = path.join(dir, 'gate');
  const began = path.join(dir, 'began');
  const repo = makeRepo({ 'README.md': 'hello\n', '.gitattributes': '*.txt filter=gated\n' });
  // git runs a filter's command with the shell; the paths are temp folders of ours (no quotes in them).
  gitIn(repo, 'config', 'filter.gated.clean', `touch '${began}'; while [ -e '${gate}' ]; do sleep 0.05; done; cat`);
  fs.writeFileSync(gate, '');
  return { repo, gate, began };
}

const notRunning = (pattern: RegExp) => (e: unknown) => (e as SwitchboardError).code === 'not_running' && pattern.test((e as Error).message);

describe('the end of a run: its agent exited, its worktree being committed (real git, real processes)', function () {
  this.timeout(60_000);
  let h: Harness | undefined;
  let gate: string | undefined;
  afterEach(async () => {
    // The filter (a child of git, or left by a git that was stopped) ends once its gate is gone.
    if (gate) fs.rmSync(gate, { force: true });
    await h?.cleanup();
    h = gate = undefined;
  });

  it('ends as its agent did (done, code 0) whatever comes meanwhile: interrupt and steer are refused saying so, a kill changes nothing and answers once it ended', async () => {
    h = await createHarness({ killGraceMs: 30_000 });
    const gated = gatedRepo();
    gate = gated.gate;
    const run = await h.registry.run({ runner: 'custom', prompt: 'go', cwd: gated.repo, command: `sh -c "echo work > work.txt" {prompt}`, worktree: true });
    await until(() => fs.existsSync(gated.began), 20_000, 'the commit of its worktree to begin');
    assert.equal(h.registry.resolve(run.id).status, 'running', 'the record says running while it finishes');
    await assert.rejects(h.registry.interrupt(run.id, 'test'), notRunning(/is finishing: its agent already exited with code 0/));
    await assert.rejects(h.registry.steer(run.id, 'more', 'test'), notRunning(/is finishing: its agent already exited with code 0/));
    const kill = h.registry.kill(run.id, { source: 'test' });
    // Asked on the same control socket after the kill, so answered after the supervisor had it.
    await assert.rejects(h.registry.interrupt(run.id, 'test'), notRunning(/is finishing/));
    fs.rmSync(gated.gate);
    const answer = await kill;
    assert.deepEqual([answer.killed, answer.status], [false, 'done']);
    assert.match(answer.finishing ?? '', new RegExp(`^${run.name} was finishing when the kill came: its agent had already exited with code 0$`));
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.deepEqual([record.status, record.exitCode, record.lastError], ['done', 0, undefined]);
    assert.equal(record.worktree!.end?.committedLeftovers, true);
    assert.equal(gitIn(gated.repo, 'show', `${record.worktree!.branch}:work.txt`), 'work');
    assert.ok(!fs.readFileSync(new StateMap(h.stateDir).run(run.id).events, 'utf8').includes('"action":"kill"'), 'no kill is recorded');
  });

  it('a kill stops a commit that hangs after the grace time: the run still ends done with its code, its worktree end says the commit was stopped', async () => {
    h = await createHarness({ killGraceMs: 300 });
    const gated = gatedRepo();
    gate = gated.gate;
    const run = await h.registry.run({ runner: 'custom', prompt: 'go', cwd: gated.repo, command: `sh -c "echo work > work.txt" {prompt}`, worktree: true });
    await until(() => fs.existsSync(gated.began), 20_000, 'the commit of its worktree to begin');
    const answer = await h.registry.kill(run.id, { source: 'test' });
    assert.deepEqual([answer.killed, answer.status], [false, 'done']);
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.deepEqual([record.status, record.exitCode], ['done', 0]);
    assert.equal(record.worktree!.end?.committedLeftovers, false);
    assert.match(record.worktree!.end?.error ?? '', /was not committed: the commit was stopped by a kill by test/);
    assert.equal(gitIn(gated.repo, 'rev-parse', record.worktree!.branch), record.worktree!.baseCommit, 'nothing was committed on its branch');
  });

  it('a kill while the agent runs bounds the commit that follows: one that hangs past the grace time and a little more is stopped, and the kill answers killed, the record its supervisor\'s', async () => {
    h = await createHarness({ killGraceMs: 300 });
    const gated = gatedRepo();
    gate = gated.gate;
    const run = await h.registry.run({ runner: 'custom', prompt: 'go', cwd: gated.repo, command: `sh -c "echo work > work.txt; echo written; sleep 60" {prompt}`, worktree: true });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && fs.readFileSync(new StateMap(h!.stateDir).run(run.id).output, 'utf8').includes('written'), 20_000, 'the agent to write');
    const answer = await h.registry.kill(run.id, { source: 'test' });
    assert.ok(fs.existsSync(gated.began), 'the commit began');
    // Answered by its supervisor once the run had ended: not given up on by the asker, which then records the run killed itself.
    assert.deepEqual([answer.killed, answer.status, answer.finishing], [true, 'killed', undefined]);
    const { record } = await h.registry.wait(run.id, 20_000);
    assert.deepEqual([record.status, record.lastError], ['killed', 'killed by test']);
    assert.match(record.worktree!.end?.error ?? '', /was not committed: the commit was stopped by a kill by test/);
  });
});
