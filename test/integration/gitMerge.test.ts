/** Conflict scores and merges of worker branches in real git repositories, with workers committing in their own worktrees. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../../src/core/errors';
import { branchChanges } from '../../src/core/git/branchChanges';
import { mergeWorkerBranch } from '../../src/core/git/merge';
import { checkMerge, conflictMatrix } from '../../src/core/git/mergeScore';
import { createWorkerWorktree } from '../../src/core/git/worktrees';
import { gitIn, makeRepo } from '../support/gitRepo';
import { tempDir } from '../support/harness';

const lines = (n: number, edit: Record<number, string> = {}): string => Array.from({ length: n }, (_, i) => edit[i + 1] ?? `line ${i + 1}`).join('\n') + '\n';

/** A repository with one commit on main: a 20-line shared.txt and a README. */
const makeSharedRepo = (): string => makeRepo({ 'shared.txt': lines(20), 'README.md': 'hello\n' });

describe('conflict scores and merges of worker branches (real git)', function () {
  this.timeout(20_000);
  let repo: string;
  let state: string;

  /** A worker of team `t` that writes these files in its own worktree and commits them. */
  async function worker(name: string, files: Record<string, string>): Promise<string> {
    const made = await createWorkerWorktree({ workspace: repo, team: 't', worker: name, folder: path.join(state, name) });
    assert.ok(made.isolated);
    for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(made.cwd, file), text);
    gitIn(made.cwd, 'add', '-A');
    gitIn(made.cwd, 'commit', '-q', '-m', `${name} did its task`);
    return made.branch;
  }

  beforeEach(() => {
    repo = makeSharedRepo();
    state = tempDir('sb-wt-');
  });

  it('scores two workers editing the same lines above 0, naming the file and its hunks', async () => {
    const a = await worker('a', { 'shared.txt': lines(20, { 3: 'A was here', 15: 'A again' }) });
    const b = await worker('b', { 'shared.txt': lines(20, { 3: 'B was here', 15: 'B again' }) });
    const check = await checkMerge(repo, a, b);
    assert.equal(check.clean, false);
    assert.deepEqual(check.files, [{ path: 'shared.txt', hunks: 2, kinds: ['contents'] }]);
    assert.equal(check.score, 3);
    assert.ok(check.score > 0);
    assert.match(check.messages.join('\n'), /Merge conflict in shared\.txt/);
  });

  it('counts hunks from the merged tree whatever the conflict style, marker-like lines or conflicts without markers', async () => {
    gitIn(repo, 'config', 'merge.conflictStyle', 'diff3');
    fs.writeFileSync(path.join(repo, 'doc.md'), lines(10, { 2: '<<<<<<< a literal marker line in the document' }));
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'doc');
    const a = await worker('a', { 'doc.md': lines(10, { 2: '<<<<<<< a literal marker line in the document', 8: 'A' }), 'README.md': 'a\n' });
    const made = await createWorkerWorktree({ workspace: repo, team: 't', worker: 'b', folder: path.join(state, 'b') });
    fs.writeFileSync(path.join(made.cwd, 'doc.md'), lines(10, { 2: '<<<<<<< a literal marker line in the document', 8: 'B' }));
    fs.rmSync(path.join(made.cwd, 'README.md'));
    gitIn(made.cwd, 'commit', '-q', '-am', 'b');
    const check = await checkMerge(repo, a, 'switchboard/t/b');
    assert.deepEqual(check.files, [
      { path: 'README.md', hunks: 1, kinds: ['modify/delete'] },
      { path: 'doc.md', hunks: 1, kinds: ['contents'] },
    ]);
    assert.equal(check.score, 4);
  });

  it('scores workers on disjoint files 0 and clean, and lists what each branch changed', async () => {
    const a = await worker('a', { 'a.txt': 'from a\n' });
    const b = await worker('b', { 'b.txt': 'from b\n', 'shared.txt': lines(20, { 20: 'b edits the end' }) });
    assert.deepEqual(await checkMerge(repo, a, b).then(({ clean, score, files }) => ({ clean, score, files })), { clean: true, score: 0, files: [] });

    const changes = await branchChanges(repo, b, 'main');
    assert.equal(changes.commits, 1);
    assert.equal(changes.mergeBase, gitIn(repo, 'rev-parse', 'main'));
    assert.deepEqual(changes.files, [
      { status: 'A', path: 'b.txt' },
      { status: 'M', path: 'shared.txt' },
    ]);
  });

  it('scores every pair of workers and each against the base', async () => {
    const a = await worker('a', { 'shared.txt': lines(20, { 1: 'A' }) });
    const b = await worker('b', { 'shared.txt': lines(20, { 1: 'B' }) });
    const c = await worker('c', { 'c.txt': 'c\n' });
    fs.writeFileSync(path.join(repo, 'shared.txt'), lines(20, { 1: 'main moved on' }));
    gitIn(repo, 'commit', '-q', '-am', 'main moves on');

    const matrix = await conflictMatrix(repo, [a, b, c], 'main');
    const score = (x: string, y: string): number | undefined => [...matrix.pairs, ...matrix.againstBase].find((p) => p.a === x && p.b === y)?.score;
    assert.equal(matrix.pairs.length, 3);
    assert.equal(matrix.againstBase.length, 3);
    assert.equal(score(a, b), 2);
    assert.equal(score(a, c), 0);
    assert.equal(score(b, c), 0);
    assert.equal(score('main', a), 2);
    assert.equal(score('main', c), 0);
  });

  it('merges a clean worker branch with a merge commit naming the team and worker', async () => {
    const branch = await worker('w1', { 'feature.txt': 'new feature\n' });
    const before = gitIn(repo, 'rev-parse', 'HEAD');
    const merged = await mergeWorkerBranch({ workspace: repo, team: 't', worker: 'w1' });
    assert.equal(merged.alreadyMerged, false);
    assert.deepEqual(merged.files, ['feature.txt']);
    assert.equal(gitIn(repo, 'rev-parse', 'HEAD'), merged.commit);
    assert.equal(gitIn(repo, 'rev-list', '--parents', '-n', '1', merged.commit), `${merged.commit} ${before} ${gitIn(repo, 'rev-parse', branch)}`);
    assert.match(gitIn(repo, 'log', '-1', '--format=%s', merged.commit), /worker w1 of team t/);
    assert.equal(fs.readFileSync(path.join(repo, 'feature.txt'), 'utf8'), 'new feature\n');
    assert.equal(gitIn(repo, 'status', '--porcelain'), '');

    const again = await mergeWorkerBranch({ workspace: repo, team: 't', worker: 'w1' });
    assert.deepEqual({ alreadyMerged: again.alreadyMerged, commit: again.commit }, { alreadyMerged: true, commit: merged.commit });
  });

  it('refuses a conflicting branch, naming the files, and leaves the base and the working tree as they were', async () => {
    await worker('w1', { 'shared.txt': lines(20, { 5: 'worker' }), 'other.txt': 'fine\n' });
    fs.writeFileSync(path.join(repo, 'shared.txt'), lines(20, { 5: 'main' }));
    gitIn(repo, 'commit', '-q', '-am', 'main edits line 5');
    const head = gitIn(repo, 'rev-parse', 'HEAD');

    await assert.rejects(mergeWorkerBranch({ workspace: repo, team: 't', worker: 'w1' }), (error: unknown) => {
      assert.ok(error instanceof SwitchboardError);
      assert.match(error.message, /switchboard\/t\/w1 cannot be merged into main cleanly: 1 file\(s\) conflict: shared\.txt \(1 hunk\)/);
      assert.deepEqual(error.details?.files, [{ path: 'shared.txt', hunks: 1, kinds: ['contents'] }]);
      assert.equal(error.code, 'merge_conflict');
      assert.equal(error.details?.reason, 'merge_conflict');
      return true;
    });
    assert.equal(gitIn(repo, 'rev-parse', 'HEAD'), head);
    assert.equal(gitIn(repo, 'status', '--porcelain'), '');
    assert.equal(fs.existsSync(path.join(repo, 'other.txt')), false);
  });

  it('refuses when uncommitted changes in the workspace touch the files the merge would change', async () => {
    await worker('w1', { 'shared.txt': lines(20, { 20: 'worker' }) });
    fs.writeFileSync(path.join(repo, 'shared.txt'), lines(20, { 1: 'not committed' }));
    const head = gitIn(repo, 'rev-parse', 'HEAD');
    await assert.rejects(mergeWorkerBranch({ workspace: repo, team: 't', worker: 'w1' }), /uncommitted changes to files the merge would change \(shared\.txt\)/);
    assert.equal(gitIn(repo, 'rev-parse', 'HEAD'), head);
    assert.equal(fs.readFileSync(path.join(repo, 'shared.txt'), 'utf8'), lines(20, { 1: 'not committed' }));
  });

  it('merges into a base branch checked out nowhere without touching any working tree', async () => {
    gitIn(repo, 'branch', 'release');
    await worker('w1', { 'feature.txt': 'x\n' });
    const merged = await mergeWorkerBranch({ workspace: repo, team: 't', worker: 'w1', base: 'release' });
    assert.equal(gitIn(repo, 'rev-parse', 'release'), merged.commit);
    assert.equal(gitIn(repo, 'show', 'release:feature.txt'), 'x');
    assert.equal(fs.existsSync(path.join(repo, 'feature.txt')), false);
    assert.equal(gitIn(repo, 'status', '--porcelain'), '');
  });
});
