/**
 * What agent CLIs say of their own troubles, from real recorded output (test/fixtures/transcripts):
 * a provider error they retry on their own, tool calls they refuse in a headless run, and the Gemini
 * CLI's tokens by model (its router first), each priced at its own model's price; the cap on a CLI's
 * retries; and what the Agents view says of them.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEFAULT_PRICES, type PriceTable } from '../../src/core/pricing';
import { formatDenials, formatRetrying, formatStatus, renderEvent } from '../../src/core/render';
import { getRunner } from '../../src/core/runners/runnerTable';
import { settingsOverlay } from '../../src/core/runners/settingsOverlay';
import type { RunRecord } from '../../src/core/runs/types';
import { UsageMeter } from '../../src/core/runs/usageMeter';
import { refusedWord, retryingDescription, troubleRows } from '../../src/vscode/runs/runTroubleText';
import { tempDir } from '../support/harness';
import { feedTranscript, ofType } from '../support/transcripts';

const parse = (runner: string, file: string) => feedTranscript(runner, [file]);

describe("agents' own troubles, from their real output", () => {
  describe('retries of a failed model call', () => {
    it('Claude Code: each system/api_retry line is a retry with its status, attempt, most retries and wait', () => {
      const { events, unparsed } = parse('claude', 'retry-429.jsonl');
      assert.deepEqual(unparsed, []);
      const retries = ofType(events, 'retry');
      assert.deepEqual(retries.map(({ status, attempt, of, message }) => ({ status, attempt, of, message })), [
        { status: 429, attempt: 1, of: 5, message: 'rate_limit' },
        { status: 429, attempt: 2, of: 5, message: 'rate_limit' },
      ]);
      assert.ok(retries.every((r) => typeof r.delayMs === 'number' && r.delayMs > 0));
      assert.equal(ofType(events, 'error').length, 0, 'a retry is not an error');
      assert.equal(ofType(events, 'result').at(-1)?.ok, true, 'and the run goes on to succeed');
    });

    it('Qwen Code: its system/retry lines give the attempt and wait, its stderr lines the status and message', () => {
      const { events, unparsed } = parse('qwen', 'retry-429.jsonl');
      assert.deepEqual(unparsed, ['Retrying provider attempt (0 buffered tool call(s) discarded).', 'Retrying provider attempt (0 buffered tool call(s) discarded).'], 'only its lines that say nothing new are left raw');
      const retries = ofType(events, 'retry');
      assert.deepEqual(retries, [
        { type: 'retry', attempt: 1, of: 2, delayMs: 1500 },
        { type: 'retry', status: 429, attempt: 1, of: 2, delayMs: 2000, message: 'API Error: 429 scripted 429 number 21' },
        { type: 'retry', attempt: 2, of: 2, delayMs: 3000 },
        { type: 'retry', status: 429, attempt: 2, of: 2, delayMs: 3000, message: 'API Error: 429 scripted 429 number 42' },
      ]);
      assert.equal(ofType(events, 'result').at(-1)?.ok, true);
    });

    it('Gemini CLI: its stderr "Attempt N failed with status S. Retrying" lines are retries; the stack traces after them stay raw', () => {
      const { events, unparsed } = parse('gemini', 'retry-429.jsonl');
      assert.deepEqual(ofType(events, 'retry'), [
        { type: 'retry', attempt: 1, status: 429, message: 'scripted 429 number 1' },
        { type: 'retry', attempt: 2, status: 429, message: 'scripted 429 number 2' },
      ]);
      assert.ok(unparsed.some((line) => line.includes('at throwErrorIfNotOK')));
      assert.equal(ofType(events, 'result').at(-1)?.ok, true);
      const parser = getRunner('gemini').createParser();
      assert.deepEqual(parser('Attempt 3 failed: fetch failed. Retrying after 5000ms...'), [{ type: 'retry', attempt: 3, delayMs: 5000, message: 'fetch failed' }]);
      assert.deepEqual(parser('Attempt 4 failed with 5xx error. Retrying with backoff...'), [{ type: 'retry', attempt: 4 }]);
      assert.equal(parser('Attempt 10 failed: quota. Max attempts reached'), undefined, 'giving up is not a retry');
    });

    it('reads as `retrying (429, attempt 3 of 10)` in the status and as a line of the log', () => {
      assert.equal(formatRetrying({ status: 429, attempt: 3, of: 10 }), 'retrying (429, attempt 3 of 10)');
      assert.equal(formatRetrying({ attempt: 2 }), 'retrying (attempt 2)');
      assert.equal(formatRetrying({ status: 500 }), 'retrying (500)');
      assert.equal(formatStatus({ status: 'running', retrying: { status: 429, attempt: 1, of: 5, since: 0 } }), 'running, retrying (429, attempt 1 of 5)');
      assert.equal(formatStatus({ status: 'done', retrying: { attempt: 1, since: 0 } }), 'done', 'only a running run retries');
      assert.deepEqual(renderEvent({ type: 'retry', status: 429, attempt: 1, of: 10, delayMs: 60_000, message: 'API Error: 429 slow down', seq: 1, ts: 0 }), ['… retrying (429, attempt 1 of 10) in 1m00s: API Error: 429 slow down']);
    });
  });

  describe('tool calls the CLI refused on its own', () => {
    it("Claude Code: the result's permission_denials, with the command each would have run", () => {
      const result = ofType(parse('claude', 'approval-denied.jsonl').events, 'result').at(-1)!;
      assert.equal(result.ok, true, 'the run itself succeeds');
      assert.deepEqual(result.denials, [{ tool: 'Bash', what: 'touch /tmp/sb-outside/made.txt', id: 'toolu_24bfad722ac306ca461c0c2a' }]);
      assert.equal(formatDenials(result.denials!), 'refused a tool call: Bash (touch /tmp/sb-outside/made.txt)');
      assert.ok(renderEvent({ ...result, seq: 1, ts: 0 }).includes('! refused a tool call: Bash (touch /tmp/sb-outside/made.txt)'));
    });

    it("Qwen Code: the same field, for the shell tool its approval mode did not allow; a result with none has no denials", () => {
      const result = ofType(parse('qwen', 'shell-denied-auto-edit.jsonl').events, 'result').at(-1)!;
      assert.equal(result.denials?.length, 1);
      assert.equal(result.denials?.[0]?.tool, 'run_shell_command');
      assert.ok(result.denials?.[0]?.what);
      assert.equal(ofType(parse('qwen', 'oneshot.jsonl').events, 'result').at(-1)?.denials, undefined);
    });
  });

  describe("Gemini CLI's models", () => {
    const prices: PriceTable = { ...DEFAULT_PRICES, 'gemini-3.5-flash-lite': { inputPerMTok: 0.1, outputPerMTok: 0.4 }, 'gemini-3.8-flash': { inputPerMTok: 2, outputPerMTok: 12 } };

    it('the model that did the work is the main one, not the router listed first; each is priced at its own price', () => {
      const { events } = parse('gemini', 'router-usage.jsonl');
      assert.equal(ofType(events, 'session').at(-1)?.model, 'gemini-3.8-flash');
      const usage = ofType(events, 'usage').at(-1)!;
      assert.deepEqual(usage.models, { 'gemini-3.5-flash-lite': { inputTokens: 90, outputTokens: 5 }, 'gemini-3.8-flash': { inputTokens: 120, outputTokens: 30 } });
      const meter = new UsageMeter('process');
      meter.add(usage);
      const total = meter.total(prices, 'gemini', 'gemini-3.8-flash');
      const expected = (90 * 0.1 + 5 * 0.4 + 120 * 2 + 30 * 12) / 1e6;
      assert.ok(Math.abs((total.usd ?? 0) - expected) < 1e-12, `${total.usd} is ${expected}`);
      assert.equal(total.usdSource, 'estimated');
      assert.deepEqual([total.inputTokens, total.outputTokens], [210, 35]);
      assert.equal(total.models?.['gemini-3.8-flash']?.inputTokens, 120);
      // Priced all at the router's price (what the first of stats.models gave), it was far less.
      const atRouterPrice = (210 * 0.1 + 35 * 0.4) / 1e6;
      assert.ok((total.usd ?? 0) > 10 * atRouterPrice);
    });

    it('tokens by model add up across the processes of a run (a steer resumes the session in a new one)', () => {
      const usage = ofType(parse('gemini', 'router-usage.jsonl').events, 'usage').at(-1)!;
      const meter = new UsageMeter('process');
      meter.add(usage);
      meter.closeProcess();
      meter.add(usage);
      const total = meter.total(prices, 'gemini', undefined);
      assert.deepEqual([total.inputTokens, total.outputTokens], [420, 70]);
      assert.deepEqual(total.models?.['gemini-3.5-flash-lite'] && [total.models['gemini-3.5-flash-lite'].inputTokens, total.models['gemini-3.5-flash-lite'].outputTokens], [180, 10]);
    });
  });

  describe('a cap on the CLI\'s own retries (`maxRetries`)', () => {
    const request = (runner: string, maxRetries?: number) => getRunner(runner).build({ prompt: 'hi', cwd: '/tmp', settings: { binary: runner, extraArgs: [], ...(maxRetries === undefined ? {} : { maxRetries }) } });

    it('Claude Code: CLAUDE_CODE_MAX_RETRIES; nothing without the setting', () => {
      assert.equal(request('claude', 4).env.CLAUDE_CODE_MAX_RETRIES, '4');
      assert.equal(request('claude').env.CLAUDE_CODE_MAX_RETRIES, undefined);
    });

    it('Qwen Code: a system settings file that holds its own system settings with the cap over them; none for the Gemini CLI', () => {
      const dir = tempDir('sb-system-settings-');
      const system = path.join(dir, 'settings.json');
      fs.writeFileSync(system, JSON.stringify({ general: { enableAutoUpdate: false }, model: { name: 'kept' } }));
      const spec = { cli: 'test', envVar: 'TEST_SYSTEM_SETTINGS_PATH', defaultPaths: { linux: path.join(dir, 'none.json'), darwin: '', win32: '' } };
      const env = settingsOverlay(spec, { general: { maxAttempts: 3 } }, { TEST_SYSTEM_SETTINGS_PATH: system });
      const file = env.TEST_SYSTEM_SETTINGS_PATH!;
      assert.notEqual(file, system, "the system's own file is left alone");
      assert.deepEqual(JSON.parse(fs.readFileSync(file, 'utf8')), { general: { enableAutoUpdate: false, maxAttempts: 3 }, model: { name: 'kept' } });
      assert.equal(fs.statSync(file).mode & 0o077, 0, 'owner-only');
      assert.deepEqual(settingsOverlay(spec, { general: { maxAttempts: 3 } }, { TEST_SYSTEM_SETTINGS_PATH: system }), env, 'the same settings share one file');
      assert.deepEqual(JSON.parse(fs.readFileSync(settingsOverlay(spec, { a: 1 }, {}).TEST_SYSTEM_SETTINGS_PATH!, 'utf8')), { a: 1 }, 'no system file: the cap alone');
      const stamped = settingsOverlay({ ...spec, versionStamp: { $version: 4 } }, { a: 1 }, {}).TEST_SYSTEM_SETTINGS_PATH!;
      assert.deepEqual(JSON.parse(fs.readFileSync(stamped, 'utf8')), { $version: 4, a: 1 }, 'with the schema\'s version, so that the CLI does not write it in');
      fs.rmSync(stamped);
      fs.writeFileSync(system, '{ // a comment\n}');
      assert.deepEqual(settingsOverlay(spec, { a: 1 }, { TEST_SYSTEM_SETTINGS_PATH: system }), {}, 'a file it cannot read as JSON is not replaced by one without its settings');
      fs.rmSync(dir, { recursive: true, force: true });
      for (const name of new Set([file, settingsOverlay(spec, { a: 1 }, {}).TEST_SYSTEM_SETTINGS_PATH!])) fs.rmSync(name, { force: true });
      const qwen = JSON.parse(fs.readFileSync(request('qwen', 2).env.QWEN_CODE_SYSTEM_SETTINGS_PATH!, 'utf8'));
      assert.equal(qwen.model.generationConfig.maxRetries, 2);
      // The Gemini CLI skips a system settings file that is not root's in folders only root may write.
      assert.equal(getRunner('gemini').retryCap, undefined);
    });
  });
});

describe("the Agents view's text about them", () => {
  const run = (more: Partial<RunRecord> = {}): RunRecord => ({
    version: 1, id: 'r1', name: 'claude-1', runner: 'claude', commandLine: ['claude'], cwd: '/w', prompt: 'p', status: 'running',
    createdAt: 0, startedAt: 0, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0, ...more,
  });

  it('a row says its CLI retries, for how long, in its description, and what it said in its tooltip', () => {
    const retrying = run({ retrying: { status: 429, attempt: 3, of: 10, since: 10_000, message: 'API Error: 429 slow down' } });
    assert.equal(retryingDescription(retrying, 140_000), 'retrying (429, attempt 3 of 10) · for 2m10s');
    assert.deepEqual(troubleRows(retrying).find(([k]) => k === 'Retrying'), ['Retrying', 'retrying (429, attempt 3 of 10): API Error: 429 slow down']);
    assert.equal(retryingDescription({ ...retrying, status: 'done' }), undefined, 'an ended run retries no more');
    assert.equal(retryingDescription(run()), undefined);
  });

  it('a run whose CLI refused tool calls says how many on its row and which in its tooltip; tokens by model when there are several', () => {
    const refused = run({ status: 'done', permissionDenials: [{ tool: 'Bash', what: 'rm -rf /tmp/x' }, { tool: 'WebFetch', what: 'https://example.com' }] });
    assert.equal(refusedWord(refused), '2 refused');
    assert.deepEqual(troubleRows(refused).find(([k]) => k === 'Refused'), ['Refused', 'refused 2 tool calls: Bash (rm -rf /tmp/x), WebFetch (https://example.com)']);
    assert.equal(refusedWord(run()), undefined);
    const gemini = run({ usage: { inputTokens: 210, outputTokens: 35, models: { 'gemini-3.5-flash-lite': { inputTokens: 90, outputTokens: 5, usd: 0.000011 }, 'gemini-3.8-flash': { inputTokens: 120, outputTokens: 30, usd: 0.0006 } } } });
    assert.equal(troubleRows(gemini).find(([k]) => k === 'Models')?.[1], 'gemini-3.5-flash-lite 90 in / 5 out ~$0.0000, gemini-3.8-flash 120 in / 30 out ~$0.0006');
  });
});
