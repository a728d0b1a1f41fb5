/** The finishing work of a run (its copy-back, its commit) and a kill that stops it: the kill's result, once the work stopped by its signal has wound down. */
import * as assert from 'node:assert/strict';
import { FinishingWork } from '../../src/core/supervisor/finishingWork';

/** Work that ends 100 ms after the kill's signal stops it, with its own value or an error (never, when `ends` is undefined); `wound` says whether it did. */
function stoppableWork(finishing: FinishingWork, ends: 'value' | 'error' | undefined): { work: Promise<string>; wound: () => boolean } {
  let wound = false;
  const work = new Promise<string>((resolve, reject) => {
    finishing.signal.addEventListener('abort', () => {
      if (!ends) return;
      setTimeout(() => {
        wound = true;
        if (ends === 'error') reject(new Error('cut short'));
        else resolve('what the work made of it');
      }, 100);
    });
  });
  return { work, wound: () => wound };
}

const neverFinished = new Promise<void>(() => undefined);

describe('finishing work stopped by a kill', () => {
  it('is the work\'s result when done before the kill, whatever comes after', async () => {
    const finishing = new FinishingWork();
    const raced = finishing.race(Promise.resolve('copied back'), (by) => `stopped by ${by}`);
    assert.equal(await raced, 'copied back');
    finishing.stopAfter(0, 'test', neverFinished);
  });

  for (const [what, ends] of [
    ['ends with its own value', 'value'],
    ['fails', 'error'],
  ] as const) {
    it(`is the kill's result once the work, stopped by its signal, has wound down (it ${what})`, async () => {
      const finishing = new FinishingWork();
      const { work, wound } = stoppableWork(finishing, ends);
      const raced = finishing.race(work, (by) => `stopped by ${by}`);
      finishing.stopAfter(0, 'test', neverFinished);
      assert.equal(await raced, 'stopped by a kill by test');
      assert.equal(wound(), true, 'the run ends after the work wound down');
    });
  }

  it('does not wait for ever for work that does not wind down (an engine that does not answer)', async function () {
    this.timeout(10_000);
    const finishing = new FinishingWork();
    finishing.stopAfter(0, 'test', neverFinished);
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Asked after the kill already stopped it.
    assert.equal(await finishing.race(stoppableWork(finishing, undefined).work, (by) => `stopped by ${by}`), 'stopped by a kill by test');
  });
});
