/**
 * The opencode, Kilo, GitHub Copilot CLI and Cline runners: their parsers against real output captured
 * from the real CLIs (test/fixtures/transcripts/<runner>/, see each NOTES.md), and their command lines.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { mergeConfig } from '../../src/core/config';
import { prepareStart } from '../../src/core/registry/launch';
import { DEFAULT_PRICES } from '../../src/core/pricing';
import { formatUsd } from '../../src/core/render';
import { clineDataDir, clineRunner, clineSessionOfAgent, createClineParser } from '../../src/core/runners/cline';
import { copilotUsageFile, createCopilotParser, nativeCopilotBinary } from '../../src/core/runners/copilot';
import { getRunner, runnerFor } from '../../src/core/runners/runnerTable';
import type { LineParser, StartRequest } from '../../src/core/runners/types';
import { UsageMeter } from '../../src/core/runs/usageMeter';
import { feedTranscript, ofType, TRANSCRIPTS } from '../support/transcripts';

const feed = (parser: LineParser, runner: string, ...files: string[]) => feedTranscript(runner, files, parser);

const request = (more: Partial<StartRequest> = {}, settings: Partial<StartRequest['settings']> = {}): StartRequest => ({
  prompt: 'Fix the parser',
  cwd: '/',
  ...more,
  settings: { binary: 'x', extraArgs: [], ...settings },
});

const tempDirs: string[] = [];
const temp = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-parsers-more-'));
  tempDirs.push(dir);
  return dir;
};
after(() => {
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

for (const runner of ['opencode', 'kilo'] as const) {
  describe(`${runner} (opencode's JSON lines)`, () => {
    const parse = (...files: string[]) => feed(getRunner(runner).createParser(), runner, ...files);

    it('one-shot: the session once, the write tool call with its result, text, usage per model call, success', () => {
      const { events, unparsed } = parse('oneshot.jsonl');
      assert.deepEqual(unparsed, []);
      const sessions = ofType(events, 'session');
      assert.equal(sessions.length, 1);
      assert.match(sessions[0]!.sessionId, /^ses_/);
      const [call] = ofType(events, 'tool_call');
      assert.equal(call?.name, 'write');
      assert.match((call?.input as { filePath: string }).filePath, /hello\.txt$/);
      const [result] = ofType(events, 'tool_result');
      assert.deepEqual([result?.callId, result?.output, result?.isError], [call?.callId, 'Wrote file successfully.', false]);
      assert.deepEqual(ofType(events, 'text').map((t) => t.text), ['I wrote hello.txt.']);
      // Two model calls of 120 in / 30 out each; a cost of 0 (an unknown price) is left to the price table.
      assert.deepEqual(ofType(events, 'usage'), [{ type: 'usage', inputTokens: 120, outputTokens: 30 }, { type: 'usage', inputTokens: 120, outputTokens: 30 }]);
      assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: true, text: 'I wrote hello.txt.' }]);
    });

    it('resume (`run -s <id>`) continues the same session', () => {
      const first = ofType(parse('oneshot.jsonl').events, 'session')[0]!.sessionId;
      const { events, unparsed } = parse('resume.jsonl');
      assert.deepEqual(unparsed, []);
      assert.deepEqual(ofType(events, 'session').map((s) => s.sessionId), [first]);
      assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: true, text: 'Goodbye!' }]);
    });

    it('a shell command: the bash call and its output', () => {
      const { events } = parse('shell.jsonl');
      assert.deepEqual(ofType(events, 'tool_call').map((c) => [c.name, (c.input as { command: string }).command]), [['bash', 'echo hi']]);
      assert.equal(ofType(events, 'tool_result')[0]?.output, 'hi\n');
    });

    it('the plan agent refuses the write: a failed tool result, and the run goes on', () => {
      const { events } = parse('plan.jsonl');
      const [result] = ofType(events, 'tool_result');
      assert.equal(result?.isError, true);
      assert.match(result!.output, /rule which prevents you from using this specific tool call/);
      assert.equal(ofType(events, 'result')[0]?.ok, true);
    });

    it('a provider error: an error line, a failed result with its message', () => {
      const { events, unparsed } = parse('error.jsonl');
      assert.deepEqual(unparsed, []);
      assert.equal(ofType(events, 'session').length, 1);
      assert.deepEqual(ofType(events, 'error').map((e) => e.message), ['scripted bad request']);
      assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: false, error: 'scripted bad request' }]);
    });

    it('SIGINT while a tool runs: it dies with nothing more than the step start (no result)', () => {
      const { events, unparsed } = parse('sigint-group.jsonl');
      assert.deepEqual(unparsed, []);
      assert.deepEqual(events.map((e) => e.type), ['session']);
    });
  });
}

describe('opencode and Kilo, beyond the transcripts', () => {
  it('a known price is reported cost, cached tokens count as input, and Kilo\'s string errors are kept', () => {
    const parser = getRunner('opencode').createParser();
    const step = { type: 'step_finish', sessionID: 'ses_1', part: { reason: 'stop', tokens: { input: 100, output: 20, reasoning: 5, cache: { read: 50, write: 10 } }, cost: 0.0042 } };
    assert.deepEqual(parser(JSON.stringify(step)), [
      { type: 'session', sessionId: 'ses_1' },
      { type: 'usage', inputTokens: 160, outputTokens: 20, usd: 0.0042 },
      { type: 'result', ok: true, text: undefined },
    ]);
    const error = { type: 'error', sessionID: 'ses_1', error: 'run ended with an auto-rejected permission; pass --auto for autonomous use' };
    assert.deepEqual(parser(JSON.stringify(error))?.map((e) => e.type), ['error', 'result']);
    assert.equal(parser('{"type":"something_new","sessionID":"ses_1"}'), undefined);
  });

  it('command line: run --format json, the mode (`auto` or an agent), model, session, extra args, the prompt after --', () => {
    for (const runner of ['opencode', 'kilo']) {
      const build = (more: Partial<StartRequest>, settings: Partial<StartRequest['settings']> = {}) => getRunner(runner).build(request(more, settings));
      assert.deepEqual(build({}).args, ['run', '--format', 'json', '--', 'Fix the parser']);
      assert.deepEqual(build({ resumeSessionId: 'ses_9', prompt: '-v' }, { permissionMode: 'auto', model: 'anthropic/claude-sonnet-4-5', extraArgs: ['--thinking'] }).args, [
        'run', '--format', 'json', '--auto', '-m', 'anthropic/claude-sonnet-4-5', '-s', 'ses_9', '--thinking', '--', '-v',
      ]);
      assert.deepEqual(build({}, { permissionMode: 'plan' }).args.slice(3, 5), ['--agent', 'plan']);
      assert.equal(build({}).stdin, 'ignore');
    }
    const opencode = getRunner('opencode').build(request({ cwd: '/work/repo' })).env;
    assert.deepEqual([opencode.OPENCODE_DISABLE_SHARE, opencode.OPENCODE_DISABLE_FFF, opencode.PWD], ['1', '1', '/work/repo']);
    const kilo = getRunner('kilo').build(request({ cwd: '/work/repo' })).env;
    assert.deepEqual([kilo.KILO_TELEMETRY_LEVEL, kilo.KILO_DISABLE_SESSION_INGEST, kilo.PWD], ['off', '1', '/work/repo']);
  });
});

describe('GitHub Copilot CLI', () => {
  /** A parser whose usage files are copies of the recorded ones (it deletes what it has read). */
  function copilotParser(usage?: string, home = temp()): LineParser {
    const dir = temp();
    return createCopilotParser({
      home,
      usageFile: (sessionId) => {
        if (!usage) return undefined;
        const file = path.join(dir, `${sessionId}.json`);
        fs.copyFileSync(path.join(TRANSCRIPTS, 'copilot', usage), file);
        return file;
      },
    });
  }

  it('one-shot: the create tool call and result, text, then the session, its model and the usage file\'s tokens with the result', () => {
    const { events, unparsed } = feed(copilotParser('oneshot.usage.json'), 'copilot', 'oneshot.jsonl');
    assert.deepEqual(unparsed, []);
    const [call] = ofType(events, 'tool_call');
    assert.equal(call?.name, 'create');
    assert.match((call?.input as { path: string }).path, /hello\.txt$/);
    const [result] = ofType(events, 'tool_result');
    assert.equal(result?.callId, call?.callId);
    assert.equal(result?.isError, false);
    assert.match(result!.output, /^Created file .*hello\.txt with 23 characters$/);
    assert.deepEqual(ofType(events, 'text').map((t) => t.text), ['I wrote hello.txt.']);
    assert.deepEqual(ofType(events, 'session'), [{ type: 'session', sessionId: '503b68ad-315c-426d-aba8-747c2e51bcac', model: 'scripted-model' }]);
    assert.deepEqual(ofType(events, 'usage'), [{ type: 'usage', inputTokens: 240, outputTokens: 60 }]);
    assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: true, text: 'I wrote hello.txt.' }]);
    assert.equal(events.at(-1)?.type, 'result');
  });

  it('resume: the same session, and the usage file holds the session\'s running total', () => {
    const { events } = feed(copilotParser('resume.usage.json'), 'copilot', 'resume.jsonl');
    assert.equal(ofType(events, 'session')[0]?.sessionId, '503b68ad-315c-426d-aba8-747c2e51bcac');
    assert.deepEqual(ofType(events, 'usage'), [{ type: 'usage', inputTokens: 360, outputTokens: 90 }]);
    assert.deepEqual(ofType(events, 'text').map((t) => t.text), ['Goodbye!']);
  });

  it('while it runs, the session id is found in its session folder by the prompt\'s event id', () => {
    const home = temp();
    const session = path.join(home, 'session-state', '503b68ad-315c-426d-aba8-747c2e51bcac');
    fs.mkdirSync(session, { recursive: true });
    fs.writeFileSync(path.join(session, 'events.jsonl'), '{"type":"session.start","id":"a"}\n{"type":"user.message","id":"5f9d27e4-7f24-49c2-b4d3-f3abf6b80a66"}\n');
    fs.mkdirSync(path.join(home, 'session-state', 'another-session'));
    const { events } = feed(copilotParser(undefined, home), 'copilot', 'oneshot.jsonl');
    const first = events.findIndex((e) => e.type === 'session');
    assert.ok(first >= 0 && first < events.findIndex((e) => e.type === 'tool_call'), 'the session comes before the tool call');
    assert.equal(ofType(events, 'session')[0]?.sessionId, '503b68ad-315c-426d-aba8-747c2e51bcac');
  });

  it('shell, plan mode (the edit is blocked), a provider error, and SIGINT (an abort, no result line)', () => {
    const shell = feed(copilotParser('shell.usage.json'), 'copilot', 'shell.jsonl').events;
    assert.deepEqual(ofType(shell, 'tool_call').map((c) => [c.name, (c.input as { command: string }).command]), [['bash', 'echo hi']]);
    assert.match(ofType(shell, 'tool_result')[0]!.output, /^hi\n/);

    const plan = feed(copilotParser('plan.usage.json'), 'copilot', 'plan.jsonl').events;
    assert.equal(ofType(plan, 'tool_result')[0]?.isError, true);
    assert.match(ofType(plan, 'tool_result')[0]!.output, /was blocked/);

    const error = feed(copilotParser('error.usage.json'), 'copilot', 'error.jsonl');
    assert.deepEqual(error.unparsed, []);
    assert.deepEqual(ofType(error.events, 'error').map((e) => e.message), ['400 scripted bad request']);
    assert.deepEqual(ofType(error.events, 'usage'), [{ type: 'usage', inputTokens: 0, outputTokens: 0 }]);
    assert.deepEqual(ofType(error.events, 'result'), [{ type: 'result', ok: false, text: undefined, error: '400 scripted bad request' }]);

    const sigint = feed(copilotParser(), 'copilot', 'sigint-group.jsonl');
    assert.deepEqual(sigint.unparsed, []);
    assert.deepEqual(ofType(sigint.events, 'result'), []);
    const aborted = copilotParser();
    assert.deepEqual(aborted('{"type":"abort","data":{"reason":"user_initiated"}}'), []);
    assert.deepEqual(ofType(aborted('{"type":"result","sessionId":"s-1","exitCode":0}')!, 'result'), [{ type: 'result', ok: false, text: undefined, error: 'aborted (user_initiated)' }]);
  });

  it('command line: the prompt as --prompt=, json, tool permission, no update or client telemetry, a session id chosen or resumed, the usage file', () => {
    const runner = getRunner('copilot');
    const { args, stdin } = runner.build(request({ prompt: '--help me' }));
    assert.equal(stdin, 'ignore');
    assert.deepEqual(args.slice(0, 6), ['--prompt=--help me', '--output-format', 'json', '--allow-all-tools', '--no-auto-update', '--disable-client-telemetry']);
    const sessionId = args[args.indexOf('--session-id') + 1]!;
    assert.match(sessionId, /^[0-9a-f-]{36}$/);
    assert.equal(args[args.indexOf('--usage-output-file') + 1], copilotUsageFile(sessionId));
    const resumed = runner.build(request({ resumeSessionId: 'abc-123' }, { permissionMode: 'allow-all', model: 'gpt-5.4' })).args;
    assert.equal(resumed[resumed.indexOf('--resume') + 1], 'abc-123');
    assert.ok(!resumed.includes('--session-id') && resumed.includes('--allow-all') && !resumed.includes('--allow-all-tools'));
    assert.equal(resumed[resumed.indexOf('--model') + 1], 'gpt-5.4');
    assert.deepEqual(runner.build(request({}, { permissionMode: 'plan' })).args.slice(3, 5), ['--plan', '--allow-all-tools']);
    assert.throws(() => runner.build(request({}, { permissionMode: 'yolo' })), /allow-all-tools/);
    // `ask` (no allow flag) only over ACP, where each tool use is a permission request: `-p` would stop at its first tool call.
    assert.throws(() => runner.build(request({}, { permissionMode: 'ask' })), /"ask" works only over ACP/);
    const acp = runnerFor('copilot', 'acp').build(request({}, { permissionMode: 'ask' }));
    assert.deepEqual(acp.args, ['--acp', '--no-auto-update', '--disable-client-telemetry']);
    assert.deepEqual(runnerFor('copilot', 'acp').build(request({}, {})).args, ['--acp', '--allow-all-tools', '--no-auto-update', '--disable-client-telemetry']);
    assert.equal(copilotUsageFile('../../etc/passwd'), undefined);
  });

  it('runs the native binary of the platform package, not the npm loader (which does not pass signals on)', () => {
    const root = temp();
    const modules = path.join(root, 'node_modules');
    const loader = path.join(modules, '@github', 'copilot', 'npm-loader.js');
    const platform = process.platform === 'linux' ? 'linux' : process.platform;
    const native = path.join(modules, '@github', `copilot-${platform}-${process.arch}`, process.platform === 'win32' ? 'copilot.exe' : 'copilot');
    for (const file of [loader, native]) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, '');
    }
    fs.mkdirSync(path.join(modules, '.bin'));
    fs.symlinkSync(path.relative(path.join(modules, '.bin'), loader), path.join(modules, '.bin', 'copilot'));
    assert.equal(nativeCopilotBinary(path.join(modules, '.bin', 'copilot')), native);
    assert.equal(getRunner('copilot').build(request({}, { binary: path.join(modules, '.bin', 'copilot') })).command, native);
    assert.equal(nativeCopilotBinary(native), native);
    assert.equal(nativeCopilotBinary('copilot'), 'copilot');
  });
});

