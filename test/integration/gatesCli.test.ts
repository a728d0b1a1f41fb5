/** `switchboard gates status | reset | detect | run` from the built CLI: exit codes, the JSON shapes, breakers opening and reset. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli } from '../support/cliChild';
import { ensureBuilt, tempDir } from '../support/harness';

const RESULT_KEYS = ['name', 'passed', 'stdout', 'stderr', 'duration_ms', 'required', 'command_line', 'exit_code', 'timed_out', 'log'];
const BREAKER_KEYS = ['gate_name', 'state', 'failure_count', 'last_failure_at', 'recovery_timeout_secs', 'half_open_calls_remaining'];
const NODE = `'${process.execPath}'`;

describe('CLI gates', function () {
  this.timeout(120_000);
  let home: string;
  let ws: string;
  const gates = (...args: string[]) => runCli(home, ['gates', ...args, '--cwd', ws]);
  const json = async (...args: string[]) => {
    const r = await gates(...args, '--format', 'json');
    return { ...r, value: JSON.parse(r.stdout) as Record<string, unknown> };
  };

  before(() => ensureBuilt());
  beforeEach(() => {
    home = tempDir('sb-gates-cli-');
    ws = tempDir('sb-gates-ws-');
    fs.writeFileSync(path.join(ws, 'pass.js'), 'console.log("fine")');
    fs.writeFileSync(path.join(ws, 'fail.js'), 'require("fs").appendFileSync("ran", "x"); console.error("it broke"); process.exitCode = 4');
  });

  it('detect lists the gates found, with why, as a table or JSON', async () => {
    fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ scripts: { test: 'node pass.js', lint: 'node fail.js' } }));
    fs.writeFileSync(path.join(ws, 'go.mod'), 'module x\n');
    const table = await gates('detect');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^GATE +REQUIRED +FOUND IN\nnpm test +yes +package.json has a "test" script\nnpm run lint +no +package.json has a "lint" script\ngo test \.\/\.\.\. +yes +go.mod\n$/);
    const { value } = await json('detect');
    assert.deepEqual(value, {
      workspace: ws,
      gates: [
        { name: 'npm test', command: 'npm test', required: true, reason: 'package.json has a "test" script' },
        { name: 'npm run lint', command: 'npm run lint', required: false, reason: 'package.json has a "lint" script' },
        { name: 'go test ./...', command: 'go test ./...', required: true, reason: 'go.mod' },
      ],
    });
  });

  it('run without --gate runs the detected gates: an optional one failing still exits 0', async () => {
    fs.writeFileSync(path.join(ws, 'package.json'), JSON.stringify({ scripts: { test: 'node pass.js', lint: 'node fail.js' } }));
    const r = await gates('run');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS {2}npm test: passed in \d+(\.\d)? m?s\n/);
    assert.match(r.stdout, /\nFAIL {2}npm run lint \(optional\): failed with exit code 4 after [\d.]+ m?s\n(.*\n)* {4}it broke\n {4}log: .*\.log\n/);
    assert.match(r.stdout, /\n1 of 2 gate\(s\) passed; every required gate passed\n$/);
  });

  it('run --gate: exit 1 when a required gate fails, each result in the JSON shape; no gates at all is a usage error', async () => {
    const r = await json('run', '--gate', `ok=${NODE} pass.js`, '--gate', `bad=${NODE} fail.js --flag "two words"`);
    assert.equal(r.code, 1, r.stderr);
    const results = r.value.gates as Record<string, unknown>[];
    assert.equal(r.value.passed, false);
    assert.deepEqual(results.map((g) => Object.keys(g)), [RESULT_KEYS, RESULT_KEYS]);
    assert.deepEqual(results.map((g) => [g.name, g.passed, g.exit_code, g.required, g.timed_out]), [['ok', true, 0, true, false], ['bad', false, 4, true, false]]);
    assert.deepEqual(results[1]!.command_line, [process.execPath, 'fail.js', '--flag', 'two words']);
    assert.equal(results[1]!.stderr, 'it broke\n');
    assert.equal(fs.readFileSync(results[1]!.log as string, 'utf8'), 'it broke\n');
    assert.ok((results[1]!.log as string).startsWith(path.join(home, 'gates')), 'logs are in the state folder');

    const passing = await gates('run', '--gate', `ok=${NODE} pass.js`);
    assert.equal(passing.code, 0);
    const none = await gates('run');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /gates run: no gates found in .*; name them with --gate "name=command"/);
    const bad = await gates('run', '--gate', 'no-equals-sign');
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /names no gate/);
    const twice = await gates('run', '--gate', `same=${NODE} pass.js`, '--gate', `same=${NODE} fail.js`);
    assert.equal(twice.code, 2);
    assert.match(twice.stderr, /Two gates are named "same"/);
    assert.doesNotMatch(twice.stdout + twice.stderr, /PASS|FAIL/, 'nothing ran');
  });

  it('run --timeout kills a gate that takes too long', async () => {
    const r = await json('run', '--gate', `slow=${NODE} -e "setInterval(() => {}, 1000)"`, '--timeout', '0.5');
    assert.equal(r.code, 1);
    const [slow] = r.value.gates as Record<string, unknown>[];
    assert.deepEqual([slow!.timed_out, slow!.exit_code], [true, null]);
  });

  it('a breaker opens after 5 failures, then the gate fails without running; status shows it; reset closes it', async () => {
    const empty = await gates('status');
    assert.deepEqual([empty.code, empty.stdout], [0, `No breakers yet for ${ws}: a gate gets one when it first runs (switchboard gates run).\n`]);
    assert.deepEqual((await json('status')).value, { breakers: [] });

    for (let i = 0; i < 5; i++) assert.equal((await gates('run', '--gate', `flaky=${NODE} fail.js`)).code, 1);
    assert.equal(fs.readFileSync(path.join(ws, 'ran'), 'utf8'), 'xxxxx');
    const fast = await gates('run', '--gate', `flaky=${NODE} fail.js`);
    assert.equal(fast.code, 1);
    assert.match(fast.stdout, /FAIL {2}flaky: failed\n {4}switchboard: breaker open: 5 failure\(s\) in a row/);
    assert.equal(fs.readFileSync(path.join(ws, 'ran'), 'utf8'), 'xxxxx', 'nothing ran');

    const status = await gates('status', '--format', 'json');
    const parsed = JSON.parse(status.stdout) as { breakers: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(parsed), ['breakers']);
    assert.deepEqual(Object.keys(parsed.breakers[0]!), BREAKER_KEYS);
    assert.deepEqual([parsed.breakers[0]!.gate_name, parsed.breakers[0]!.state, parsed.breakers[0]!.failure_count, parsed.breakers[0]!.half_open_calls_remaining], ['flaky', 'Open', 5, 0]);
    assert.match(String(parsed.breakers[0]!.last_failure_at), /^\d{4}-\d\d-\d\dT/);
    assert.match((await gates('status')).stdout, /^GATE +STATE +FAILURES +LAST FAILURE +RECOVERY +TRIALS LEFT\nflaky +Open +5 +\S+ +60 s +0\n$/);

    const reset = await json('reset', '--gate', 'flaky');
    assert.equal(reset.code, 0);
    assert.deepEqual(reset.value.reset, ['flaky']);
    assert.equal((reset.value.breakers as { state: string }[])[0]!.state, 'Closed');
    assert.equal((await gates('reset', '--gate', 'flaky')).stdout, 'The breaker of "flaky" was already Closed; nothing to reset.\n');
    assert.equal((await gates('reset', '--all')).stdout, `No breaker in ${ws} was open; nothing to reset.\n`);

    const events = await runCli(home, ['events', '--type', 'breaker', '--format', 'json']);
    assert.deepEqual(events.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { type: string }).type), ['breaker.opened', 'breaker.reset']);
  });

  it('run takes the configured gates and breaker policy from config.json: opened after 2 failures, 5 s to recover', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ goals: { gates: [{ name: 'configured', command: `${NODE} fail.js`, timeoutSecs: 30 }] }, gates: { failureThreshold: 2, recoveryTimeoutSecs: 5, halfOpenCalls: 1 } }));
    for (let i = 0; i < 2; i++) assert.equal((await gates('run')).code, 1);
    const fast = await json('run');
    assert.deepEqual((fast.value.gates as { name: string; exit_code: number | null }[]).map((g) => [g.name, g.exit_code]), [['configured', null]]);
    assert.equal(fs.readFileSync(path.join(ws, 'ran'), 'utf8'), 'xx', 'the third run did not run: its breaker is open');
    const [breaker] = (await json('status')).value.breakers as Record<string, unknown>[];
    assert.deepEqual([breaker!.gate_name, breaker!.state, breaker!.failure_count, breaker!.recovery_timeout_secs], ['configured', 'Open', 2, 5]);
    // --format md: Markdown tables.
    const md = await gates('status', '--format', 'md');
    assert.match(md.stdout, /^# Gate breakers of .+\n\n\| gate \| state \| failures \| last failure \| recovery \| trials left \|\n\| --- \|.*\n\| configured \| Open \| 2 \| \S+ \| 5 s \| 0 \|\n$/);
    const reset = await gates('reset', '--all', '--format', 'md');
    assert.equal(reset.stdout, 'Reset 1 breaker(s) to Closed: "configured" (was Open).\n\n| gate | state |\n| --- | --- |\n| configured | Closed |\n');
  });

  it('run --gate-optional and --gate-timeout: an optional gate timing out still exits 0; an unknown name is a usage error', async () => {
    const slow = `slow=${NODE} -e "setTimeout(() => {}, 30000)"`;
    const r = await json('run', '--gate', slow, '--gate', `pass=${NODE} pass.js`, '--gate-optional', 'slow', '--gate-timeout', 'slow=1s');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((r.value.gates as { name: string; required: boolean; timed_out: boolean; passed: boolean }[]).map((g) => [g.name, g.required, g.timed_out, g.passed]), [['slow', false, true, false], ['pass', true, false, true]]);
    const unknown = await gates('run', '--gate', slow, '--gate-optional', 'fast');
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /gates run: --gate-optional fast: there is no gate "fast" \(the gates: "slow"\)/);
  });

  it('reset refuses what it cannot do: no gate named (exit 2), both (exit 2), a gate without a breaker (exit 1)', async () => {
    const neither = await gates('reset');
    assert.equal(neither.code, 2);
    assert.match(neither.stderr, /gates reset: which breaker\? give --gate <name>, or --all/);
    assert.equal((await gates('reset', '--gate', 'x', '--all')).code, 2);
    const unknown = await json('reset', '--gate', 'nope');
    assert.equal(unknown.code, 1);
    assert.deepEqual((unknown.value.error as { code: string }).code, 'invalid_argument');
    assert.match(unknown.stderr, /Gate "nope" has no breaker in .*\. No gate has run there yet\./);
    const sub = await runCli(home, ['gates', 'frobnicate']);
    assert.equal(sub.code, 2);
    assert.match(sub.stderr, /unknown gates command "frobnicate"/);
  });
});
