/** When a stdin-driven agent's input is closed, and when one that stays after its last turn is retired: silent for a while, not while it still prints. */
import * as assert from 'node:assert/strict';
import { TurnTracker } from '../../src/core/supervisor/turnTracker';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A tracker lingering `lingerMs`, and what it did, in order. */
function tracked(lingerMs: number): { turns: TurnTracker; seen: string[] } {
  const seen: string[] = [];
  return { turns: new TurnTracker(() => seen.push('input closed'), () => seen.push('retired'), lingerMs), seen };
}

describe('the turns of a stdin-driven agent', () => {
  it('closes its input after its last turn, and retires it once it has stayed silent that long', async () => {
    const { turns, seen } = tracked(150);
    turns.sawOutput();
    turns.turnEnded(false);
    assert.deepEqual(seen, ['input closed']);
    await sleep(300);
    assert.deepEqual(seen, ['input closed', 'retired']);
    turns.reset();
  });

  it('leaves an agent that still prints after its input was closed at its work, and retires it once it falls silent', async () => {
    const { turns, seen } = tracked(150);
    turns.turnEnded(false);
    for (let i = 0; i < 6; i++) {
      await sleep(60);
      turns.sawOutput();
    }
    assert.deepEqual(seen, ['input closed'], 'printing for 360 ms past a 150 ms linger, it is not retired');
    await sleep(300);
    assert.deepEqual(seen, ['input closed', 'retired']);
    turns.reset();
  });

  it('retires nothing once the process is gone (reset)', async () => {
    const { turns, seen } = tracked(100);
    turns.turnEnded(false);
    turns.reset();
    await sleep(200);
    assert.deepEqual(seen, ['input closed']);
  });
});
