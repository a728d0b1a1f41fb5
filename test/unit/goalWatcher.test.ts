/**
 * The Goals view's model (GoalWatcher, vscode-free) over a real Switchboard, following a goal that
 * another Switchboard over the same state folder runs (as another process would): only through the
 * live feed and the registry, batched; its gates' breakers opened elsewhere, turning half-open by
 * the clock, and reset; its discoveries (and a team's own, in the TeamWatcher). The scripted agent
 * is test/fixtures/gitWorker.mjs; the git is real.
 * Also the figures the view and the CLI share (core/goals/goalText).
 */
import { goalKey } from '../../src/core/feed/feedEvent';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { mergeConfig } from '../../src/core/config';
import { Breakers } from '../../src/core/gates/breakers';
import { resetGates } from '../../src/core/gates/resetGates';
import { budgetState, type Spend } from '../../src/core/goals/budget';
import type { GoalRecord } from '../../src/core/goals/goalRecord';
import { goalBudgetLine, goalPlace } from '../../src/core/goals/goalText';
import { SwitchboardSlot } from '../../src/core/switchboardSlot';
import { GoalWatcher, type GoalsChange } from '../../src/vscode/goals/goalWatcher';
import { isActiveTeam } from '../../src/core/teams/teamStore';
import { TeamWatcher } from '../../src/vscode/teams/teamWatcher';
import { makeRepo } from '../support/gitRepo';
import { createHarness, ROOT, SUPERVISOR, until, type Harness } from '../support/harness';

