/** Gates as programs and people see them: the snake_case shapes (exactly their fields), feed lines, `name=command`, output tails. */
import * as assert from 'node:assert/strict';
import type { FeedEvent } from '../../src/core/feed/feedEvent';
import { describeFeedEvent } from '../../src/core/feed/feedText';
import { breakerView, closedBreaker, DEFAULT_BREAKER_POLICY } from '../../src/core/gates/breakerState';
import { checkGates, gateArgv, parseGateOption, type GateResult } from '../../src/core/gates/gate';
import { Tail, TAIL_BYTES } from '../../src/core/gates/gateOutput';
import { breakersStatusShape, gateResultShape, toBreakersStatus, toGateResultShape } from '../../src/core/gates/gateShapes';

const result: GateResult = {
  name: 'npm test',
  passed: false,
  stdout: '1 passing\n',
  stderr: '1 failing\n',
  durationMs: 12_500,
  required: true,
  commandLine: ['npm', 'test'],
  exitCode: 1,
  timedOut: false,
  log: '/state/gates/abc/logs/npm-test.log',
};
const event = (type: string, entity: unknown): FeedEvent => ({ v: 1, seq: 1, ts: 0, type: type as FeedEvent['type'], key: 'gate:abc/npm test', entity, pid: 1 });

describe('gate shapes', () => {
  it('a result is exactly name, passed, stdout, stderr, duration_ms, required, command_line, exit_code, timed_out, log', () => {
    const shape = toGateResultShape({ ...result, extra: 'dropped' } as GateResult);
    assert.deepEqual(shape, { name: 'npm test', passed: false, stdout: '1 passing\n', stderr: '1 failing\n', duration_ms: 12_500, required: true, command_line: ['npm', 'test'], exit_code: 1, timed_out: false, log: '/state/gates/abc/logs/npm-test.log' });
    assert.deepEqual(Object.keys(gateResultShape.shape), ['name', 'passed', 'stdout', 'stderr', 'duration_ms', 'required', 'command_line', 'exit_code', 'timed_out', 'log']);
    assert.equal(toGateResultShape({ ...result, exitCode: null, timedOut: true }).exit_code, null);
  });

  it('the status is exactly {"breakers":[{gate_name, state, failure_count, last_failure_at, recovery_timeout_secs, half_open_calls_remaining}]}', () => {
    const now = Date.parse('2026-05-26T10:00:00Z');
    const closed = breakerView('cargo test', closedBreaker(DEFAULT_BREAKER_POLICY), now);
    const open = breakerView('clippy', { ...closedBreaker(DEFAULT_BREAKER_POLICY), state: 'Open', failureCount: 5, lastFailureAt: now, openedAt: now }, now);
    const status = toBreakersStatus([closed, open]);
    assert.deepEqual(JSON.parse(JSON.stringify(status)), {
      breakers: [
        { gate_name: 'cargo test', state: 'Closed', failure_count: 0, last_failure_at: null, recovery_timeout_secs: 60, half_open_calls_remaining: 3 },
        { gate_name: 'clippy', state: 'Open', failure_count: 5, last_failure_at: '2026-05-26T10:00:00.000Z', recovery_timeout_secs: 60, half_open_calls_remaining: 0 },
      ],
    });
    assert.ok(breakersStatusShape.safeParse(status).success);
  });

  it('tells each gate and breaker event in one line', () => {
    const workspace = '/work/app';
    assert.equal(describeFeedEvent(event('gate.passed', { ...result, passed: true, exitCode: 0, workspace })), 'gate "npm test" in /work/app passed in 12.5 s');
    assert.equal(describeFeedEvent(event('gate.failed', { ...result, workspace })), 'gate "npm test" in /work/app failed with exit code 1 after 12.5 s — 1 failing');
    assert.equal(describeFeedEvent(event('gate.failed', { ...result, required: false, exitCode: null, timedOut: true, durationMs: 600_000, stderr: 'switchboard: timed out after 600 s; its processes were killed\n', workspace })), 'gate "npm test" (optional) in /work/app timed out after 600 s — timed out after 600 s; its processes were killed');
    assert.equal(describeFeedEvent(event('gate.failed', { ...result, exitCode: null, durationMs: 0, stderr: 'switchboard: breaker open: 5 failure(s) in a row\n', workspace })), 'gate "npm test" in /work/app failed — breaker open: 5 failure(s) in a row');
    const breaker = { workspace, gateName: 'npm test', state: 'Open', failureCount: 5, recoveryTimeoutSecs: 60, halfOpenCallsRemaining: 0 };
    assert.equal(describeFeedEvent(event('breaker.opened', breaker)), 'breaker of gate "npm test" in /work/app opened after 5 failure(s) in a row: it fails at once for 60 s');
    assert.equal(describeFeedEvent(event('breaker.reset', { ...breaker, state: 'Closed', failureCount: 0, previous: 'HalfOpen' })), 'breaker of gate "npm test" in /work/app reset to Closed (was HalfOpen)');
  });

  it('splits a command like a shell would, and reads name=command', () => {
    assert.deepEqual(gateArgv({ name: 'x', command: `npm run lint -- --max-warnings 0 "src dir" 'a b'` }), ['npm', 'run', 'lint', '--', '--max-warnings', '0', 'src dir', 'a b']);
    assert.deepEqual(gateArgv({ name: 'x', command: ['echo', 'a;b'] }), ['echo', 'a;b']);
    assert.throws(() => gateArgv({ name: 'x', command: '  ' }), /Gate "x" has no command/);
    assert.throws(() => gateArgv({ name: 'x', command: `echo 'open` }), /The command of gate "x" has an unclosed quote: echo 'open/);
    assert.deepEqual(parseGateOption('unit=npm test -- --grep "a=b"'), { name: 'unit', command: 'npm test -- --grep "a=b"' });
    assert.throws(() => parseGateOption('npm test'), /names no gate/);
    assert.throws(() => parseGateOption('=npm test'), /names no gate/);
    assert.throws(() => parseGateOption('x='), /Gate "x" has no command/);
  });

  it('refuses two gates of one name (they would share a breaker, and results and flags could not tell them apart), and a gate with no command', () => {
    checkGates([{ name: 'unit', command: 'true' }, { name: 'lint', command: 'true' }]);
    assert.throws(() => checkGates([{ name: 'unit', command: 'true' }, { name: 'unit', command: 'false' }]), /Two gates are named "unit"/);
    assert.throws(() => checkGates([{ name: 'unit', command: ' ' }]), /Gate "unit" has no command/);
  });

  it('keeps the last 4 KB of a stream, never starting inside a character, secrets redacted', () => {
    const tail = new Tail();
    for (let i = 0; i < 100; i++) tail.push(Buffer.from(`line ${i} ${'é'.repeat(40)}\n`));
    const text = tail.text([]);
    assert.ok(text.length <= TAIL_BYTES && text.length > TAIL_BYTES / 2 - 100, String(text.length));
    assert.ok(text.endsWith(`line 99 ${'é'.repeat(40)}\n`));
    assert.ok(!text.includes('\ufffd'), 'no broken character at the start');
    const secret = new Tail();
    secret.push(Buffer.from(`token: sk-ant-${'a'.repeat(30)} and hunter2hunter2\n`));
    assert.equal(secret.text(['hunter2hunter2']), 'token: <<REDACTED_ANTHROPIC_KEY_1>> and <<REDACTED_SECRET_1>>\n');
  });

  it('keeps what a terminal shows of a colourful test run: no escape sequences, a secret split by a colour still redacted', () => {
    const tail = new Tail();
    tail.push(Buffer.from('\u001b[32m✓ parses\u001b[39m\n\u001b[31m✗ fails: hunter2\u001b[1mhunter2\u001b[22m\u001b[39m\n'));
    assert.equal(tail.text(['hunter2hunter2']), '✓ parses\n✗ fails: <<REDACTED_SECRET_1>>\n');
  });
});
