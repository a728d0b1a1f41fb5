/** `--gate-optional NAME` and `--gate-timeout NAME=DURATION`: applied to the gate named, refused by name otherwise. */
import * as assert from 'node:assert/strict';
import { applyGateFlags } from '../../src/cli/gateFlags';

describe('CLI gate flags', () => {
  const gates = [{ name: 'unit', command: 'npm test' }, { name: 'lint', command: 'npm run lint', required: true }];

  it('makes a gate optional and gives gates timeouts as durations or seconds', () => {
    assert.deepEqual(applyGateFlags('goal create', gates, { 'gate-optional': ['lint'], 'gate-timeout': ['unit=15m', 'lint=90'] }), [
      { name: 'unit', command: 'npm test', timeoutMs: 900_000 },
      { name: 'lint', command: 'npm run lint', required: false, timeoutMs: 90_000 },
    ]);
    assert.deepEqual(gates[1], { name: 'lint', command: 'npm run lint', required: true }, 'the gates given are not changed');
  });

  it('names what it cannot apply: an unknown gate, a missing =, a duration it cannot read', () => {
    assert.throws(() => applyGateFlags('goal create', gates, { 'gate-optional': ['e2e'] }), /goal create: --gate-optional e2e: there is no gate "e2e" \(the gates: "unit", "lint"\)/);
    assert.throws(() => applyGateFlags('gates run', gates, { 'gate-timeout': ['unit'] }), /write it as NAME=DURATION/);
    assert.throws(() => applyGateFlags('gates run', gates, { 'gate-timeout': ['unit=soon'] }), /"soon" is not a gate timeout.*90s, 10m or 600/);
    assert.throws(() => applyGateFlags('gates run', gates, { 'gate-timeout': ['unit=0'] }), /more than zero/);
  });
});
