/** The map of the state folder: paths built from its entries, paths found on disk recognised, the README's tree, and no other file joining state paths. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
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
    const built = [map.config, map.supervisorLog, map.hostSocket('host-1-ab'), map.hostStartLock, ...Object.values(map.run('abc')), ...Object.values(map.team('alpha')), map.worktree('alpha', 'executor-1'), map.runWorktree('abc'), ...Object.values(map.compare('cmp-20261206-abc123')), map.poolLedger, map.poolLock, map.mcpToken, map.mcpEndpoint, map.feedJournal, map.feedSegment(42), map.feedAppendLock, map.feedCompactLock, map.feedReader('1-ab'), ...Object.values(map.goal('goal-20261206-abc123')), ...Object.values(map.gates('3f2a')), ...Object.values(map.discoveries({ team: 'alpha' })), ...Object.values(map.discoveries({ goal: 'goal-20261206-abc123' })), ...Object.values(map.session('chat-20261206-abc123'))];
    for (const file of built) assert.ok(describeStatePath(path.relative('/state', file)), file);
    assert.equal(map.feedSegment(42), '/state/feed/journal-000000000042.jsonl');
    assert.equal(describeStatePath('worktrees/alpha/executor-1/src/index.ts')?.kind, 'worktree');
    assert.equal(describeStatePath('run-worktrees/abc/src/index.ts')?.kind, 'worktree');
    assert.equal(describeStatePath('runs/abc/.run.json.123.abcd1234.tmp')?.about, 'an atomic write in progress (renamed over its file when complete)');
    assert.match(describeStatePath('teams/alpha/team.json.corrupt-1700000000000-42')?.about ?? '', /set aside/);
    assert.equal(describeStatePath('runs/abc/unknown.txt'), undefined);
    assert.equal(describeStatePath('stray.json'), undefined);
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
    const joins = /path\.(join|resolve)\([^)]*\b(stateDir|stateRoot)\b/;
    const offenders = sources(path.join(ROOT, 'src')).filter((file) => !file.includes(`${path.sep}state${path.sep}`) && joins.test(fs.readFileSync(file, 'utf8')));
    assert.deepEqual(offenders.map((f) => path.relative(ROOT, f)), []);
  });
});
