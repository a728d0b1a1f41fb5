/**
 * `switchboard chat` driven through its stdin, as a person types: /run follows a real agent's
 * output, /kill asks "[y/N]" and kills on y, the conversation becomes a session that --list shows
 * and --session resumes (its /status names its runs), a bad --session is a usage error, and free
 * text starts an orchestrator agent given the MCP server the chat serves: a real Claude Code
 * (scripted provider) told what the panel's model is told, that starts and waits for a run over MCP
 * (recorded in the chat's session) and remembers it on the next line (its session resumed). A team
 * or a goal started from the chat goes on in a background process after the chat exits; --new starts
 * a fresh session.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { runCli } from '../support/cliChild';
import { ChatSessions, type SessionWork } from '../../src/core/chat/chatSessions';
import { StateMap } from '../../src/core/state/stateMap';
import { loadTeam } from '../../src/core/teams/teamStore';
import { loadGoal } from '../../src/core/goals/goalStore';
import { makeRepo } from '../support/gitRepo';
import { offlineCli, realClaudeConfigFile, type OfflineCli } from '../support/agentClis';
import { CLI, ensureBuilt, FAKE_AGENT, fakeCommand, killEverything, pidAlive, tempDir, until } from '../support/harness';

/** Whether the conversation a Claude request carries already called `tool` (its tool_use blocks, not the tool list or the prompt). */
const called = (body: unknown, tool: string): boolean =>
  ((body as { messages?: { content: unknown }[] }).messages ?? []).some((m) => Array.isArray(m.content) && m.content.some((b: { type?: string; name?: string }) => b.type === 'tool_use' && b.name === tool));

