/**
 * A state folder this process cannot write (mounted read-only for it: a bind mount in a mount
 * namespace of its own, while the run's supervisor, outside it, writes as usual). `kill` still stops
 * the run through its supervisor, which records it, and says that nothing was written from here.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runCli, type CliResult } from '../support/cliChild';
import { createHarness, fakeCommand, type Harness } from '../support/harness';

/** `unshare` as this user can use it: a mount namespace (and, not as root, a user namespace to make one in). */
const UNSHARE = process.getuid?.() === 0 ? ['-m'] : ['-r', '-m'];
/** Mounts `$0` read-only over itself, then runs the rest of the arguments. */
const READ_ONLY = 'mount --bind "$0" "$0" && mount -o remount,bind,ro "$0" "$0" && exec "$@"';

/** The CLI with the state folder read-only for it alone. */
function cliReadOnly(home: string, args: string[]): Promise<CliResult> {
  return runCli(home, args, {}, ['unshare', ...UNSHARE, 'sh', '-c', READ_ONLY, home]);
}

describe('a read-only state folder', function () {
  this.timeout(60_000);
  let h: Harness;
  before(function () {
    const probe = spawnSync('unshare', [...UNSHARE, 'sh', '-c', READ_ONLY, '/tmp', 'true'], { encoding: 'utf8' });
    if (probe.status !== 0) {
      console.log(`      (skipped: a read-only mount cannot be made here: ${(probe.error?.message ?? probe.stderr).trim()})`);
      this.skip();
    }
  });
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h?.cleanup());

  it('kill stops the run through its supervisor, which records it, and says nothing was written from here', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'x', name: 'held', command: fakeCommand('--sleep', '30000') });
    const result = await cliReadOnly(h.stateDir, ['kill', 'held']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^killed held \(pid \d+\) and its process tree/);
    assert.match(result.stderr, /cannot be written \(EROFS\)\. The kill went through the run's supervisor, which records it \(nothing was written from here\)/);
    const { record } = await h.registry.wait(run.id, 10_000);
    assert.equal(record.status, 'killed');
    assert.match(record.lastError ?? '', /killed by cli/);
    const again = await cliReadOnly(h.stateDir, ['kill', run.id]);
    assert.deepEqual([again.code, again.stdout.trim()], [0, 'held had already finished (killed); nothing to kill']);
    const unknown = await cliReadOnly(h.stateDir, ['kill', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /cannot be written \(EROFS\)\. No run is called "nope"/);
  });
});
