/**
 * A team of two real Claude Codes (pinned, against the scripted Anthropic provider) over a real git
 * repository: T1 and T2 run at once, each executor in its own worktree writing a file with its own
 * Write tool; Switchboard commits what they leave on their branches; T3 waits for both and starts
 * with their work merged into its worktree. The runs carry the team's links, pool and usage, and the
 * two branches do not conflict. Skipped, saying why, only when the pinned CLI is not installed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Task } from '../../src/core/dag/task';
import { TeamService } from '../../src/core/teams/teamService';
import { agentCliBinary, realCliSuite } from '../support/agentClis';
import { gitIn, makeRepo } from '../support/gitRepo';
import type { ProviderRequestInfo, ScriptedStep } from '../support/providers/types';

const TEAM = 'duo';

/** The folder Claude Code says it works in: its environment entry in the request names it. */
function workingDirectory(body: unknown): string {
  const messages = (body as { messages?: { content?: unknown }[] }).messages ?? [];
  for (const message of messages) {
    for (const block of Array.isArray(message.content) ? (message.content as { text?: unknown }[]) : []) {
      const found = typeof block.text === 'string' ? /Primary working directory: (.+)/.exec(block.text) : null;
      if (found) return found[1]!.trim();
    }
  }
  throw new Error('the request does not name a working directory');
}

