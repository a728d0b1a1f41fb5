/** A run's model (the rule, the custom runner's refusal, the models known for a runner, a task's model) and the diff figures of a run's worktree. */
import * as assert from 'node:assert/strict';
import { mergeConfig } from '../../src/core/config';
import { taskSpecsFromJson } from '../../src/core/dag/taskJson';
import { parseNumstat } from '../../src/core/git/diffStat';
import { DEFAULT_PRICES, findPrice, withCost } from '../../src/core/pricing';
import { formatCount, formatUsd } from '../../src/core/render';
import { checkModel, knownModels } from '../../src/core/runners/models';

describe('a model per run', () => {
  it('takes a model name without spaces or control characters; refuses one for the custom runner and for an unknown runner', () => {
    assert.equal(checkModel('claude', 'claude-sonnet-4-5'), 'claude-sonnet-4-5');
    assert.equal(checkModel('opencode', 'anthropic/claude-sonnet-4-5'), 'anthropic/claude-sonnet-4-5');
    for (const bad of ['', 'two words', 'tab\there', 'line\nbreak', 'x'.repeat(201)]) assert.throws(() => checkModel('codex', bad), /is not a usable model name/, JSON.stringify(bad));
    assert.throws(() => checkModel('custom', 'gpt-5'), /The custom runner takes no model/);
    assert.throws(() => checkModel('nope', 'gpt-5'), /Unknown runner "nope"/);
  });

  it("lists a runner's configured model first, then the price table's of its family and its own `<runner>:<model>` keys", () => {
    const config = mergeConfig({ runners: { codex: { model: 'gpt-5.5' } }, prices: { 'codex:o4-mini': { inputPerMTok: 1, outputPerMTok: 4 }, 'opencode:anthropic/claude-sonnet-4-5': { inputPerMTok: 3, outputPerMTok: 15 } } });
    assert.deepEqual(knownModels('codex', config).map((m) => [m.model, m.configured]), [['gpt-5.5', true], ['gpt-5', false], ['gpt-5-mini', false], ['o4-mini', false]]);
    assert.deepEqual(knownModels('claude', config).map((m) => m.model), ['claude-sonnet-4']);
    assert.deepEqual(knownModels('opencode', config).map((m) => m.model), ['anthropic/claude-sonnet-4', 'anthropic/claude-sonnet-4-5', 'google/gemini-2.5-flash', 'google/gemini-2.5-pro', 'openai/gpt-5', 'openai/gpt-5-mini'], 'opencode takes provider/model');
    assert.deepEqual(knownModels('kilo', config).map((m) => m.model), ['anthropic/claude-sonnet-4', 'google/gemini-2.5-flash', 'google/gemini-2.5-pro', 'openai/gpt-5', 'openai/gpt-5-mini']);
    assert.deepEqual(knownModels('cline', config).map((m) => m.model), ['claude-sonnet-4', 'gemini-2.5-flash', 'gemini-2.5-pro', 'gpt-5', 'gpt-5-mini']);
    assert.deepEqual(knownModels('custom', config), []);
    assert.deepEqual(findPrice(config.prices, 'codex', 'o4-mini'), { inputPerMTok: 1, outputPerMTok: 4 }, 'a <runner>:<model> key prices that runner');
    assert.deepEqual(findPrice(config.prices, 'qwen', 'o4-mini'), config.prices['qwen:default'], 'and no other');
    // Keys in a CLI's own provider/model form: they price its runs (a longer key than the model's own name wins), and the picker offers them.
    const routed = mergeConfig({ prices: { 'openrouter/anthropic/claude-opus-4': { inputPerMTok: 15, outputPerMTok: 75 }, 'anthropic/claude-opus-4-1': { inputPerMTok: 15, outputPerMTok: 75 } } });
    assert.deepEqual(findPrice(routed.prices, 'opencode', 'openrouter/anthropic/claude-opus-4-20250514'), { inputPerMTok: 15, outputPerMTok: 75 });
    assert.ok(knownModels('opencode', routed).some((m) => m.model === 'anthropic/claude-opus-4-1'), 'a provider/model key is offered to opencode');
  });

  it('estimates the cost of opencode, Kilo, Copilot and Cline runs from the built-in price table, provider/ prefix or not', () => {
    const usage = { inputTokens: 1_000_000, outputTokens: 100_000 };
    // opencode and Kilo name a model provider/model: the model's own name is priced.
    assert.deepEqual(withCost(usage, DEFAULT_PRICES, 'opencode', 'anthropic/claude-sonnet-4-5'), { ...usage, usd: 3 + 1.5, usdSource: 'estimated' });
    assert.deepEqual(withCost(usage, DEFAULT_PRICES, 'kilo', 'google/gemini-2.5-flash'), { ...usage, usd: 0.3 + 0.25, usdSource: 'estimated' });
    assert.deepEqual(withCost(usage, DEFAULT_PRICES, 'opencode', 'openrouter/openai/gpt-5-mini'), { ...usage, usd: 0.25 + 0.2, usdSource: 'estimated' });
    assert.deepEqual(withCost(usage, DEFAULT_PRICES, 'copilot', 'gpt-5'), { ...usage, usd: 1.25 + 1, usdSource: 'estimated' });
    // A model the table does not know (or none named: the CLI's config chose it) falls back to the runner's default.
    for (const runner of ['opencode', 'kilo', 'copilot', 'cline']) {
      for (const model of [undefined, 'mock/scripted-model', 'scripted-model']) {
        assert.deepEqual(withCost(usage, DEFAULT_PRICES, runner, model), { ...usage, usd: 3 + 1.5, usdSource: 'estimated' }, `${runner} ${model}`);
      }
    }
    // What the CLI reported is kept as it is.
    assert.deepEqual(withCost({ ...usage, usd: 0.5, usdSource: 'reported' }, DEFAULT_PRICES, 'cline', undefined), { ...usage, usd: 0.5, usdSource: 'reported' });
    assert.equal(formatUsd(withCost(usage, DEFAULT_PRICES, 'cline', undefined)), '~$4.50', 'an estimate reads as one');
  });

  it('takes a model per task in task files, refusing a bad one with the task named', () => {
    assert.deepEqual(taskSpecsFromJson([{ title: 'A', model: 'gpt-5-mini' }], 'f'), [{ title: 'A', model: 'gpt-5-mini' }]);
    assert.throws(() => taskSpecsFromJson([{ title: 'A' }, { title: 'B', model: 'two words' }], 'f'), /task 2.*"model" must be a model name without spaces/s);
  });
});

describe('counts', () => {
  it('groups thousands as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, 999, 1000, 9950, 10_000, 123_456, 1_234_567, -4321, 1.5]) assert.equal(formatCount(n), n.toLocaleString('en-US', { maximumFractionDigits: 20 }), String(n));
  });
});

describe('diff figures', () => {
  it('reads `git diff --numstat -z`: plain files, renames and binary files', () => {
    const stats = parseNumstat('3\t1\ta.txt\0' + '0\t0\t\0old name.txt\0new name.txt\0' + '-\t-\timage.png\0');
    assert.deepEqual([...stats], [
      ['a.txt', { insertions: 3, deletions: 1 }],
      ['new name.txt', { insertions: 0, deletions: 0 }],
      ['image.png', { binary: true }],
    ]);
  });
});
