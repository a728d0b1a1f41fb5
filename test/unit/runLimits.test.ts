/** A run's time limit when the clock was set back while it ran: its recorded start is in the future. */
import * as assert from 'node:assert/strict';
import { armTimeLimit, timeLimitDue } from '../../src/core/supervisor/runLimits';

describe('a run\'s time limit', () => {
  it('is counted from its start, or from now when the recorded start is later (the clock was set back)', () => {
    assert.equal(timeLimitDue({ timeoutMs: 5000 }, 1000, 3000), 6000);
    assert.equal(timeLimitDue({ timeoutMs: 5000 }, 3_600_000, 3000), 8000);
    assert.equal(timeLimitDue({ timeoutMs: 5000 }, undefined, 3000), 8000);
    assert.equal(timeLimitDue({ maxTokens: 10 }, 1000, 3000), undefined);
  });

  it('comes no later than its end (a goal\'s deadline), whenever the run started: one that waited in line does not outlast it by its wait', () => {
    assert.equal(timeLimitDue({ timeoutMs: 5000, endsAt: 4000 }, 1000, 3000), 4000);
    assert.equal(timeLimitDue({ timeoutMs: 5000, endsAt: 9000 }, 1000, 3000), 6000);
    assert.equal(timeLimitDue({ endsAt: 9000 }, 1000, 3000), 9000);
  });

  it('taken over with a start an hour ahead of the clock, stops the run after its limit, not after the hour', async () => {
    const reason = await new Promise<string>((resolve) => armTimeLimit({ timeoutMs: 50 }, Date.now() + 3_600_000, new Promise(() => {}), resolve));
    assert.match(reason, /^its time limit of /);
  });
});
