/**
 * A team whose workers run in containers (`2:executor:custom@docker`): each worker's runs are
 * containers with its worktree (and the repository's git folder) mounted at the same path, so its
 * commits land on its branch; the runs are admitted through the team's docker pool, not a local slot.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Team } from '../../src/core/teams/team';
import { loadTeam } from '../../src/core/teams/teamStore';
import { createHarness, ROOT, until, type Harness } from '../support/harness';
import { gitIn, makeRepo } from '../support/gitRepo';
import { containersOf, dockerSetup, removeContainersOf } from '../support/docker';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');

describe('a team in containers', function () {
  this.timeout(180_000);
  let h: Harness | undefined;
  let team: Team | undefined;

  before(function () {
    if (!dockerSetup().ok) this.skip();
  });
  afterEach(async () => {
    team?.dispose();
    await h?.cleanup();
    if (h) await removeContainersOf(h.stateDir);
  });

  it('runs each worker in a container on its own worktree; the commits are on their branches', async () => {
    h = await createHarness({
      runners: { custom: { command: `node '${WORKER}' {prompt}` } },
      // The scripted worker is mounted read-only at its path; the image has node and git.
      containers: { image: dockerSetup().image!, network: 'none', env: [], files: [WORKER] },
    });
    const workspace = makeRepo({ 'README.md': '# project\n' });
    team = await Team.start({ registry: h.registry }, { name: 'boxed', spec: '2:executor:custom@docker', task: 'build it', tasks: [{ title: 'base' }, { title: 'left', dependsOn: ['T1'] }, { title: 'right', dependsOn: ['T1'] }], workspace });
    assert.deepEqual(team.record.workers.map((w) => [w.name, w.backend]), [['executor-1', 'docker'], ['executor-2', 'docker']]);
    await until(() => team!.settled, 150_000, 'the team to finish');
    const saved = loadTeam(h.stateDir, 'boxed');
    assert.equal(saved.status, 'done', saved.reason);
    for (const task of saved.tasks) {
      assert.equal(gitIn(workspace, 'log', '--format=%s', '-1', `switchboard/boxed/${task.worker}`, '--', `${task.id}.txt`), `${task.id}: done`);
      const run = h.registry.resolve(task.runId!);
      assert.equal(run.container?.backend, 'docker');
      assert.equal(run.pool, 'teams@docker');
    }
    assert.deepEqual(await containersOf(h.stateDir), []);
  });
});
