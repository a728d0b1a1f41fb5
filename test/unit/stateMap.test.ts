/** The map of the state folder: paths built from its entries, paths found on disk recognised, the README's tree, and no other file joining state paths. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { containerPlan, DEFAULT_CONTAINERS } from '../../src/core/containers/containerPlan';
import { describeStatePath, STATE_ENTRIES, StateMap, stateTree } from '../../src/core/state/stateMap';
import { ensureStateDir } from '../../src/core/state/stateDir';
import { tempDir } from '../support/harness';

const ROOT = path.resolve(__dirname, '..', '..');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

describe('state map', () => {
  const map = new StateMap('/state');

  it('builds every path from its entries, and recognises each one it builds', () => {
    const built = [map.config, map.supervisorLog, map.hostSocket('host-1-ab'), map.hostStartLock, ...Object.values(map.run('abc')), map.adoptClaim('abc', '123-tok'), ...Object.values(map.team('alpha')), map.worktree('alpha', 'executor-1'), map.runWorktree('abc'), ...Object.values(map.compare('cmp-20261206-abc123')), map.poolLedger, map.poolLock, map.mcpToken, map.mcpEndpoint, map.feedJournal, map.feedSegment(42), map.feedAppendLock, map.feedCompactLock, map.feedReader('1-ab'), ...Object.values(map.goal('goal-20261206-abc123')), ...Object.values(map.gates('3f2a')), ...Object.values(map.discoveries({ team: 'alpha' })), ...Object.values(map.discoveries({ goal: 'goal-20261206-abc123' })), ...Object.values(map.session('chat-20261206-abc123'))];
    for (const file of built) assert.ok(describeStatePath(path.relative('/state', file)), file);
    assert.equal(map.feedSegment(42), '/state/feed/journal-000000000042.jsonl');
    assert.equal(describeStatePath('worktrees/alpha/executor-1/src/index.ts')?.kind, 'worktree');
    assert.equal(describeStatePath('run-worktrees/abc/src/index.ts')?.kind, 'worktree');
    assert.equal(describeStatePath('runs/abc/.run.json.123.abcd1234.tmp')?.about, 'an atomic write in progress (renamed over its file when complete; one whose writer died is removed, see store/staleTemps.ts)');
    assert.match(describeStatePath('teams/alpha/team.json.corrupt-1700000000000-42')?.about ?? '', /set aside/);
    assert.equal(describeStatePath('runs/abc/unknown.txt'), undefined);
    assert.equal(describeStatePath('stray.json'), undefined);
  });

  it('describes every path a container run keeps, owner-only', () => {
    const root = tempDir('sb-container-state-');
    ensureStateDir(root);
    const state = new StateMap(root);
    const run = state.run('abc');
    fs.mkdirSync(run.dir, { recursive: true, mode: 0o700 });
    const plan = containerPlan({ kind: 'docker' }, DEFAULT_CONTAINERS, root, run.home, { DOCKER_HOST: 'ssh://build-box' }, [], { id: 'abc', copiedWorktree: run.copiedWorktree });
    const kept = [plan.home, plan.copy!.manifest, run.containerPlan, state.adoptClaim('abc', '123-tok'), path.join(plan.home, '.claude', 'projects', 'p', 's1.jsonl')];
    for (const file of kept) assert.ok(describeStatePath(path.relative(root, file)), file);
    assert.equal(describeStatePath(path.relative(root, path.join(plan.home, '.claude', 'settings.json')))?.kind, 'home');
    assert.equal(fs.statSync(plan.home).mode & 0o777, 0o700);
  });

  it('refuses a value that is not one path segment', () => {
    assert.throws(() => map.run('../etc'), /one path segment/);
    assert.throws(() => map.team('a/b'), /one path segment/);
  });

  it('moves a socket whose path is too long for a socket address to the temp folder', () => {
    const deep = new StateMap(`/${'x'.repeat(120)}`);
    assert.ok(deep.run('abc').controlSocket.length <= 100);
    assert.ok(map.run('abc').controlSocket.startsWith('/state/runs/abc/'));
  });

  it('a folder where the disk reserve belongs is said as such, with what to do (not as a folder that cannot be written)', () => {
    const root = tempDir('sb-reserve-folder-');
    fs.mkdirSync(new StateMap(root).diskReserve, { recursive: true });
    assert.throws(() => ensureStateDir(root), (e: Error & { hint?: string }) => /disk-reserve is a folder where Switchboard keeps a file/.test(e.message) && /Move that folder away/.test(e.hint ?? ''));
  });

  it('a state folder made earlier with wider permissions is tightened to the user alone', () => {
    const root = tempDir('sb-wide-state-');
    fs.chmodSync(root, 0o755);
    ensureStateDir(root);
    assert.equal(fs.statSync(root).mode & 0o777, 0o700);
  });

  it('is the tree the README shows', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    assert.ok(readme.includes(stateTree()), 'README.md shows stateTree() verbatim (regenerate it from src/core/state/stateEntries.ts)');
    assert.equal(stateTree().split('\n').length, STATE_ENTRIES.length);
  });

  it('is the only place that joins paths under the state folder', () => {
    // Joins onto the state folder itself, and joins of a name written in the code onto any folder the map gives
    // (`run.dir`, `state.feed`, `goal.gateLogs`…); a name read from such a folder's listing may be joined back onto it.
    const folders = new Set(['root']);
    const described = (value: unknown): boolean => typeof value === 'string' && (describeStatePath(path.relative('/state', value))?.pattern.endsWith('/') ?? false);
    for (const [name, property] of Object.entries(Object.getOwnPropertyDescriptors(StateMap.prototype))) if (property.get && described(property.get.call(map))) folders.add(name);
    const groups = [map.run('abc'), map.team('alpha'), map.compare('c'), map.goal('g'), map.gates('k'), map.webhooks, map.session('s')];
    for (const group of groups) for (const [name, value] of Object.entries(group)) if (described(value)) folders.add(name);
    assert.ok(['dir', 'feed', 'gateLogs', 'queue', 'home'].every((name) => folders.has(name)), [...folders].join(', '));
    const ontoState = /path\.(join|resolve)\([^)]*\b(stateDir|stateRoot)\b/;
    const namedOntoFolder = new RegExp(`path\\.(join|resolve)\\(\\s*[\\w.?!]*\\.(${[...folders].join('|')})\\s*,\\s*['"\`]`);
    const offenders = sources(path.join(ROOT, 'src')).filter((file) => {
      if (file.includes(`${path.sep}state${path.sep}`)) return false;
      const text = fs.readFileSync(file, 'utf8');
      return ontoState.test(text) || namedOntoFolder.test(text);
    });
    assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
  });
});
