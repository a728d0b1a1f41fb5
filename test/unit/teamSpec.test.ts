/** Team specs (`N:role[:runner]`) and roles. */
import * as assert from 'node:assert/strict';
import type { SwitchboardError } from '../../src/core/errors';
import { DEFAULT_ROLES, mergeRoles } from '../../src/core/teams/roles';
import { parseTeamSpec } from '../../src/core/teams/spec';

describe('team specs and roles', () => {
  it('parses N:role and N:role:runner, joined by commas, naming workers by role', () => {
    assert.deepEqual(parseTeamSpec('2:executor, 1:reviewer:codex', DEFAULT_ROLES), [
      { name: 'executor-1', role: 'executor', runner: 'claude' },
      { name: 'executor-2', role: 'executor', runner: 'claude' },
      { name: 'reviewer-1', role: 'reviewer', runner: 'codex' },
    ]);
  });

  it('takes @backend for workers that run in containers', () => {
    assert.deepEqual(parseTeamSpec('1:executor:claude@docker,1:reviewer@docker:box,1:executor@local', DEFAULT_ROLES), [
      { name: 'executor-1', role: 'executor', runner: 'claude', backend: 'docker' },
      { name: 'reviewer-1', role: 'reviewer', runner: 'claude', backend: 'docker:box' },
      { name: 'executor-2', role: 'executor', runner: 'claude' },
    ]);
    assert.throws(() => parseTeamSpec('1:executor@kube', DEFAULT_ROLES), (e: SwitchboardError) => /Unknown backend "kube"/.test(e.message));
  });

  it('refuses a malformed spec showing the accepted forms', () => {
    const cases: [string, RegExp][] = [
      ['executor', /"executor" is not N:role\[:runner\]/],
      ['3:', /"3:" is not N:role\[:runner\]/],
      ['0:executor', /asks for no workers/],
      ['2:wizard', /there is no role "wizard" \(roles: planner, executor, reviewer\)/],
      ['1:executor:gpt', /there is no runner "gpt" \(runners: claude, codex, gemini, qwen, opencode, kilo, copilot, cline, custom\)/],
      ['1:executor,,1:reviewer', /empty part/],
      ['40:executor', /more than 32/],
    ];
    for (const [spec, why] of cases) {
      assert.throws(() => parseTeamSpec(spec, DEFAULT_ROLES), (e: SwitchboardError) => e.code === 'invalid_argument' && why.test(e.message) && /Accepted forms: N:role or N:role:runner/.test(e.hint ?? ''), spec);
    }
  });

  it('settings change a built-in role or add one', () => {
    const roles = mergeRoles({ reviewer: { runner: 'gemini' }, tester: { preamble: 'Write tests only.', runner: 'qwen' } });
    assert.equal(roles.reviewer!.runner, 'gemini');
    assert.equal(roles.reviewer!.preamble, DEFAULT_ROLES.reviewer!.preamble);
    assert.equal(roles.reviewer!.permissionMode, undefined, "Claude's `plan` is not a Gemini approval mode");
    assert.equal(mergeRoles({ reviewer: { preamble: 'Be brief.' } }).reviewer!.permissionMode, 'plan');
    assert.deepEqual(parseTeamSpec('1:tester', roles), [{ name: 'tester-1', role: 'tester', runner: 'qwen' }]);
  });
});
