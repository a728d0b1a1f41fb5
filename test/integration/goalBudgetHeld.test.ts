/**
 * A goal's budget held by its runs' supervisors: with the process running the goal's loop SIGKILLed
 * while its agent goes on spending, the agent is stopped at the goal's token budget (or its time
 * budget) by its supervisor, saying it was the goal's budget, and nothing of it is left running; and
 * an extension given while the agent runs (from another process than the one that started it) raises
 * the agent's limit, so it goes on past the old one.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isFinished, type RunRecord } from '../../src/core/runs/types';
import { changeRunLimits, setRunLimits } from '../../src/core/registry/runLimitsChange';
import { StateMap } from '../../src/core/state/stateMap';
import { gitWorkerCommand, makeRepo } from '../support/gitRepo';
import { goalKilledMidRun } from '../support/goalOwner';
import { createHarness, FAKE_AGENT, pidAlive, tempDir, until, type Harness } from '../support/harness';
import type { SwitchboardConfig } from '../../src/core/config';

/** A scripted Claude Code that works turn after turn, each turn 120 tokens (and $0.001), one every `everyMs`, for minutes. */
function spendingClaude(everyMs: number): string {
  const bin = path.join(tempDir('sb-goal-claude-'), 'claude');
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --turns 1000 --every ${everyMs}\n`, { mode: 0o755 });
  return bin;
}

describe("goals: the budget held by the runs' supervisors", function () {
  this.timeout(120_000);
  let h: Harness;
  afterEach(async () => h.cleanup());

  /** A harness whose config (also in the state folder, for the goal's own process) is `config`. */
  async function harness(config: Partial<SwitchboardConfig>): Promise<Harness> {
    h = await createHarness(config);
    fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify(config), { mode: 0o600 });
    return h;
  }

  /** The goal's one run, once it has ended. */
  async function ended(id: string, within: number): Promise<RunRecord> {
    await until(() => h.registry.list({ goal: id }).every((r) => isFinished(r.status)), within, "the goal's run to be stopped");
    const runs = h.registry.list({ goal: id });
    assert.equal(runs.length, 1);
    return runs[0]!;
  }

  it("stops the agent at the goal's token budget with nobody running the goal, says so, and leaves nothing running", async () => {
    await harness({ runners: { claude: { binary: spendingClaude(200) } } });
    const id = await goalKilledMidRun(h, 'spend on', ['--runner', 'claude', '--budget-tokens', '3000']);
    const run = await ended(id, 30_000);
    assert.deepEqual(run.limits, { maxTokens: 3000, goal: id });
    assert.equal(run.status, 'killed');
    assert.match(run.lastError!, new RegExp(`^stopped at the goal's token budget: it used \\d+ tokens, over the 3000 left to it of goal ${id}'s budget$`));
    const tokens = run.usage.inputTokens + run.usage.outputTokens;
    assert.ok(tokens > 3000 && tokens <= 3000 + 240, `stopped within a turn of the budget (${tokens} tokens)`);
    await until(() => !pidAlive(run.agent!.pid), 10_000, 'the agent process to be gone');
    // Whoever goes on with the goal finds its budget spent.
    await assert.rejects(h.switchboard.goals.resume(id), /spent its tokens budget/);
    assert.equal(h.switchboard.goals.get(id).status, 'needs_more_budget');
  });

  it("stops the agent at the goal's time budget with nobody running the goal", async () => {
    await harness({ runners: { custom: { command: gitWorkerCommand('--sleep', '60000') } } });
    const id = await goalKilledMidRun(h, 'take time', ['--budget-time', '4s']);
    const run = await ended(id, 30_000);
    assert.equal(run.status, 'killed');
    assert.match(run.lastError!, new RegExp(`^stopped at the goal's time budget: the \\S+ left to it of goal ${id}'s budget ran out$`));
    assert.ok(run.endedAt! - run.startedAt! < 15_000, `stopped ${run.endedAt! - run.startedAt!} ms after it started`);
    await until(() => !pidAlive(run.agent!.pid), 10_000, 'the agent process to be gone');
  });

  it('an extension given while the agent runs raises its limit: it goes on past the old one', async () => {
    await harness({ runners: { claude: { binary: spendingClaude(200) } } });
    const id = await goalKilledMidRun(h, 'spend more', ['--runner', 'claude', '--budget-tokens', '6000']);
    // This process takes the goal over to extend it; the run was started by the one killed, and is supervised by a host of its own.
    await h.switchboard.goals.extend(id, { tokens: 100_000 });
    const raised = (): RunRecord => h.registry.list({ goal: id })[0]!;
    await until(() => raised().limits?.maxTokens === 106_000, 10_000, "the run's limit to be raised");
    assert.equal(raised().status, 'running', 'raised before the old limit was reached');
    await until(() => raised().usage.inputTokens + raised().usage.outputTokens > 6000 + 600 || isFinished(raised().status), 60_000, 'the run to spend past its old limit');
    assert.equal(raised().status, 'running', raised().lastError);
    assert.deepEqual(raised().limits, { maxTokens: 106_000, goal: id });
    await h.switchboard.goals.cancel(id);
    await until(() => isFinished(raised().status) && !pidAlive(raised().agent!.pid), 15_000, 'the agent to be stopped with the goal');
  });

  it('an extension given while a run waits in its pool\'s line reaches it as it starts: it goes on past the limit it was queued with', async () => {
    await harness({ runners: { claude: { binary: spendingClaude(100) } }, pools: { small: { maxWorkers: 1 } } });
    const first = await h.registry.run({ runner: 'custom', prompt: 'holds the slot', pool: 'small', command: gitWorkerCommand('--sleep', '60000') });
    const queued = await h.registry.run({ runner: 'claude', prompt: 'spend', pool: 'small', limits: { maxTokens: 500, goal: 'goal-20261208-queued' } });
    assert.equal(queued.status, 'queued');
    const limits = { maxTokens: 100_000, goal: 'goal-20261208-queued' };
    await changeRunLimits(new StateMap(h.stateDir).run(queued.id), queued, limits, "the extension of goal goal-20261208-queued's budget");
    await h.registry.kill(first.id, { source: 'test', force: true });
    const now = (): RunRecord => h.registry.resolve(queued.id);
    await until(() => now().usage.inputTokens + now().usage.outputTokens > 1000 || isFinished(now().status), 60_000, 'the run to spend past the limit it was queued with');
    assert.equal(now().status, 'running', now().lastError);
    assert.deepEqual(now().limits, limits);
    assert.ok(h.registry.events(queued.id).some((e) => e.type === 'control' && e.action === 'limits' && /extension of goal/.test(e.source)), 'the change is in its events');
    await h.registry.kill(queued.id, { source: 'test', force: true });
  });

  it("a run that waited in its pool's line stops at the goal's deadline, not its time budget counted from its start", async () => {
    await harness({ pools: { small: { maxWorkers: 1 } } });
    const first = await h.registry.run({ runner: 'custom', prompt: 'holds the slot', pool: 'small', command: gitWorkerCommand('--sleep', '60000') });
    // 8 s of the goal's time were left as it was queued; it waits 3 s of them in line.
    const endsAt = Date.now() + 8000;
    const queued = await h.registry.run({ runner: 'custom', prompt: 'late', pool: 'small', command: gitWorkerCommand('--sleep', '60000'), limits: { timeoutMs: 8000, endsAt, goal: 'goal-20261208-late1' } });
    assert.equal(queued.status, 'queued');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await h.registry.kill(first.id, { source: 'test', force: true });
    const { record } = await h.registry.wait(queued.id, 30_000);
    assert.equal(record.status, 'killed');
    assert.match(record.lastError ?? '', /^stopped at the goal's time budget/);
    assert.ok(record.endedAt! - record.startedAt! < 8000, `stopped at the deadline, not 8 s after its start (it ran ${record.endedAt! - record.startedAt!} ms)`);
  });

  it("a run stopped at its part of the goal's budget (one not raised, say) stops the goal for budget; its task is not tried again", async () => {
    await harness({ runners: { claude: { binary: spendingClaude(100) } } });
    const goals = h.switchboard.goals;
    const created = await goals.create({ objective: 'spend', workspace: makeRepo(), tasks: [{ title: 'a' }], runner: 'claude', gates: [], budgetTokens: 1_000_000, maxAgents: 1 });
    await until(() => h.registry.list({ goal: created.id }).some((r) => r.status === 'running'), 20_000, 'its agent to run');
    // Its supervisor is told a smaller part than the goal's figures allow, as a limit left behind an extension would be.
    await setRunLimits(h.registry.list({ goal: created.id })[0]!, { maxTokens: 500, goal: created.id }, 'a test');
    const stopped = await goals.settled(created.id);
    assert.equal(stopped.status, 'needs_more_budget');
    assert.match(stopped.failure!, /was stopped at the goal's token budget: it used \d+ tokens, over the 500 left to it/);
    assert.equal(h.registry.list({ goal: created.id }).length, 1, 'no other attempt');
  });
});
