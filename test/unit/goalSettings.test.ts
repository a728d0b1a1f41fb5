/** Goal and gate settings: read from config.json (gates with their timeouts, the warning mark, the rubric, the breaker policy), refused by name when wrong, and used: the evaluator's rubric and the budget watch's warning mark. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { configProblem, DEFAULT_CONFIG, loadConfigFile, mergeConfig } from '../../src/core/config';
import type { BudgetDimension } from '../../src/core/goals/budget';
import { BudgetWatch } from '../../src/core/goals/budgetWatch';
import { evaluatorPrompt, scoreOf } from '../../src/core/goals/evaluator';
import type { RunRegistry } from '../../src/core/registry/registry';
import type { RunRecord } from '../../src/core/runs/types';
import { goalRecord, T0 } from '../support/goalRecord';

describe('goal and gate settings', () => {
  it('reads goals and gates from config.json over the defaults, a gate timeout in seconds', () => {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-config-'));
    try {
      fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ goals: { budgetWarningAt: 0.5, gates: [{ name: 'unit', command: 'npm test', timeoutSecs: 90 }, { name: 'lint', command: 'npm run lint', required: false }] }, gates: { failureThreshold: 2 } }));
      const { config, warning } = loadConfigFile(stateDir);
      assert.equal(warning, undefined);
      assert.deepEqual(config.goals, { budgetWarningAt: 0.5, evaluatorRubric: DEFAULT_CONFIG.goals.evaluatorRubric, gates: [{ name: 'unit', command: 'npm test', timeoutMs: 90_000 }, { name: 'lint', command: 'npm run lint', required: false }] });
      assert.deepEqual(config.gates, { failureThreshold: 2, recoveryTimeoutSecs: 60, halfOpenCalls: 3 });
    } finally {
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('refuses a warning mark outside 0.01..1, a rubric without weight, a gate without a command, a threshold of 0', () => {
    assert.match(configProblem({ goals: { budgetWarningAt: 0 } })!, /goals\.budgetWarningAt.*0\.01 to 1/);
    assert.match(configProblem({ goals: { evaluatorRubric: { style: 0 } } })!, /goals\.evaluatorRubric.*weight above 0/);
    assert.match(configProblem({ goals: { gates: [{ name: 'x' }] } })!, /goals\.gates/);
    assert.match(configProblem({ gates: { failureThreshold: 0 } })!, /gates\.failureThreshold/);
  });

  it("the evaluator asks for and weighs the configured rubric's dimensions", () => {
    const rubric = { tests: 3, docs: 1 };
    assert.match(evaluatorPrompt(goalRecord(), { n: 1, startedAt: T0, tasks: [] }, rubric), /Score each of tests, docs from 0 to 1/);
    assert.deepEqual(scoreOf('```json\n{"scores": {"tests": 1, "docs": 0}, "notes": "write docs"}\n```', rubric), { score: 0.75, notes: 'write docs' });
    assert.throws(() => scoreOf('```json\n{"scores": {"correctness": 1, "safety": 1, "style": 1}}\n```', rubric), /no score for tests/);
  });

  it('the budget watch warns at the configured mark', () => {
    const warned: BudgetDimension[][] = [];
    const goal = goalRecord({ budgetTokens: 1000 });
    const runs = [{ links: { goal: goal.id }, usage: { inputTokens: 550, outputTokens: 0 } } as unknown as RunRecord];
    const registry = (warnAt: number) => ({ config: mergeConfig({ goals: { ...DEFAULT_CONFIG.goals, budgetWarningAt: warnAt } }), list: () => runs, onDidChange: () => ({ dispose() {} }) }) as unknown as RunRegistry;
    const hooks = { warn: (dims: BudgetDimension[]) => warned.push(dims), exhausted: () => {}, waiting: () => {} };
    const at80 = new BudgetWatch(() => goal, registry(0.8), hooks);
    assert.deepEqual([at80.check().warnings, warned], [[], []]);
    const at50 = new BudgetWatch(() => goal, registry(0.5), hooks);
    assert.deepEqual([at50.check().warnings, warned], [['tokens'], [['tokens']]]);
    at80.dispose();
    at50.dispose();
  });
});
