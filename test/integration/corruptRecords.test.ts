/**
 * Corrupt records of goals and teams found as they are listed: set aside (kept), left out of the
 * listing, and said (the registry's warnings; the CLI prints them after its answer), never dropped in silence.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { createHarness, type Harness } from '../support/harness';

describe('corrupt goal and team records', function () {
  this.timeout(30_000);
  let h: Harness;
  beforeEach(async () => (h = await createHarness()));
  afterEach(async () => h.cleanup());

  function corrupt(): { goal: string; team: string } {
    const state = new StateMap(h.stateDir);
    const goal = state.goal('goal-20261207-abcdef').record;
    const team = state.team('builders').record;
    for (const file of [goal, team]) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '{"version": 1, "id": ');
    }
    return { goal, team };
  }

  it('are set aside and said as the goals and teams are listed', () => {
    const { goal, team } = corrupt();
    assert.deepEqual([h.switchboard.goals.list(), h.switchboard.teams.list()], [[], []]);
    const said = h.switchboard.warnings.said.join('\n');
    assert.match(said, /The record of goal goal-20261207-abcdef was corrupt \(not valid JSON[^\n]*\); it was set aside as \S+goal\.json\.corrupt-\d+-\d+\. The goal is no longer listed/);
    assert.match(said, /The record of team builders was corrupt \(not valid JSON[^\n]*\); it was set aside as \S+team\.json\.corrupt-\d+-\d+\. The team is no longer listed/);
    for (const file of [goal, team]) {
      assert.equal(fs.existsSync(file), false);
      assert.equal(fs.readdirSync(path.dirname(file)).filter((n) => n.includes('.corrupt-')).length, 1, 'kept, set aside');
    }
  });

  it('the CLI says so after its listing', async () => {
    corrupt();
    const goals = await runCli(h.stateDir, ['goal', 'list']);
    assert.equal(goals.code, 0);
    assert.match(goals.stderr, /switchboard: The record of goal goal-20261207-abcdef was corrupt/);
    const teams = await runCli(h.stateDir, ['team', 'list']);
    assert.match(teams.stderr, /switchboard: The record of team builders was corrupt/);
  });
});
