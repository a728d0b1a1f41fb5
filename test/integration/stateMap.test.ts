/**
 * The state folder after a busy scenario (runs done, killed and killed in line, a team in git
 * worktrees with a merge, an MCP server over HTTP, a feed follower, a corrupt config set aside):
 * every file in it is one the state map describes, owner-only; and the feed tells the story.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfigFile } from '../../src/core/config';
import { McpService } from '../../src/mcp/mcpService';
import { makeRepo } from '../support/gitRepo';
import { connectHttp } from '../support/mcpClients';
import { createHarness, fakeCommand, ROOT, until, type Harness } from '../support/harness';
import { auditState } from '../support/stateAudit';

const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const quiet = { trace() {}, info() {}, warn() {}, error() {} };

describe('the state folder', function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(async () => h.cleanup());

  it('holds only what the state map describes, owner-only, and its feed tells what happened', async () => {
    h = await createHarness({ runners: { custom: { command: `'${process.execPath}' '${WORKER}' {prompt}` } }, pools: { default: { maxWorkers: 64 }, one: { maxWorkers: 1 } } });
    const sb = h.switchboard;
    const follower = sb.feed.follow(0);
    const types = new Set<string>();
    follower.onDidAppend((events) => events.forEach((e) => types.add(e.type)));
    const service = new McpService({ switchboard: sb, logger: quiet, doctor: () => Promise.reject(new Error('not used')), defaultCwd: () => h.stateDir, guard: () => {} });
    const client = await connectHttp((await service.startHttp()).url, service.token(), 'state-test');
    try {
      await client.callTool({ name: 'list_agents', arguments: {} });
      const done = await sb.runs.run({ runner: 'custom', prompt: 'quick', command: fakeCommand() });
      const slow = await sb.runs.run({ runner: 'custom', prompt: 'slow', command: fakeCommand('--sleep', '30000'), pool: 'one' });
      const inLine = await sb.runs.run({ runner: 'custom', prompt: 'waits', command: fakeCommand(), pool: 'one' });
      assert.equal(inLine.status, 'queued');
      await sb.runs.kill(inLine.id, { source: 'test' });
      await sb.runs.kill(slow.id, { source: 'test', force: true });
      await sb.runs.wait(done.id, 20_000);

      const workspace = makeRepo();
      await sb.teams.run({ name: 'busy', spec: '2:executor:custom', task: 'two parts', workspace, tasks: [{ title: 'part one' }, { title: 'part two' }] });
      const team = await sb.teams.finished('busy');
      assert.equal(team.status, 'done', team.reason);
      await sb.teams.mergeWorker('busy', team.tasks[0]!.worker!);

      // As a person would write it (a file of theirs, made owner-only like the rest).
      fs.writeFileSync(sb.state.config, '{ not json', { mode: 0o600 });
      assert.match(loadConfigFile(h.stateDir).warning ?? '', /set aside/);

      follower.poke();
      const expected = ['agent.started', 'agent.completed', 'agent.killed', 'pool.admitted', 'pool.queued', 'pool.released', 'steering.intervention', 'team.started', 'task.added', 'task.assigned', 'task.completed', 'team.ended', 'merge.started', 'merge.completed'];
      await until(() => expected.every((t) => types.has(t)), 10_000, `the feed to tell ${expected.filter((t) => !types.has(t)).join(', ')}`);

      const { unknown, open } = auditState(h.stateDir);
      assert.deepEqual(unknown, [], 'every path is in the state map');
      assert.deepEqual(open, [], 'every path is owner-only');
      assert.equal(fs.statSync(h.stateDir).mode & 0o077, 0, 'the state folder itself is owner-only');
    } finally {
      follower.dispose();
      await client.close();
      await service.dispose();
    }
  });
});
