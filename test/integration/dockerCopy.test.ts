/**
 * Copy mode (`containers.copyWorktree`), on the real local engine set to `always`: the worktree is
 * not mounted but uploaded into a volume of the run's, and what the agent wrote, changed and deleted
 * comes back when it ends (a killed run's partial work too); the volume goes with the container.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, removeTempDirs, supervisorHostPids, tempDir, until, type Harness } from '../support/harness';
import { containersOf, docker, dockerSetup, removeDockerLeftovers, testContainers, volumesOf } from '../support/docker';
import { StateMap } from '../../src/core/state/stateMap';
import { auditState } from '../support/stateAudit';

/** Reads one file, writes a new one, changes one, deletes one, then waits a while (for the test to look at its mounts). */
const AGENT = `
import * as fs from 'node:fs';
console.log('read: ' + fs.readFileSync('keep.txt', 'utf8'));
fs.writeFileSync(process.env.HOME + '/.session', 'a session file');
console.log('home: ' + process.env.HOME);
fs.writeFileSync('new.txt', 'made in the container');
fs.mkdirSync('made/deeper', { recursive: true });
fs.writeFileSync('made/deeper/file.txt', 'deep');
fs.appendFileSync('change.txt', ' and changed');
fs.unlinkSync('gone.txt');
fs.unlinkSync('sub/gone-too.txt');
await new Promise((r) => setTimeout(r, Number(process.argv[2] ?? 0)));
`;

