/**
 * Continue in Terminal: each runner's interactive command line on a run's session, and why a run cannot have one;
 * and the runs VS Code's Resume Session offers, a Cline run answered with why it cannot be resumed.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { interactiveRefusal, interactiveSession } from '../../src/core/runners/interactiveSession';
import { getRunner, RUNNERS } from '../../src/core/runners/runnerTable';
import type { InteractiveRequest } from '../../src/core/runners/types';
import type { RunRecord } from '../../src/core/runs/types';
import { errorMessage } from '../../src/core/errors';
import { CLINE_CANNOT_RESUME, clineDataDir } from '../../src/core/runners/cline';
import { offersResume, refuseUnresumable } from '../../src/vscode/commands/resumeOffer';
import { removeTempDirs, tempDir } from '../support/harness';

const request = (settings: Partial<InteractiveRequest['settings']> = {}): InteractiveRequest => ({ sessionId: 'S1', cwd: '/w', settings: { binary: 'x', extraArgs: ['--extra'], ...settings } });
const argv = (runner: string, settings: Partial<InteractiveRequest['settings']> = {}): string[] => getRunner(runner).interactive!(request(settings)).args;

const run = (more: Partial<RunRecord> = {}): RunRecord => ({
  version: 1, id: 'r1', name: 'claude-1', runner: 'claude', commandLine: ['claude'], cwd: '/', prompt: 'p', status: 'done', sessionId: 'S1',
  createdAt: 0, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0, ...more,
});

describe('Continue in Terminal', () => {
  after(removeTempDirs);

  it("gives each CLI's own interactive resume, with the run's permission mode and model, and not the one-shot extra arguments", () => {
    assert.deepEqual(argv('claude'), ['--resume', 'S1', '--permission-mode', 'acceptEdits']);
    assert.deepEqual(argv('claude', { model: 'opus', permissionMode: 'plan' }), ['--resume', 'S1', '--permission-mode', 'plan', '--model', 'opus']);
    assert.deepEqual(argv('codex', { model: 'gpt-5' }), ['resume', '--sandbox', 'workspace-write', '-m', 'gpt-5', 'S1']);
    assert.deepEqual(argv('gemini', { model: 'gemini-2.5-pro' }), ['--resume', 'S1', '--approval-mode', 'auto_edit', '--skip-trust', '-m', 'gemini-2.5-pro']);
    assert.deepEqual(argv('qwen'), ['--resume', 'S1', '--approval-mode', 'auto-edit']);
    assert.deepEqual(argv('opencode', { model: 'mock/m' }), ['-m', 'mock/m', '-s', 'S1']);
    assert.deepEqual(argv('kilo', { permissionMode: 'auto' }), ['--auto', '-s', 'S1']);
    assert.deepEqual(argv('opencode', { permissionMode: 'plan' }), ['--agent', 'plan', '-s', 'S1']);
    assert.deepEqual(argv('copilot', { model: 'gpt-5' }), ['--resume', 'S1', '--allow-all-tools', '--no-auto-update', '--model', 'gpt-5']);
    assert.deepEqual(argv('cline', { permissionMode: 'plan' }), ['--id', 'S1', '--data-dir', clineDataDir(), '--plan']);
    assert.deepEqual(argv('cline', { extraArgs: ['--data-dir', '/d', '-v'] }), ['--id', 'S1', '--data-dir', '/d']);
    assert.deepEqual(argv('cline', { extraArgs: ['--data-dir=/d'] }), ['--id', 'S1', '--data-dir=/d']);
  });

  it('keeps what the run needed in the environment: opencode and Kilo offline in the run\'s folder, Copilot and Cline its PWD', () => {
    const opencode = getRunner('opencode').interactive!(request()).env;
    assert.equal(opencode.PWD, '/w');
    assert.equal(opencode.OPENCODE_DISABLE_AUTOUPDATE, '1');
    assert.equal(getRunner('kilo').interactive!(request()).env.KILO_TELEMETRY_LEVEL, 'off');
    assert.deepEqual(getRunner('copilot').interactive!(request()).env, { PWD: '/w' });
    assert.deepEqual(getRunner('cline').interactive!(request()).env, { PWD: '/w' });
    assert.deepEqual(getRunner('claude').interactive!(request()).env, {});
  });

  it('every runner either has an interactive session or says why not', () => {
    for (const runner of RUNNERS) assert.ok(!!runner.interactive !== !!runner.interactiveRefusal, runner.id);
    assert.deepEqual(RUNNERS.filter((r) => !r.interactive).map((r) => r.id), ['custom']);
  });

  it('refuses with the reason: a custom command, no session, a run still going, an unknown runner', () => {
    assert.equal(interactiveRefusal(run()), undefined);
    assert.match(interactiveRefusal(run({ runner: 'custom', sessionId: undefined }))!, /custom command reports no session/);
    assert.match(interactiveRefusal(run({ sessionId: undefined }))!, /claude-1 has no session to continue: Claude Code reported none/);
    assert.match(interactiveRefusal(run({ status: 'running' }))!, /still running: two processes must not share its session/);
    assert.match(interactiveRefusal(run({ runner: 'amp' }))!, /does not know \(amp\)/);
  });

  it("starts the configured binary in the run's folder with the run's model, and says when the folder or the binary is gone", () => {
    const folder = tempDir('sb-interactive-');
    const binary = path.join(folder, 'my-claude');
    fs.writeFileSync(binary, '#!/bin/sh\n', { mode: 0o755 });
    const launch = interactiveSession(run({ cwd: folder, model: 'claude-opus-4' }), { claude: { binary, model: 'other', permissionMode: 'default', extraArgs: ['-p'] } }, process.env);
    assert.deepEqual(launch, { name: 'claude-1 · Claude Code', command: binary, args: ['--resume', 'S1', '--permission-mode', 'default', '--model', 'claude-opus-4'], env: {}, cwd: folder });
    assert.deepEqual(interactiveSession(run({ cwd: folder }), { claude: { binary, model: 'other' } }, process.env).args.slice(-2), ['--model', 'other']);
    const worktree = { workspace: folder, repo: folder, folder: path.join(folder, 'gone'), branch: 'switchboard/run/claude-1', baseCommit: 'abc' };
    assert.throws(() => interactiveSession(run({ cwd: path.join(folder, 'gone'), worktree }), { claude: { binary } }, process.env), /claude-1's folder .*gone is gone.*/);
    assert.throws(() => interactiveSession(run({ cwd: folder }), { claude: { binary: 'no-such-claude' } }, { PATH: folder }), /Claude Code is not installed: "no-such-claude" was not found/);
    assert.throws(() => interactiveSession(run({ status: 'running', cwd: folder }), { claude: { binary } }, process.env), /still running/);
  });
});

describe('Resume Session (VS Code)', () => {
  it('offers every finished run with a session, Cline\'s too, and answers a Cline run with why it cannot be resumed', () => {
    const runs = [
      run({ id: 'a', name: 'claude-1' }),
      run({ id: 'b', name: 'cline-1', runner: 'cline' }),
      run({ id: 'c', name: 'cline-2', runner: 'cline', status: 'running' }),
      run({ id: 'd', name: 'codex-1', runner: 'codex', sessionId: undefined }),
      run({ id: 'e', name: 'copilot-1', runner: 'copilot', protocol: 'acp', status: 'killed' }),
    ];
    assert.deepEqual(runs.filter(offersResume).map((r) => r.name), ['claude-1', 'cline-1', 'copilot-1']);
    assert.doesNotThrow(() => refuseUnresumable(runs[0]!));
    assert.doesNotThrow(() => refuseUnresumable(runs[4]!));
    let said = '';
    assert.throws(() => refuseUnresumable(runs[1]!), (error) => ((said = errorMessage(error)), true));
    assert.equal(said, `The Cline runner cannot resume a session. ${CLINE_CANNOT_RESUME}`);
    assert.throws(() => refuseUnresumable(run({ runner: 'amp' })), /Unknown runner "amp"/);
  });
});
