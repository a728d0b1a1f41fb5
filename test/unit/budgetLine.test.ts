/** The budget figures a goal's row shows: an estimated dollar figure is marked `~`, with a dollar budget or without one. */
import * as assert from 'node:assert/strict';
import { budgetLine, type Spend } from '../../src/core/goals/budget';
import { goalRecord } from '../support/goalRecord';

describe('budget line', () => {
  const fmt = { usd: (n: number) => `$${n.toFixed(2)}`, tokens: (n: number) => `${n}`, time: (ms: number) => `${ms / 1000}s` };
  const spend = (usdEstimated: boolean): Spend => ({ tokens: 10, usd: 1.5, usdEstimated, unpriced: 0, elapsedMs: 5000, runs: 1 });

  it('marks estimated dollars with ~ whether or not the goal has a dollar budget', () => {
    assert.equal(budgetLine(goalRecord({ budgetUsd: 10 }), spend(true), fmt), '~$1.50/$10.00 · 10 tok · 5s');
    assert.equal(budgetLine(goalRecord(), spend(true), fmt), '~$1.50 · 10 tok · 5s');
    assert.equal(budgetLine(goalRecord(), spend(false), fmt), '$1.50 · 10 tok · 5s');
  });
});