describe('docker backend, worktree copied (containers.copyWorktree)', function () {
  this.timeout(180_000);
  let h: Harness;
  let work: string;

  before(function () {
    const setup = dockerSetup();
    if (!setup.ok) this.skip();
  });
  beforeEach(async () => {
    h = await createHarness({ killGraceMs: 1000, containers: testContainers({ copyWorktree: 'always' }) });
    work = tempDir('sb-docker-copy-');
    fs.writeFileSync(path.join(work, 'agent.mjs'), AGENT);
    fs.writeFileSync(path.join(work, 'keep.txt'), 'kept as it was');
    fs.writeFileSync(path.join(work, 'change.txt'), 'first');
    fs.writeFileSync(path.join(work, 'gone.txt'), 'to be deleted');
    fs.mkdirSync(path.join(work, 'sub'));
    fs.writeFileSync(path.join(work, 'sub', 'gone-too.txt'), 'to be deleted too');
    fs.writeFileSync(path.join(work, 'sub', 'stays.txt'), 'stays');
  });
  afterEach(async () => {
    await h.cleanup();
    await removeDockerLeftovers(h.stateDir);
    await removeTempDirs();
  });

  const output = (id: string): string => fs.readFileSync(new StateMap(h.stateDir).run(id).output, 'utf8');
  /** Every file under a folder, relative, with its text. */
  const tree = (dir: string): Record<string, string> =>
    Object.fromEntries(
      (fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }) as string[]).filter((rel) => fs.lstatSync(path.join(dir, rel)).isFile()).sort().map((rel) => [rel, fs.readFileSync(path.join(dir, rel), 'utf8')]),
    );

  it('uploads the worktree into a volume (no bind of its path), and brings back exactly what the agent wrote, changed and deleted; the volume goes', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'agent.mjs')} 3000`, backend: 'docker' });
    await until(() => (h.registry.resolve(run.id)?.container?.id ?? '') !== '', 30_000, 'the container to start');
    const inspect = await docker().call<{ Mounts: { Type: string; Source: string; Destination: string; Name?: string }[] }>('GET', `/containers/${h.registry.resolve(run.id)!.container!.id}/json`);
    assert.ok(!inspect.Mounts.some((m) => m.Type === 'bind' && (m.Source === work || m.Destination === work)), `the worktree is bound: ${JSON.stringify(inspect.Mounts)}`);
    // The run's home is uploaded too, not bound (the engine's machine would make it empty, and root's).
    assert.ok(!inspect.Mounts.some((m) => m.Destination === '/switchboard/home'), `the home is bound: ${JSON.stringify(inspect.Mounts)}`);
    const volume = inspect.Mounts.find((m) => m.Destination === work);
    assert.equal(volume?.Type, 'volume');
    assert.equal(volume?.Name, `sb-${run.id}-worktree`);
    assert.deepEqual(await volumesOf(h.stateDir), [volume.Name]);
    const { record } = await h.registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(output(run.id), 'read: kept as it was\nhome: /switchboard/home\n');
    assert.deepEqual(tree(work), {
      'agent.mjs': AGENT,
      'change.txt': 'first and changed',
      'keep.txt': 'kept as it was',
      'made/deeper/file.txt': 'deep',
      'new.txt': 'made in the container',
      'sub/stays.txt': 'stays',
    });
    assert.match(record.container?.copyBack ?? '', /worktree copied back from volume sb-.*: 3 written or changed, 2 deleted$/);
    assert.deepEqual(await volumesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('a killed run\'s partial work comes back too', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'agent.mjs')} 60000`, backend: 'docker' });
    await until(() => output(run.id).includes('read: '), 30_000, 'the agent to start');
    // Its writes follow its first line at once.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const result = await h.registry.kill(run.id, { source: 'test' });
    assert.equal(result.status, 'killed');
    const record = h.registry.resolve(run.id)!;
    assert.equal(record.status, 'killed');
    assert.equal(fs.readFileSync(path.join(work, 'new.txt'), 'utf8'), 'made in the container');
    assert.equal(fs.readFileSync(path.join(work, 'change.txt'), 'utf8'), 'first and changed');
    assert.equal(fs.existsSync(path.join(work, 'gone.txt')), false);
    assert.deepEqual(await volumesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('a supervisor that takes the run over (the first was killed with -9) copies the worktree back at its end', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'agent.mjs')} 4000`, backend: 'docker' });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(run.id).output) && output(run.id).includes('read: '), 30_000, 'the agent to start');
    const hosts = supervisorHostPids(h.stateDir);
    assert.ok(hosts.length > 0);
    for (const pid of hosts) process.kill(pid, 'SIGKILL');
    h.switchboard.dispose();
    assert.equal(fs.existsSync(path.join(work, 'new.txt')), false, 'nothing came back yet');
    const again = await h.open();
    const { record } = await again.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.readFileSync(path.join(work, 'new.txt'), 'utf8'), 'made in the container');
    assert.equal(fs.existsSync(path.join(work, 'sub', 'gone-too.txt')), false);
    assert.match(record.container?.copyBack ?? '', /3 written or changed, 2 deleted$/);
    assert.deepEqual(await volumesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), []);
    // Its home, plan, copy manifest and the take-over's claim: each one the state map describes, owner-only.
    const paths = new StateMap(h.stateDir).run(run.id);
    assert.ok([paths.home, paths.containerPlan, paths.copiedWorktree].every((file) => fs.existsSync(file)));
    assert.ok(fs.readdirSync(paths.dir).some((name) => name.startsWith('adopted-')), 'the take-over left its claim');
    assert.deepEqual(auditState(h.stateDir, path.relative(h.stateDir, paths.dir)), { unknown: [], open: [] });
  });

  it('a container removed behind its back: the run is orphaned, and its work comes back from its volume all the same', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'agent.mjs')} 60000`, backend: 'docker' });
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(run.id).output) && output(run.id).includes('read: '), 30_000, 'the agent to start');
    await new Promise((resolve) => setTimeout(resolve, 500));
    await docker().call('DELETE', `/containers/${h.registry.resolve(run.id)!.container!.id}?force=1`);
    const { record } = await h.registry.wait(run.id, 30_000);
    assert.equal(record.status, 'orphaned');
    assert.equal(fs.readFileSync(path.join(work, 'new.txt'), 'utf8'), 'made in the container');
    assert.equal(fs.existsSync(path.join(work, 'gone.txt')), false);
    assert.match(record.container?.copyBack ?? '', /3 written or changed, 2 deleted$/);
    assert.deepEqual(await volumesOf(h.stateDir), []);
    assert.deepEqual(await containersOf(h.stateDir), [], 'the container made to copy from is gone too');
  });

  it('a git worktree works inside (its repository\'s git folder is uploaded too), and its new file comes back', async () => {
    const repo = tempDir('sb-docker-copy-repo-');
    const git = (cwd: string, ...args: string[]): string => execFileSync('git', ['-C', cwd, '-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { encoding: 'utf8' });
    git(repo, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(repo, 'readme.txt'), 'hello');
    git(repo, 'add', '.');
    git(repo, 'commit', '-q', '-m', 'first');
    const tree = path.join(tempDir('sb-docker-copy-wt-'), 'wt');
    git(repo, 'worktree', 'add', '-q', '-b', 'feature', tree);
    const script = `set -e; git rev-parse --abbrev-ref HEAD; echo from-container > added.txt; git status --porcelain`;
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: tree, command: `sh -c '${script}'`, backend: 'docker' });
    const { record } = await h.registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', `${record.lastError}\n${output(run.id)}`);
    assert.equal(output(run.id), 'feature\n?? added.txt\n');
    assert.equal(fs.readFileSync(path.join(tree, 'added.txt'), 'utf8'), 'from-container\n');
    assert.equal(git(tree, 'status', '--porcelain'), '?? added.txt\n');
    assert.deepEqual(await volumesOf(h.stateDir), []);
  });
});