describe('Cline', () => {
  const dataDir = path.join(TRANSCRIPTS, 'cline', 'data');
  const parse = (...files: string[]) => feed(createClineParser({ dataDir }), 'cline', ...files);

  it('one-shot: the session id from its log, the editor call and result, text, usage, success', () => {
    const { events, unparsed } = parse('oneshot.jsonl');
    assert.deepEqual(unparsed, []);
    const sessions = ofType(events, 'session');
    assert.deepEqual(sessions[0], { type: 'session', sessionId: '1796581055081_gj6yg' });
    assert.deepEqual(sessions.at(-1), { type: 'session', sessionId: '1796581055081_gj6yg', model: 'scripted-model' });
    const [call] = ofType(events, 'tool_call');
    assert.equal(call?.name, 'editor');
    const [result] = ofType(events, 'tool_result');
    assert.deepEqual([result?.callId, result?.isError], [call?.callId, false]);
    assert.match(result!.output, /File created successfully/);
    assert.deepEqual(ofType(events, 'text').map((t) => t.text), ['I wrote hello.txt.']);
    // Running totals for the process: the last one is the run's.
    assert.deepEqual(ofType(events, 'usage').at(-1), { type: 'usage', inputTokens: 240, outputTokens: 60 });
    assert.deepEqual(ofType(events, 'result'), [{ type: 'result', ok: true, text: 'I wrote hello.txt.' }]);
    assert.equal(clineSessionOfAgent(dataDir, 'agent_1796581055134_nomatch'), undefined);
  });

  it('keeps the cost Cline reports (a model whose price it knows) as reported, not re-estimated', () => {
    // The recorded run's lines, with the totalCost Cline gives for a model it knows the price of (the scripted one has none: 0).
    const parser = createClineParser({ dataDir });
    const meter = new UsageMeter(clineRunner.usageScope, clineRunner.costScope);
    let costs = 0;
    for (const line of fs.readFileSync(path.join(TRANSCRIPTS, 'cline', 'oneshot.jsonl'), 'utf8').split('\n').filter((l) => l.trim())) {
      const costed = line.replace(/"totalCost":0\b/g, () => `"totalCost":${(0.0042 * ++costs).toFixed(4)}`);
      for (const event of ofType(parser(costed) ?? [], 'usage')) meter.add(event);
    }
    assert.ok(costs >= 2, 'the transcript reports its running totals more than once');
    // Running totals for the process: the last one is the run's, as Cline said it.
    const total = meter.total(DEFAULT_PRICES, 'cline', 'scripted-model');
    assert.deepEqual(total, { inputTokens: 240, outputTokens: 60, usd: Number((0.0042 * costs).toFixed(4)), usdSource: 'reported' });
    assert.match(formatUsd(total), /^\$0\.0\d/, "a reported cost reads without an estimate's ~");
  });

  it('without its log the run still parses, with no session id', () => {
    const { events } = feed(createClineParser({ dataDir: temp() }), 'cline', 'oneshot.jsonl');
    assert.deepEqual(ofType(events, 'session'), []);
    assert.equal(ofType(events, 'result')[0]?.ok, true);
  });

  it('run_commands output, plan mode (no editor tool: a failed call), a provider error (with its stderr line), SIGINT (nothing more)', () => {
    const shell = parse('shell.jsonl').events;
    assert.deepEqual(ofType(shell, 'tool_call').map((c) => [c.name, c.input]), [['run_commands', { commands: ['echo hi'] }]]);
    assert.deepEqual(ofType(shell, 'tool_result').map((r) => [r.output, r.isError]), [['hi\n', false]]);

    const plan = parse('plan.jsonl').events;
    assert.equal(ofType(plan, 'tool_result')[0]?.isError, true);
    assert.match(ofType(plan, 'tool_result')[0]!.output, /unavailable tool 'editor'/);
    assert.equal(ofType(plan, 'error').length, 1);
    assert.equal(ofType(plan, 'result')[0]?.ok, true);

    const error = parse('error.jsonl', 'error.stderr.jsonl');
    assert.deepEqual(error.unparsed, []);
    assert.deepEqual(ofType(error.events, 'error').map((e) => e.message), ['scripted bad request', 'scripted bad request']);
    assert.deepEqual(ofType(error.events, 'result'), [{ type: 'result', ok: false, text: 'scripted bad request', error: 'the run ended: error' }]);

    const sigint = parse('sigint-group.jsonl');
    assert.deepEqual(sigint.unparsed, []);
    assert.deepEqual(ofType(sigint.events, 'result'), []);
    assert.deepEqual(ofType(sigint.events, 'tool_call').map((c) => c.name), ['run_commands']);
  });

  it('command line: --json, always a --data-dir (its own unless given), plan mode, model, the prompt after --; no resume', () => {
    const runner = getRunner('cline');
    const home = temp();
    const previous = { HOME: process.env.HOME, CLINE_DIR: process.env.CLINE_DIR, CLINE_DATA_DIR: process.env.CLINE_DATA_DIR };
    try {
      process.env.HOME = home;
      delete process.env.CLINE_DIR;
      delete process.env.CLINE_DATA_DIR;
      assert.equal(clineDataDir(), path.join(home, '.cline', 'data'));
      assert.deepEqual(runner.build(request()).args, ['--json', '--data-dir', path.join(home, '.cline', 'data'), '--', 'Fix the parser']);
      process.env.CLINE_DIR = path.join(home, 'cfg');
      assert.equal(clineDataDir(), path.join(home, 'cfg', 'data'));
      process.env.CLINE_DATA_DIR = path.join(home, 'd');
      assert.equal(clineDataDir(), path.join(home, 'd'));
    } finally {
      for (const [key, value] of Object.entries(previous)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    assert.deepEqual(runner.build(request({}, { permissionMode: 'plan', model: 'm', extraArgs: ['--data-dir=/elsewhere'] })).args.slice(0, 5), ['--json', '--plan', '-m', 'm', '--data-dir=/elsewhere']);
    assert.throws(() => runner.build(request({}, { permissionMode: 'yolo' })), /"act" or "plan"/);
    assert.throws(() => runner.build(request({ resumeSessionId: 's' })), /terminal UI/);
    assert.deepEqual([runner.steering, runner.canResume], ['none', false]);
    assert.match(runner.resumeRefusal ?? '', /cline --id/);
    const config = mergeConfig({ runners: { cline: { binary: process.execPath } } });
    assert.throws(() => prepareStart({ runner: 'cline', prompt: 'p', cwd: '/', resumeSessionId: 's' }, { config, env: process.env }), /cannot resume/);
  });
});