const GIT_WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const quote = (a: string): string => `'${a.replace(/'/g, `'\\''`)}'`;
const T2_GATE = { name: 't2', command: `node -e "process.exit(require('fs').existsSync('T2.txt')?0:1)"` };

describe('GoalWatcher', function () {
  this.timeout(60_000);
  let h: Harness;
  let slot: SwitchboardSlot;
  let watcher: GoalWatcher;
  const changes: GoalsChange[] = [];

  before(async () => {
    const config = { runners: { custom: { command: `${[process.execPath, GIT_WORKER].map(quote).join(' ')} {prompt}` } } };
    h = await createHarness(config);
    // The window's Switchboard: it runs nothing here, and hears of the other one's goal only through the state folder.
    slot = new SwitchboardSlot();
    watcher = new GoalWatcher(slot);
    watcher.onDidChange((c) => changes.push(c));
    await slot.open({ stateDir: h.stateDir, config: mergeConfig(config), supervisorScript: SUPERVISOR });
  });

  after(async () => {
    watcher?.dispose();
    slot?.dispose();
    await h?.cleanup();
  });

  it('follows a goal run by another Switchboard to ready, its iterations failed then passed, in batches', async () => {
    const repo = makeRepo();
    const feedSeen: number[] = [];
    slot.current!.feed.onDidAppend((e) => e.key.startsWith('goal:') && feedSeen.push(e.seq));
    const created = await h.switchboard.goals.create({ objective: 'Write two files', workspace: repo, runner: 'custom', tasks: [{ id: 'T1', title: 'the first file' }], gates: [T2_GATE], untilReady: true });
    await until(() => !!watcher.get(created.id), 10_000, 'the goal to show up');
    assert.ok(changes.some((c) => c.listChanged), 'the list changed');
    const ended = await h.switchboard.goals.settled(created.id);
    assert.equal(ended.status, 'ready');
    await until(() => watcher.get(created.id)?.view.goal.status === 'ready', 10_000, 'the watcher to see it ready');
    const snapshot = watcher.get(created.id)!;
    assert.deepEqual(snapshot.view.goal.iterations.map((i) => [i.n, i.passed]), [[1, false], [2, true]]);
    assert.deepEqual(snapshot.view.goal.tasks.map((t) => [t.id, t.status]), [['T1', 'done'], ['T2', 'done']]);
    assert.equal(snapshot.breakers.get('t2')?.state, 'Closed');
    assert.ok(snapshot.runs.size >= 2, `its runs are known (${snapshot.runs.size})`);
    assert.equal(snapshot.view.goal.artifacts[0]?.kind, 'proof');
    const reads = () => changes.filter((c) => c.changed.includes(created.id)).length;
    assert.ok(reads() > 0 && feedSeen.length > 0, 'the feed told of it and the watcher read it');
    // Batched: a burst of changes to the goal is one read, however many there are.
    const before = reads();
    for (let i = 0; i < 5; i++) slot.current!.feed.append({ type: 'goal.updated', key: goalKey(created.id), entity: { id: created.id } });
    await until(() => reads() > before, 10_000, 'the watcher to read the burst');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(reads() - before, 1, 'five changes, one read');
  });

  it('shows a breaker opened by another process, half-open when its recovery time has passed, and reset', async () => {
    const goal = watcher.list()[0]!.view.goal;
    const elsewhere = new Breakers(h.stateDir, goal.workspace, { feed: h.switchboard.feed, policy: { recoveryTimeoutSecs: 1.5 } });
    for (let i = 0; i < 5; i++) await elsewhere.record('t2', false);
    await until(() => watcher.get(goal.id)?.breakers.get('t2')?.state === 'Open', 5000, 'the breaker to show Open');
    assert.equal(watcher.get(goal.id)!.breakers.get('t2')!.failureCount, 5);
    // Nothing is written when it turns half-open: the watcher's clock tells.
    await until(() => watcher.get(goal.id)?.breakers.get('t2')?.state === 'HalfOpen', 5000, 'the breaker to show HalfOpen');
    const answer = await resetGates(new Breakers(h.stateDir, goal.workspace, { feed: h.switchboard.feed }), { gate: 't2' });
    assert.deepEqual(answer.reset, ['t2']);
    await until(() => watcher.get(goal.id)?.breakers.get('t2')?.state === 'Closed', 5000, 'the breaker to show Closed');
  });

  it('shows the discoveries reported and dismissed by another process: a goal\'s under the goal, a team\'s own under the team', async () => {
    const teams = new TeamWatcher(slot);
    try {
      const goal = watcher.list()[0]!.view.goal;
      const sb = h.switchboard;
      const found = await sb.discoveries.report({ title: 'The rate limit config is missing', description: 'nothing sets RATE_LIMIT', goal: goal.id });
      await until(() => watcher.get(goal.id)?.discoveries.some((d) => d.id === found.id) ?? false, 5000, 'the discovery under its goal');
      await sb.discoveries.dismiss(found.id, { goal: goal.id }, 'tracked elsewhere');
      await until(() => watcher.get(goal.id)?.discoveries[0]?.status === 'dismissed', 5000, 'the dismissal');
      // A team of its own (not a goal's): its discoveries are its own; a goal's team shows none.
      const team = await sb.teams.run({ spec: '1:executor', task: 'one file', tasks: [{ id: 'T1', title: 'the file' }], workspace: makeRepo() });
      await until(() => !isActiveTeam(sb.teams.get(team.name).status), 30_000, 'the team to end');
      const own = await sb.discoveries.report({ title: 'A test nobody wrote', description: 'for the parser', team: team.name });
      await until(() => teams.get(team.name)?.discoveries.some((d) => d.id === own.id) ?? false, 5000, 'the discovery under its team');
      const goalTeam = teams.get(goal.team!);
      assert.ok(goalTeam, 'the goal\'s team is followed');
      assert.deepEqual(goalTeam.discoveries, [], 'a goal\'s team shows no discoveries of its own');
    } finally {
      teams.dispose();
    }
  });

  it('forgets the goals of a state folder it no longer follows', async () => {
    const other = makeRepo();
    await slot.open({ stateDir: path.join(other, '.state'), config: mergeConfig({}), supervisorScript: SUPERVISOR });
    assert.deepEqual(watcher.list(), []);
    assert.ok(changes.at(-1)?.listChanged);
  });
});

describe('goal text (shared by the CLI and the Goals view)', () => {
  const goal = { phase: 'execution', iteration: 2, maxIterations: 5, budgetUsd: 10, budgetTokens: 500_000, budgetTimeMs: 8 * 3_600_000, budgetTime: '8h', createdAt: 0, pausedMs: 0 } as GoalRecord;
  const spend = (s: Partial<Spend>): Spend => ({ tokens: 0, usd: 0, usdEstimated: false, unpriced: 0, elapsedMs: 0, runs: 0, ...s });

  it('writes the place and the budget against the limits it has', () => {
    assert.equal(goalPlace(goal), 'execution · iteration 2/5');
    assert.equal(goalBudgetLine(goal, budgetState(goal, spend({ usd: 2.5, tokens: 125_000, elapsedMs: 20 * 60_000 }))), '$2.50/$10 · 125k/500k tok · 20m/8h');
    const unlimited = { ...goal, budgetUsd: undefined, budgetTokens: undefined, budgetTimeMs: undefined, budgetTime: undefined } as GoalRecord;
    assert.equal(goalBudgetLine(unlimited, budgetState(unlimited, spend({ elapsedMs: 45_000 }))), '45s');
    assert.equal(goalBudgetLine(goal, budgetState(goal, spend({ usd: 0.1234, usdEstimated: true, elapsedMs: 90 * 60_000 }))), '~$0.12/$10 · 0/500k tok · 1h30m/8h');
    // Small and odd budgets keep their figures: not $0.00 of $0.00, nor $13 for $12.50, nor 1k/2k for 1400 of 1500 tokens.
    const small = { ...goal, budgetUsd: 0.0025, budgetTokens: 1500 } as GoalRecord;
    assert.equal(goalBudgetLine(small, budgetState(small, spend({ usd: 0.003, tokens: 1400, elapsedMs: 1000 }))), '$0.0030/$0.0025 · 1400/1500 tok · 1s/8h');
    const odd = { ...goal, budgetUsd: 12.5 } as GoalRecord;
    assert.equal(goalBudgetLine(odd, budgetState(odd, spend({ usd: 12.5 }))), '$12.50/$12.50 · 0/500k tok · 0s/8h');
  });
});
