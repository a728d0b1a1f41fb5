/** Worker worktrees in real git repositories: made from HEAD, set up, shared when there is no repository, removed only when merged. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../../src/core/errors';
import { createWorkerWorktree, type IsolatedWorkspace, type WorkerWorkspace } from '../../src/core/git/worktrees';
import { removeWorkerWorktree } from '../../src/core/git/worktreeRemoval';
import { gitIn, makeRepo } from '../support/gitRepo';
import { tempDir } from '../support/harness';

function isolated(workspace: WorkerWorkspace): IsolatedWorkspace {
  assert.equal(workspace.isolated, true, workspace.isolated ? '' : workspace.warning);
  return workspace as IsolatedWorkspace;
}

const refusal = (code: string, pattern: RegExp) => (error: unknown) => error instanceof SwitchboardError && error.code === code && pattern.test(`${error.message} ${error.hint ?? ''}`);

describe('git worktrees for workers (real git)', function () {
  this.timeout(20_000);
  let repo: string;
  let state: string;
  beforeEach(() => {
    repo = makeRepo({ 'README.md': 'hello\n', '.gitignore': '.env\n' });
    fs.writeFileSync(path.join(repo, '.env'), 'TOKEN=secret\n');
    state = tempDir('sb-wt-');
  });

  it('makes a worktree on switchboard/<team>/<worker> from HEAD, copies .env and runs the setup command in it', async () => {
    const folder = path.join(state, 'worktrees', 'alpha', 'w1');
    const setup = `'${process.execPath}' -e "require('fs').writeFileSync('setup-ran.txt', process.cwd())"`;
    const made = isolated(await createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder, setup, copyFiles: ['.env', 'missing.txt'] }));
    assert.equal(made.branch, 'switchboard/alpha/w1');
    assert.equal(made.cwd, folder);
    assert.equal(made.baseBranch, 'main');
    assert.equal(made.baseCommit, gitIn(repo, 'rev-parse', 'HEAD'));
    assert.equal(gitIn(folder, 'rev-parse', '--abbrev-ref', 'HEAD'), 'switchboard/alpha/w1');
    assert.equal(gitIn(folder, 'rev-parse', 'HEAD'), gitIn(repo, 'rev-parse', 'HEAD'));
    assert.deepEqual(made.copied, ['.env']);
    assert.equal(fs.readFileSync(path.join(folder, '.env'), 'utf8'), 'TOKEN=secret\n');
    assert.equal(fs.realpathSync(fs.readFileSync(path.join(folder, 'setup-ran.txt'), 'utf8')), fs.realpathSync(folder));
    assert.deepEqual(made.setup?.argv.slice(1, 2), ['-e']);
    assert.equal(gitIn(repo, 'status', '--porcelain'), '', 'the workspace itself is untouched');
  });

  it('works in the same subfolder when the workspace is a folder inside the repository', async () => {
    fs.mkdirSync(path.join(repo, 'pkg'));
    fs.writeFileSync(path.join(repo, 'pkg', 'index.js'), '1\n');
    gitIn(repo, 'add', '-A');
    gitIn(repo, 'commit', '-q', '-m', 'pkg');
    const folder = path.join(state, 'w');
    const made = isolated(await createWorkerWorktree({ workspace: path.join(repo, 'pkg'), team: 't', worker: 'w', folder }));
    assert.equal(made.cwd, path.join(folder, 'pkg'));
    assert.ok(fs.existsSync(path.join(made.cwd, 'index.js')));
  });

  it('falls back to the shared folder, with a warning, outside a git repository or before the first commit', async () => {
    const plain = tempDir('sb-plain-');
    const shared = await createWorkerWorktree({ workspace: plain, team: 'alpha', worker: 'w1', folder: path.join(state, 'x') });
    assert.equal(shared.isolated, false);
    assert.equal(shared.cwd, plain);
    assert.match(shared.isolated ? '' : shared.warning, /not a git repository, so workers share the folder/);
    assert.equal(fs.existsSync(path.join(state, 'x')), false);

    const empty = tempDir('sb-empty-');
    gitIn(empty, 'init', '-q', '-b', 'main');
    const noCommits = await createWorkerWorktree({ workspace: empty, team: 'alpha', worker: 'w1', folder: path.join(state, 'y') });
    assert.match(noCommits.isolated ? '' : noCommits.warning, /without commits yet, so workers share the folder/);
  });

  it('refuses team and worker names that cannot be part of a branch, naming the value and the accepted form', async () => {
    for (const [team, worker, bad] of [['bad name', 'w', 'bad name'], ['t', '../up', '../up'], ['a..b', 'w', 'a..b'], ['t', '-x', '-x'], ['t', 'x.lock', 'x.lock'], ['', 'w', '']]) {
      await assert.rejects(
        createWorkerWorktree({ workspace: repo, team: team!, worker: worker!, folder: path.join(state, 'bad') }),
        (error: unknown) => refusal('invalid_argument', new RegExp(`"${bad!.replace(/\./g, '\\.')}" is not a usable (team|worker) name.*letters, digits`))(error),
      );
    }
    assert.equal(gitIn(repo, 'branch', '--list', 'switchboard/*'), '');
  });

  it('refuses an existing branch or worktree unless asked to reuse it', async () => {
    const folder = path.join(state, 'w1');
    await createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder });
    await assert.rejects(createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder }), refusal('name_taken', /worktree already exists/));
    const again = isolated(await createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder, reuse: true }));
    assert.equal(again.reused, true);

    await assert.rejects(createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder: path.join(state, 'other') }), refusal('name_taken', /branch switchboard\/alpha\/w1 already exists/));
  });

  it('takes the worktree and its branch away again when the setup command fails', async () => {
    const folder = path.join(state, 'w1');
    await assert.rejects(
      createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder, setup: [process.execPath, '-e', 'console.error("no network"); process.exit(3)'] }),
      refusal('spawn_failed', /exited with 3[\s\S]*no network/),
    );
    assert.equal(fs.existsSync(folder), false);
    assert.equal(gitIn(repo, 'branch', '--list', 'switchboard/*'), '');
  });

  it('refuses to remove a worktree whose branch is not merged, and removes a merged one with its branch', async () => {
    const folder = path.join(state, 'w1');
    await createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w1', folder, copyFiles: ['.env'] });
    fs.writeFileSync(path.join(folder, 'work.txt'), 'done\n');
    gitIn(folder, 'add', 'work.txt');
    gitIn(folder, 'commit', '-q', '-m', 'work');
    fs.writeFileSync(path.join(folder, 'scratch.txt'), 'not committed\n');

    const remove = { workspace: repo, team: 'alpha', worker: 'w1', folder, deleteBranch: true, copyFiles: ['.env'] };
    await assert.rejects(removeWorkerWorktree(remove), refusal('not_merged', /1 commit\(s\) not merged into main; the worktree has uncommitted changes: scratch\.txt\./));
    assert.ok(fs.existsSync(folder));

    fs.rmSync(path.join(folder, 'scratch.txt'));
    gitIn(repo, 'merge', '-q', '--no-ff', '-m', 'merge', 'switchboard/alpha/w1');
    const removed = await removeWorkerWorktree(remove);
    assert.deepEqual(removed, { folder, branch: 'switchboard/alpha/w1', removedFolder: true, deletedBranch: true });
    assert.equal(fs.existsSync(folder), false);
    assert.equal(gitIn(repo, 'branch', '--list', 'switchboard/*'), '');
  });

  it('removes an unmerged worktree when forced', async () => {
    const folder = path.join(state, 'w2');
    await createWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w2', folder });
    fs.writeFileSync(path.join(folder, 'work.txt'), 'half done\n');
    const removed = await removeWorkerWorktree({ workspace: repo, team: 'alpha', worker: 'w2', folder, force: true });
    assert.equal(removed.removedFolder, true);
    assert.equal(removed.deletedBranch, false);
    assert.equal(fs.existsSync(folder), false);
  });
});