describe('a team of two real Claude Codes', function () {
  this.timeout(180_000);
  before(function () {
    try {
      agentCliBinary('claude');
    } catch (error) {
      console.log(`      skipped: ${(error as Error).message}`);
      this.skip();
    }
  });
  let service: TeamService | undefined;
  // Registered before the suite's hooks, so the team service lets go before the harness cleans up.
  afterEach(() => {
    service?.dispose();
    service = undefined;
  });
  const suite = realCliSuite('claude');

  it('runs T1 and T2 at once in their own worktrees, commits their files on their branches, and T3 after both with both files', async () => {
    const workspace = makeRepo({ 'README.md': '# project\n' });
    /** Where Claude said each task's run worked, and what T3 found in its worktree when it began. */
    const cwdOf = new Map<string, string>();
    let t3Found: string[] = [];
    const script = (r: ProviderRequestInfo): ScriptedStep => {
      const id = /Your task \((T\d)\)/.exec(r.lastUserText)?.[1] ?? 'unknown';
      if (r.afterToolResult) return { kind: 'text', text: `I wrote ${id}.txt.`, chunks: 4, delayMs: 150 };
      const cwd = workingDirectory(r.body);
      cwdOf.set(id, cwd);
      if (id === 'T3') t3Found = ['T1.txt', 'T2.txt'].filter((f) => fs.existsSync(path.join(cwd, f)));
      return { kind: 'write_file', path: path.join(cwd, `${id}.txt`), content: `${id} by Claude Code\n` };
    };
    const registry = await suite.registryFor(script);
    service = suite.switchboardOf(registry).teams;
    await service.run({
      name: TEAM,
      spec: '2:executor:claude',
      task: 'Write the team files',
      tasks: [{ id: 'T1', title: 'write T1.txt' }, { id: 'T2', title: 'write T2.txt' }, { id: 'T3', title: 'write T3.txt', dependsOn: ['T1', 'T2'] }],
      workspace,
    });
    const team = await service.finished(TEAM);
    const at = (id: string): Task => team.tasks.find((t) => t.id === id)!;
    const runOf = (id: string) => registry.resolve(at(id).runId!);
    assert.equal(team.status, 'done', team.tasks.map((t) => `${t.id} ${t.status} ${t.reason ?? ''}`).join('; '));
    assert.deepEqual(team.tasks.map((t) => [t.id, t.status, t.attempts]), [['T1', 'done', 1], ['T2', 'done', 1], ['T3', 'done', 1]]);

    // T1 and T2: two workers, each in its own worktree, running at the same time.
    const [t1, t2] = [runOf('T1'), runOf('T2')];
    assert.notEqual(at('T1').worker, at('T2').worker);
    const worker = (id: string) => team.workers.find((w) => w.name === at(id).worker)!;
    for (const id of ['T1', 'T2', 'T3']) assert.equal(cwdOf.get(id), worker(id).cwd, `${id}'s Claude Code worked in its worker's worktree`);
    assert.notEqual(worker('T1').cwd, worker('T2').cwd);
    assert.ok(t1.startedAt! < t2.endedAt! && t2.startedAt! < t1.endedAt!, `T1 ran ${t1.startedAt}-${t1.endedAt}, T2 ${t2.startedAt}-${t2.endedAt}: they overlap`);

    // Claude Code (acceptEdits) does not commit: Switchboard committed each file on its worker's branch, none on main.
    for (const id of ['T1', 'T2', 'T3']) {
      const branch = worker(id).branch!;
      const [commit, subject, ...body] = gitIn(workspace, 'log', '-1', '--format=%H%n%s%n%b', branch, '--', `${id}.txt`).split('\n');
      assert.equal(subject, `${id}: write ${id}.txt`);
      assert.match(body.join('\n'), new RegExp(`Committed by Switchboard: worker ${at(id).worker} left these changes uncommitted`));
      assert.equal(at(id).result?.commit, commit);
      assert.deepEqual(at(id).result?.changedFiles, [`${id}.txt`]);
      assert.equal(gitIn(workspace, 'show', `${branch}:${id}.txt`), `${id} by Claude Code`);
    }
    assert.equal(gitIn(workspace, 'log', '--format=%s', 'main'), 'initial');
    assert.equal(gitIn(workspace, 'ls-tree', '--name-only', 'main'), 'README.md');

    // T3 began once T1 and T2 were done, with both files brought into its worktree.
    assert.ok(at('T3').startedAt! >= Math.max(at('T1').endedAt!, at('T2').endedAt!));
    assert.ok(runOf('T3').startedAt! >= Math.max(t1.endedAt!, t2.endedAt!));
    assert.deepEqual(t3Found, ['T1.txt', 'T2.txt']);
    assert.deepEqual(gitIn(workspace, 'ls-tree', '--name-only', worker('T3').branch!).split('\n'), ['README.md', 'T1.txt', 'T2.txt', 'T3.txt']);

    // Each run is the team's, admitted through the teams pool, with Claude Code's reported usage and cost.
    for (const id of ['T1', 'T2', 'T3']) {
      const run = runOf(id);
      assert.deepEqual([run.status, run.runner, run.links.team, run.links.task, run.pool], ['done', 'claude', TEAM, id, 'teams']);
      assert.deepEqual([run.usage.inputTokens, run.usage.outputTokens, run.usage.usdSource], [240, 60, 'reported']);
      assert.ok((run.usage.usd ?? 0) > 0, `${id} has a cost`);
    }
    const spend = service.status(TEAM).spend;
    assert.deepEqual([spend.runs, spend.inputTokens, spend.outputTokens, spend.usdKnown], [3, 720, 180, true]);

    const scores = await service.mergeStatus(TEAM);
    assert.equal(scores.pairs.length, 1);
    assert.deepEqual([scores.pairs[0]!.clean, scores.pairs[0]!.score], [true, 0], 'the two branches do not conflict');
  });

  it('a Claude Code planner (plan mode) plans in a fenced block, its plan is checked and retried, and executors do it', async () => {
    const workspace = makeRepo({ 'README.md': '# project\n' });
    let plans = 0;
    const script = (r: ProviderRequestInfo): ScriptedStep => {
      if (r.lastUserText.includes('You are the planner')) {
        plans++;
        // The first plan depends on a task that does not exist; the retry says why and gets a good one.
        const tasks = r.lastUserText.includes('Your previous plan was rejected')
          ? [{ id: 'A', title: 'write A.txt' }, { id: 'B', title: 'write B.txt', depends_on: ['A'] }]
          : [{ id: 'A', title: 'write A.txt', depends_on: ['Z'] }];
        return { kind: 'text', text: `The plan:\n\n\`\`\`json\n${JSON.stringify(tasks)}\n\`\`\`` };
      }
      const id = /Your task \(([AB])\)/.exec(r.lastUserText)?.[1] ?? 'unknown';
      if (r.afterToolResult) return { kind: 'text', text: `I wrote ${id}.txt.` };
      return { kind: 'write_file', path: path.join(workingDirectory(r.body), `${id}.txt`), content: `${id}\n` };
    };
    const registry = await suite.registryFor(script);
    service = suite.switchboardOf(registry).teams;
    await service.run({ name: 'planned', spec: '1:planner,1:executor', task: 'Write A then B', workspace });
    const team = await service.finished('planned');
    assert.equal(team.status, 'done', `${team.reason ?? ''} ${JSON.stringify(team.plan)}`);
    assert.equal(plans, 2);
    assert.match(team.plan!.rejected![0]!, /Task A depends on Z, which is not a task/);
    const planner = registry.resolve(team.plan!.runIds[0]!);
    assert.deepEqual([planner.runner, planner.links.task, planner.status], ['claude', 'plan', 'done']);
    assert.ok(planner.commandLine.join(' ').includes('--permission-mode plan'), planner.commandLine.join(' '));
    assert.deepEqual(team.tasks.map((t) => [t.id, t.status, t.worker]), [['A', 'done', 'executor-1'], ['B', 'done', 'executor-1']]);
    assert.deepEqual(gitIn(workspace, 'ls-tree', '--name-only', 'switchboard/planned/executor-1').split('\n'), ['A.txt', 'B.txt', 'README.md']);
  });
});
