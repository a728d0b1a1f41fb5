/** The core object as the extension holds it: opening another state folder replaces it whole, with one change event. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { mergeConfig } from '../../src/core/config';
import type { Switchboard } from '../../src/core/switchboard';
import { SwitchboardSlot } from '../../src/core/switchboardSlot';
import { ensureBuilt, fakeCommand, SUPERVISOR, tempDir } from '../support/harness';

describe('switchboard slot', function () {
  this.timeout(30_000);
  before(() => ensureBuilt());

  it('replaces the whole object when the state folder changes, firing once per replacement', async () => {
    const slot = new SwitchboardSlot();
    const seen: (Switchboard | undefined)[] = [];
    slot.onDidChange((sb) => seen.push(sb));
    const options = (stateDir: string) => ({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR });
    const first = await slot.open(options(tempDir('sb-slot-a-')));
    const run = await first.runs.run({ runner: 'custom', prompt: 'x', command: fakeCommand() });
    await first.runs.wait(run.id, 10_000);
    const second = await slot.open(options(tempDir('sb-slot-b-')));
    assert.deepEqual(seen, [first, second]);
    assert.equal(slot.current, second);
    assert.equal(second.runs.list().length, 0, 'the new folder has its own runs');
    // The old one is closed with everything it owned: its teams start nothing.
    await assert.rejects(first.teams.run({ spec: '1:executor:custom', task: 'x', workspace: tempDir('sb-slot-w-') }), /closing/);

    const blocked = tempDir('sb-slot-file-');
    fs.writeFileSync(`${blocked}/runs`, 'not a folder');
    await assert.rejects(slot.open(options(blocked)), /cannot be written/);
    assert.deepEqual(seen, [first, second, undefined]);
    assert.throws(() => slot.require(), /could not open its state folder/);
    slot.dispose();
  });
});