/** A chat whose stdout is collected as it comes; `send` types a line. */
function chat(home: string, cwd: string, args: string[] = [], env: Record<string, string> = {}): { child: ChildProcessWithoutNullStreams; out: () => string; send(line: string): void; exit: Promise<number> } {
  const child = spawn(process.execPath, [CLI, 'chat', ...args], { cwd, env: { ...process.env, ...env, SWITCHBOARD_HOME: home } });
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
    const both = await runCli(home, ['chat', '--session', 'chat-20260101-zzzzzz', '--new']);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /give --session or --new, not both/);
  });

  it('--new starts a fresh session; in a terminal, /goal says how to give gates here and Start Goal is a question', async () => {
    const sessions = (): string[] => new ChatSessions(new StateMap(home)).list().map((s) => s.id);
    for (const round of [1, 2]) {
      const c = chat(home, work, ['--new']);
      c.send('/goal the notes are written');
      c.send('n');
      c.child.stdin.end();
      assert.equal(await c.exit, 0, c.out());
      assert.match(c.out(), /No gates were found in .*: nothing would check the work \(switchboard goal create --gate "name=command" lets you give some\)\./);
      assert.match(c.out(), /Start Goal\? \[y\/N\]\nNot done\./);
      assert.equal(sessions().length, round, 'a session of its own each time');
    }
  });

  it('sends free text to an orchestrator agent started with the MCP server this chat serves (none served the folder)', async () => {
    const bin = path.join(tempDir('sb-chat-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --text 'on it' "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } } }));
    const c = chat(home, work);
    c.send('run codex and claude on this bug and tell me which one made the tests pass');
    await until(() => /Asked claude-1/.test(c.out()), 20_000, 'the orchestrator to start');
    const listed = JSON.parse((await runCli(home, ['list', '--format', 'json'])).stdout) as { runs: { name: string; commandLine: string[] }[] };
    const orchestrator = listed.runs.find((r) => r.name === 'claude-1')!;
    assert.ok(orchestrator.commandLine.includes('--mcp-config'), `given Switchboard's MCP server: ${orchestrator.commandLine.join(' ')}`);
    c.child.stdin.end();
    assert.equal(await c.exit, 0);
  });

  it("free text: the orchestrator is framed, starts and waits for a run over MCP (recorded in the chat's session), and resumes its session on the next line", async () => {
    const claude: OfflineCli = await offlineCli('claude', tempDir('sb-chat-orch-home-'), (r) => {
      if (r.lastUserText.includes('what did you start')) return { kind: 'text', text: called(r.body, 'mcp__switchboard__run_agent') ? 'Earlier I started chat-helper.' : 'I remember nothing.' };
      if (!called(r.body, 'mcp__switchboard__run_agent')) return { kind: 'tool', name: 'mcp__switchboard__run_agent', input: { runner: 'custom', prompt: 'the helper task', name: 'chat-helper', command: fakeCommand('--sleep', '500'), cwd: work } };
      if (!called(r.body, 'mcp__switchboard__wait_agent')) return { kind: 'tool', name: 'mcp__switchboard__wait_agent', input: { id: 'chat-helper', timeout_ms: 30_000 } };
      return { kind: 'text', text: 'The helper finished.' };
    });
    try {
      fs.writeFileSync(path.join(home, 'config.json'), realClaudeConfigFile());
      const c = chat(home, work, [], claude.env);
      c.send('start a helper and tell me when it is done');
      c.send('what did you start?');
      c.child.stdin.end();
      assert.equal(await c.exit, 0, c.out());
      const out = c.out();
      assert.match(out, /Asked claude-1 \(id \w+, claude\)/);
      assert.match(out, /The helper finished\./);
      // Told first what the panel's model is told, then the request.
      const first = claude.provider.requests[0]!.lastUserText;
      assert.match(first, /You are Switchboard, the control plane for coding agent CLIs in a terminal/);
      assert.match(first, /The user asks: start a helper and tell me when it is done/);
      // The next line resumes the orchestrator's session: it remembers what it started.
      assert.match(out, /Asked claude-2 \(id \w+, claude, going on with its session\)/);
      assert.match(out, /Earlier I started chat-helper\./);
      const listed = JSON.parse((await runCli(home, ['list', '--format', 'json'])).stdout) as { runs: { id: string; name: string; sessionId?: string; commandLine: string[] }[] };
      const [first_, second] = ['claude-1', 'claude-2'].map((n) => listed.runs.find((r) => r.name === n)!);
      assert.ok(second!.commandLine.includes('--resume') && second!.commandLine.includes(first_!.sessionId!), second!.commandLine.join(' '));
      // The run the orchestrator started over MCP is the conversation's, as a later /status says.
      const session = /\(session (chat-\d{8}-\w{6}):/.exec(out)![1]!;
      const helper = listed.runs.find((r) => r.name === 'chat-helper')!;
      const work_: SessionWork[] = new ChatSessions(new StateMap(home)).work(session);
      assert.deepEqual(work_.map((w) => [w.kind, w.id]), [['run', first_!.id], ['run', helper.id], ['run', second!.id]]);
      const again = chat(home, work, ['--session', session]);
      again.send('/status');
      again.child.stdin.end();
      assert.equal(await again.exit, 0);
      assert.match(again.out(), new RegExp(`Started in this conversation \\(3\\):[\\s\\S]*• run chat-helper \\(${helper.id}\\) done`));
    } finally {
      await claude.provider.close();
    }
  });

  it('a team started from the chat goes on in the background once the chat exits, and the chat says so', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: fakeCommand('--sleep', '8000') } } }));
    const c = chat(home, work);
    c.send('/team 1:executor:custom write the notes');
    await until(() => /Started team (team-[\w-]+)/.test(c.out()), 30_000, 'the team to start');
    const team = /Started team (team-[\w-]+)/.exec(c.out())![1]!;
    // Ctrl+C stops following; then the chat ends while the team's task still runs.
    c.child.kill('SIGINT');
    await until(() => c.out().includes('Stopped following'), 10_000, 'following stopped');
    c.child.stdin.end();
    assert.equal(await c.exit, 0, c.out());
    const handed = new RegExp(`Team ${team} goes on in the background \\(pid (\\d+)\\); switchboard team status ${team} shows it\\.`).exec(c.out());
    assert.ok(handed, c.out());
    const pid = Number(handed[1]);
    // The background process owns the team and brings it to its end, then exits.
    await until(() => loadTeam(home, team).owner?.pid === pid, 20_000, 'the background process to own the team');
    await until(() => loadTeam(home, team).status === 'done', 60_000, 'the team done');
    await until(() => !pidAlive(pid), 20_000, 'the background process to exit');
  });

  it('a goal started from the chat goes on in the background once the chat exits, and the chat says so', async () => {
    const repo = makeRepo({ 'README.md': '# notes\n', 'package.json': JSON.stringify({ scripts: { test: 'node -e 0' } }) });
    // The goal's planner: a scripted Claude Code that takes a while.
    const bin = path.join(tempDir('sb-chat-claude-'), 'claude');
    fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --text 'planning' --sleep 8000 "$@"\n`, { mode: 0o755 });
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { claude: { binary: bin } } }));
    const c = chat(home, repo);
    c.send('/goal the notes are written');
    c.send('y');
    c.child.stdin.end();
    assert.equal(await c.exit, 0, c.out());
    const handed = /Goal (goal-\d{8}-\w{6}) goes on in the background \(pid (\d+), its output in (\S+)\); switchboard goal status \1 shows it\./.exec(c.out());
    assert.ok(handed, c.out());
    const [, id, pid] = handed;
    await until(() => loadGoal(home, id!).owner?.pid === Number(pid), 20_000, 'the background process to own the goal');
    assert.equal(loadGoal(home, id!).status, 'running');
    // It is that process's now: cancelling it there ends it, and the process exits.
    const cancelled = await runCli(home, ['goal', 'cancel', id!]);
    assert.equal(cancelled.code, 0, cancelled.stderr);
    await until(() => !pidAlive(Number(pid)), 30_000, 'the background process to exit');
  });
});
