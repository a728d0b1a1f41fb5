/**
 * `switchboard chat` driven through its stdin, as a person types: /run follows a real agent's
 * output, /kill asks "[y/N]" and kills on y, the conversation becomes a session that --list shows
 * and --session resumes (its /status names its runs), a bad --session is a usage error, and free
 * text starts an orchestrator agent given the MCP server the chat serves.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { runCli } from '../support/cliChild';
import { CLI, ensureBuilt, FAKE_AGENT, fakeCommand, killEverything, pidAlive, tempDir, until } from '../support/harness';

/** A chat whose stdout is collected as it comes; `send` types a line. */
function chat(home: string, cwd: string, args: string[] = []): { child: ChildProcessWithoutNullStreams; out: () => string; send(line: string): void; exit: Promise<number> } {
  const child = spawn(process.execPath, [CLI, 'chat', ...args], { cwd, env: { ...process.env, SWITCHBOARD_HOME: home } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return { child, out: () => out, send: (line) => child.stdin.write(`${line}\n`), exit: new Promise((resolve) => child.on('close', (code) => resolve(code ?? -1))) };
}

describe('switchboard chat', function () {
  this.timeout(60_000);
  let home: string;
  let work: string;
  before(() => ensureBuilt());
  beforeEach(() => {
    home = tempDir('sb-chat-cli-');
    work = tempDir('sb-chat-work-');
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: fakeCommand('--lines', '2', '--every', '100', '--sleep', '30000') } } }));
  });
  afterEach(async () => killEverything(home));

  it('follows a /run, asks before /kill, and resumes the session with its runs', async () => {
    const c = chat(home, work);
    c.send('/run custom chat from a terminal');
    await until(() => c.out().includes('  chat from a terminal'), 20_000, 'the agent output followed');
    assert.match(c.out(), /Started custom-1 \(id \w+, pid \d+\) with custom/);
    assert.match(c.out(), /  line 1 of a busy agent\n  line 2 of a busy agent\n/);
    // Ctrl+C stops following; the agent runs on.
    c.child.kill('SIGINT');
    await until(() => c.out().includes('Stopped following'), 10_000, 'following stopped');
    const id = /id (\w+), pid (\d+)/.exec(c.out())!;
    const [, runId, pid] = id;
    assert.ok(pidAlive(Number(pid)), 'the agent runs on');
    c.send(`/kill ${runId}`);
    await until(() => c.out().includes('Kill custom-1? [y/N]'), 10_000, 'the question');
    assert.ok(pidAlive(Number(pid)), 'nothing killed before the answer');
    c.send('y');
    await until(() => c.out().includes('Killed custom-1'), 15_000, 'the kill');
    await until(() => !pidAlive(Number(pid)), 10_000, 'the agent gone');
    c.child.stdin.end();
    assert.equal(await c.exit, 0);
    const session = /\(session (chat-\d{8}-\w{6}):/.exec(c.out())![1]!;

    const listed = await runCli(home, ['chat', '--list']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, new RegExp(`${session} .* ${work.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));

    const again = chat(home, work, ['--session', session]);
    again.send('/status');
    again.child.stdin.end();
    assert.equal(await again.exit, 0);
    assert.match(again.out(), new RegExp(`Started in this conversation \\(1\\):\\n• run custom-1 \\(${runId}\\) killed`));
  });

  it('says what is wrong with a bad session or a bad command, and goes on', async () => {
    const bad = await runCli(home, ['chat', '--session', 'chat-20260101-zzzzzz']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no session "chat-20260101-zzzzzz" \(switchboard chat --list shows them\)/);
    const c = chat(home, work);
    c.send('/nope');
    c.send('/run');
    c.send('/help');
    c.child.stdin.end();
    assert.equal(await c.exit, 0);
    assert.match(c.out(), /@switchboard has no \/nope command\. Usage: \/help/);
    assert.match(c.out(), /Say which runner .* Usage: \/run <runner> <prompt>/);
    assert.match(c.out(), /orchestrator agent \(claude; --runner changes it\)/);
  });

  it('sends free text to an orchestrator agent started with the MCP server this chat serves (none served the folder)', async () => {
    const bin = path.join(tempDir('sb-chat-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --text 'on it' "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } } }));
    const c = chat(home, work);
    c.send('run codex and claude on this bug and tell me which one made the tests pass');
    await until(() => /Started claude-1/.test(c.out()), 20_000, 'the orchestrator to start');
    const listed = JSON.parse((await runCli(home, ['list', '--format', 'json'])).stdout) as { runs: { name: string; commandLine: string[] }[] };
    const orchestrator = listed.runs.find((r) => r.name === 'claude-1')!;
    assert.ok(orchestrator.commandLine.includes('--mcp-config'), `given Switchboard's MCP server: ${orchestrator.commandLine.join(' ')}`);
    c.child.stdin.end();
    assert.equal(await c.exit, 0);
  });
});
