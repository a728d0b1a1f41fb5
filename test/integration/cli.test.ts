/** The headless CLI as a person uses it: the built dist/cli.js, real processes, exit codes and messages. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { StateMap } from '../../src/core/state/stateMap';
import { writeRecord } from '../../src/core/runs/recordFile';
import type { RunRecord } from '../../src/core/runs/types';
import { offlineCli, realClaudeConfigFile, type OfflineCli } from '../support/agentClis';
import { processesMarked } from '../../src/core/proc/processTable';
import { RUN_ID_ENV } from '../../src/core/runs/runMarker';
import { CLI, ensureBuilt, fakeClaude, fakeCommand, killEverything, pidAlive, ROOT, tempDir } from '../support/harness';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(home: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function finishedRecord(id: string, name: string): RunRecord {
  return {
    version: 1, id, name, runner: 'custom', commandLine: ['echo'], cwd: '/', prompt: 'x', status: 'done', createdAt: Date.now(),
    startedAt: Date.now(), endedAt: Date.now(), exitCode: 0, usage: { inputTokens: 0, outputTokens: 0 }, links: {}, outputBytes: 0, eventCount: 0,
  };
}

describe('headless CLI', function () {
  this.timeout(60_000);
  let home: string;
  before(() => ensureBuilt());
  beforeEach(() => (home = tempDir('sb-cli-')));
  afterEach(async () => killEverything(home));

  it('mcp --http serves until SIGTERM; mcp config prints what each client needs; doctor shows the server', async () => {
    assert.equal((await cli(home, ['mcp'])).code, 2, 'no transport is a usage error');
    const none = await cli(home, ['mcp', 'config', 'claude']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /No Switchboard MCP server is serving this state directory over HTTP.*switchboard mcp --http/s);
    const server = spawn(process.execPath, [CLI, 'mcp', '--http'], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    server.stderr.on('data', (d) => (said += d));
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    try {
      await waitFor(async () => /Switchboard MCP server on http:\/\/127\.0\.0\.1:\d+\/mcp/.test(said), 10_000);
      const url = /(http:\S+\/mcp)/.exec(said)![1]!;
      const token = fs.readFileSync(path.join(home, 'mcp', 'token'), 'utf8').trim();
      const codex = await cli(home, ['mcp', 'config', 'codex']);
      assert.equal(codex.stdout, `[mcp_servers.switchboard]\nurl = "${url}"\nhttp_headers = { "Authorization" = "Bearer ${token}" }\n`);
      assert.match(codex.stderr, /~\/\.codex\/config\.toml/);
      const gemini = JSON.parse((await cli(home, ['mcp', 'config', 'gemini'])).stdout);
      assert.deepEqual(gemini, { mcpServers: { switchboard: { httpUrl: url, headers: { Authorization: `Bearer ${token}` } } } });
      assert.match((await cli(home, ['doctor'])).stdout, new RegExp(`mcp server: ${url.replace(/[.]/g, '\\.')} \\(pid ${server.pid}\\)`));
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.match((await cli(home, ['doctor'])).stdout, /mcp server: none serving this state directory/);
  });

  it('serve serves /mcp and /api/v1 on one port until SIGTERM; mcp config and doctor show the API address', async () => {
    assert.equal((await cli(home, ['serve', '--port', 'high'])).code, 2);
    assert.equal((await cli(home, ['serve', 'now'])).code, 2);
    const server = spawn(process.execPath, [CLI, 'serve', '--port', '0'], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    server.stderr.on('data', (d) => (said += d));
    const exited = new Promise<number | null>((resolve) => server.once('exit', resolve));
    try {
      await waitFor(async () => /the HTTP API at http:\/\/127\.0\.0\.1:\d+\/api\/v1/.test(said), 10_000);
      const api = /(http:\S+\/api\/v1)/.exec(said)![1]!;
      assert.match(said, new RegExp(`MCP at ${api.replace('/api/v1', '/mcp').replace(/[.]/g, '\\.')}`));
      const token = fs.readFileSync(path.join(home, 'mcp', 'token'), 'utf8').trim();
      const health = (await (await fetch(`${api}/health`, { headers: { authorization: `Bearer ${token}` } })).json()) as { version: string; status: string };
      assert.equal(health.version, (await cli(home, ['--version'])).stdout.trim());
      assert.equal((await fetch(api.replace('/api/v1', '/mcp'), { method: 'POST' })).status, 401, '/mcp is there, behind the token');
      assert.match((await cli(home, ['mcp', 'config', 'claude'])).stderr, new RegExp(`The HTTP API is at ${api.replace(/[.]/g, '\\.')} with the same bearer token`));
      assert.match((await cli(home, ['doctor'])).stdout, new RegExp(`http api: ${api.replace(/[.]/g, '\\.')}`));
      assert.equal(JSON.parse((await cli(home, ['doctor', '--format', 'json'])).stdout).mcpServer.apiUrl, api);
    } finally {
      server.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });

  it('a run that finds its pool full waits in line, then starts by itself; pools status shows the counts', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, pools: { default: { maxWorkers: 1 } } }));
    const first = await cli(home, ['run', 'custom', 'first', '--detach', '--name', 'first', '--command', fakeCommand('--sleep', '1500')]);
    assert.equal(first.code, 0, first.stderr);
    const second = await cli(home, ['run', 'custom', 'second in line', '--name', 'second', '--command', fakeCommand()]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /second \(\w+\) waits for a slot in pool default; it starts by itself when one frees/);
    assert.equal(second.stdout, 'second in line\n');
    const status = await cli(home, ['pools', 'status']);
    assert.match(status.stdout, /^POOL\s+RUNNING\s+WAITING\s+ADMITTED\s+QUEUED\s+REJECTED/m);
    assert.match(status.stdout, /^default\s+0\/1\s+0\s+2\s+1\s+0/m);
    const json = JSON.parse((await cli(home, ['pools', 'status', '--format', 'json'])).stdout) as { pools: { name: string; admitted: number }[] };
    assert.equal(json.pools.find((p) => p.name === 'default')?.admitted, 2);
    assert.match((await cli(home, ['pools', 'cleanup'])).stdout, /freed 0 slot\(s\)/);
    assert.equal((await cli(home, ['pools', 'nonsense'])).code, 2);
  });

  it('team run works a task graph in worktrees; team status, dag show and team shutdown from another terminal', async () => {
    const worker = (args: string) => `'${process.execPath}' '${path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs')}' ${args} {prompt}`;
    const repo = tempDir('sb-cli-team-repo-');
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('-c', 'user.name=t', '-c', 'user.email=t@example.invalid', 'commit', '-q', '--allow-empty', '-m', 'start');
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: worker('--sleep 100') } } }));
    const tasks = path.join(home, 'tasks.json');
    fs.writeFileSync(tasks, JSON.stringify([{ title: 'first' }, { title: 'second', dependsOn: ['T1'] }]));
    const bad = await cli(home, ['team', 'run', '2:wizard', 'x', '--cwd', repo]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /there is no role "wizard".*Accepted forms: N:role or N:role:runner/s);
    const done = await cli(home, ['team', 'run', '2:executor:custom', 'build it', '--name', 'alpha', '--tasks', tasks, '--cwd', repo]);
    assert.equal(done.code, 0, done.stderr);
    assert.match(done.stdout, /team alpha: done — build it/);
    assert.match(done.stdout, /executor-1\s+executor\s+custom\s+switchboard\/alpha\/executor-1/);
    const status = JSON.parse((await cli(home, ['team', 'status', 'alpha', '--format', 'json'])).stdout);
    assert.deepEqual([status.team.status, status.counts, status.owned], ['done', { done: 2 }, true]);
    assert.match((await cli(home, ['team', 'status', 'alpha'])).stdout, /tasks: 2 done\nspend: \$0\.0000, 0 tokens in, 0 out, over 2 run\(s\)/);
    assert.match((await cli(home, ['team', 'list'])).stdout, /TEAM +STATUS +WORKERS +TASKS +TASK\nalpha +done +2 +2 done +build it/);
    assert.match((await cli(home, ['dag', 'show', 'alpha'])).stdout, /layer 1 +\*✓ T2 +second +after T1/);

    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ version: 1, runners: { custom: { command: worker('--sleep 30000') } } }));
    const background = spawn(process.execPath, [CLI, 'team', 'run', '1:executor:custom', 'slow', '--name', 'slow', '--cwd', repo], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => background.once('exit', resolve));
    await waitFor(async () => /running/.test((await cli(home, ['list', '--status', 'running'])).stdout), 20_000);
    const stopped = await cli(home, ['team', 'shutdown', 'slow', '--force']);
    assert.match(stopped.stdout, /team slow is interrupted/);
    assert.equal(await exited, 1);
    const left = (await cli(home, ['list', '--status', 'running'])).stdout;
    assert.equal(left.includes('custom'), false, left);
  });

  it('runs a custom command in the foreground, streams its output and exits with its outcome', async () => {
    const ok = await cli(home, ['run', 'custom', 'printed by the agent', '--command', fakeCommand()]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, 'printed by the agent\n');
    assert.match(ok.stderr, /started custom-1 .*\n.*custom-1 .* done/s);
    const failed = await cli(home, ['run', 'custom', 'x', '--command', fakeCommand('--exit', '4')]);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /failed .*exited with code 4/);
  });

  it('a prompt of - is read from stdin: one longer than a command line takes reaches the agent whole', async () => {
    fs.writeFileSync(path.join(home, 'config.json'), JSON.stringify({ runners: { claude: { binary: fakeClaude(0) } } }));
    // Over the 128 KiB Linux allows one argument: it could not be given as the prompt's argument at all.
    const prompt = `${'a long task, '.repeat(20_000)}the end`;
    const child = spawn(process.execPath, [CLI, 'run', 'claude', '-', '--name', 'piped', '--format', 'json'], { env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(prompt);
    assert.equal(await new Promise((resolve) => child.on('close', resolve)), 0, stderr);
    const run = JSON.parse(stdout) as RunRecord;
    // The record keeps the start of a long prompt and says where the whole one is.
    assert.ok(fs.readFileSync(path.join(home, 'runs', run.id, 'prompt.txt'), 'utf8') === prompt, 'the whole prompt is kept');
    assert.ok(run.resultText === `done: ${prompt}`, 'the agent had the whole prompt');
    const empty = await cli(home, ['run', 'claude', '-']);
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /The prompt is empty/);
  });

  /** Runs a command in `ws`, sends it `signal` once `ready` says so, and returns what it did. */
  const signalled = async (ws: string, signal: NodeJS.Signals, args: string[], ready: (stderr: string) => boolean): Promise<Result> => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ws, env: { ...process.env, SWITCHBOARD_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const closed = new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? -1)));
    await waitFor(async () => ready(stderr), 20_000);
    child.kill(signal);
    return { code: await closed, stdout, stderr };
  };

  it('SIGTERM stops a foreground run and a gates run as Ctrl-C does (exit 143): nothing they started goes on', async () => {
    const ws = tempDir('sb-cli-term-');
    const pidFile = path.join(ws, 'gate.pid');
    fs.writeFileSync(path.join(ws, 'slow-gate.js'), 'require("fs").writeFileSync(process.argv[2], String(process.pid)); setTimeout(() => {}, 60_000);');
    const run = await signalled(ws, 'SIGTERM', ['run', 'custom', 'x', '--name', 'termed', '--command', fakeCommand('--sleep', '60000')], (said) => /started termed/.test(said));
    assert.equal(run.code, 143, run.stderr);
    assert.match(run.stderr, /stopping termed…\n.*termed .* killed .*killed by cli \(SIGTERM\)/s);
    const record = JSON.parse((await cli(home, ['status', 'termed', '--format', 'json'])).stdout) as RunRecord;
    assert.equal(record.status, 'killed');
    assert.deepEqual(processesMarked(RUN_ID_ENV, record.id), [], 'the agent was stopped with the CLI');
    const gate = await signalled(ws, 'SIGTERM', ['gates', 'run', '--gate', `slow=${process.execPath} slow-gate.js ${pidFile}`], () => fs.existsSync(pidFile) && fs.readFileSync(pidFile, 'utf8') !== '');
    assert.equal(gate.code, 143, gate.stderr);
    assert.match(gate.stdout, /FAIL {2}slow: failed\n.*cancelled; its processes were killed/s);
    assert.equal(pidAlive(Number(fs.readFileSync(pidFile, 'utf8'))), false, 'the gate command was killed with the CLI');
  });

  it('a closed terminal (SIGHUP) stops a foreground run as Ctrl-C does (exit 129): its agent does not go on unwatched', async () => {
    const run = await signalled(tempDir('sb-cli-hup-'), 'SIGHUP', ['run', 'custom', 'x', '--name', 'hungup', '--command', fakeCommand('--sleep', '60000')], (said) => /started hungup/.test(said));
    assert.equal(run.code, 129, run.stderr);
    const record = JSON.parse((await cli(home, ['status', 'hungup', '--format', 'json'])).stdout) as RunRecord;
    assert.equal(record.status, 'killed');
    assert.equal(record.lastError, 'killed by cli (its terminal closed)');
    assert.deepEqual(processesMarked(RUN_ID_ENV, record.id), [], 'the agent was stopped with the CLI');
  });

  it('a timeout longer than a Node timer holds (24.8 days) is waited for, not taken as up at once', async () => {
    const run = await cli(home, ['run', 'custom', 'x', '--name', 'patient', '--timeout', '99999h', '--detach', '--command', fakeCommand('--sleep', '1500')]);
    assert.equal(run.code, 0, run.stderr);
    const waited = await cli(home, ['wait', 'patient', '--timeout', '9999999']);
    assert.deepEqual([waited.code, waited.stderr], [0, ''], waited.stdout);
    assert.match(waited.stdout, /patient .* done/);
    const gates = await cli(home, ['gates', 'run', '--gate', `pause=${process.execPath} -e "setTimeout(() => {}, 300)"`, '--timeout', '9999999', '--gate-timeout', 'pause=99999h']);
    assert.deepEqual([gates.code, gates.stderr], [0, ''], gates.stdout);
  });

  it('lists, shows and waits in tables and JSON; wait exits 3 on a timeout and 0 when done', async () => {
    const started = await cli(home, ['run', 'custom', 'slow', '--detach', '--name', 'slowpoke', '--command', fakeCommand('--sleep', '5000')]);
    assert.equal(started.code, 0);
    assert.match(started.stdout, /slowpoke\s+pid \d+/);
    assert.equal((await cli(home, ['wait', 'slowpoke', '--timeout', '0.2'])).code, 3);
    const list = await cli(home, ['list']);
    assert.match(list.stdout, /^ID\s+NAME\s+RUNNER\s+STATUS/m);
    assert.match(list.stdout, /slowpoke\s+custom\s+running/);
    const json = JSON.parse((await cli(home, ['list', '--format', 'json'])).stdout) as { version: number; runs: RunRecord[] };
    assert.equal(json.version, 1);
    assert.equal(json.runs[0]?.name, 'slowpoke');
    const waited = await cli(home, ['wait', 'slowpoke']);
    assert.equal(waited.code, 0);
    assert.match(waited.stdout, /slowpoke .* done/);
    const status = await cli(home, ['status', 'slowpoke']);
    assert.match(status.stdout, /status:\s+done/);
    assert.match(status.stdout, /--- output tail ---\nslow\n/);
    const again = await cli(home, ['kill', 'slowpoke']);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /had already finished \(done\); nothing to kill/);
    // The fields kill_agent answers: which run, then what the kill did.
    const killed = JSON.parse((await cli(home, ['kill', 'slowpoke', '--format', 'json'])).stdout) as Record<string, unknown>;
    assert.deepEqual([killed.id, killed.name, killed.killed, killed.status], [json.runs[0]?.id, 'slowpoke', false, 'done']);
    const stopper = JSON.parse((await cli(home, ['run', 'custom', 'x', '--detach', '--name', 'stopper', '--format', 'json', '--command', fakeCommand('--sleep', '20000')])).stdout) as RunRecord;
    const interrupted = JSON.parse((await cli(home, ['interrupt', 'stopper', '--format', 'json'])).stdout) as Record<string, unknown>;
    assert.deepEqual(interrupted, { id: stopper.id, name: 'stopper', delivered: 'signal' });
  });

  it('gives a clear message and a non-zero exit for every kind of bad input', async () => {
    const paths = new StateMap(home);
    for (const id of ['abc11111', 'abc22222']) {
      fs.mkdirSync(paths.run(id).dir, { recursive: true });
      writeRecord(paths.run(id), finishedRecord(id, `n-${id}`));
    }
    const cases: [string[], number, RegExp][] = [
      [['run', 'nope', 'hi'], 1, /Unknown runner "nope"\. Choose one of: claude, codex, gemini, qwen, opencode, kilo, copilot, cline, custom/],
      [['run', 'claude', 'hi'], 1, /Claude Code is not installed: "claude" was not found \(looked in \/nowhere\)/],
      [['run', 'custom', '', '--command', 'echo'], 1, /The prompt is empty/],
      [['run', 'custom', 'hi', '--command', 'echo', '--cwd', '/no/such/dir'], 1, /The folder \/no\/such\/dir does not exist/],
      [['run', 'custom', 'hi'], 1, /needs a command template/],
      [['status', 'zzz'], 1, /No run is called "zzz"/],
      [['status', 'abc'], 1, /"abc" matches 2 runs: abc11111 \(n-abc11111, done\), abc22222 \(n-abc22222, done\)/],
      [['steer', 'abc11111', 'go'], 1, /is done, not running/],
      [['wait', 'abc11111', '--timeout', 'soon'], 2, /--timeout must be a number/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['list', '--format', 'xml'], 2, /--format must be table \(or text\), json or md, not "xml"/],
      [['kill'], 2, /usage: switchboard kill/],
      // A run's name is typed back as one word, as run_agent's `name` is checked.
      [['run', 'custom', 'hi', '--command', 'echo', '--name', 'two words'], 2, /--name must be 1-64 letters, digits, "\.", "_" or "-", starting with a letter or digit, not "two words"/],
      [['run', 'custom', 'hi', '--command', 'echo', '--name', ''], 2, /--name must be 1-64 letters.*, not ""/],
      [['run', 'custom', 'hi', '--command', 'echo', '--name', 'n'.repeat(65)], 2, /--name must be 1-64 letters/],
      [['list', '--runner', 'claud'], 2, /--runner must be one of claude, codex, gemini, qwen, opencode, kilo, copilot, cline, custom/],
    ];
    for (const [args, code, message] of cases) {
      const result = await cli(home, args, { PATH: `/nowhere` });
      assert.equal(result.code, code, `${args.join(' ')} -> ${result.code}: ${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
    }
    const twice = await cli(home, ['run', 'claude', 'hi'], { PATH: '/nowhere:/elsewhere:/nowhere' });
    assert.match(twice.stderr, /was not found \(looked in \/nowhere, \/elsewhere\)\./, 'each folder of PATH once');
    assert.equal((await cli(home, ['list'])).stdout.split('\n').length, 4, 'the refused runs were not started');
    const none = await cli(home, ['list', '--status', 'running', '--runner', 'custom']);
    assert.equal(none.code, 0);
    assert.equal(none.stdout, 'No run has status running and runner custom (of 2; switchboard list shows them all)\n');
    const json = await cli(home, ['status', 'abc', '--format', 'json']);
    const error = JSON.parse(json.stdout).error;
    assert.equal(error.code, 'ambiguous_run');
    assert.deepEqual(error.details.candidates.map((c: { id: string }) => c.id).sort(), ['abc11111', 'abc22222']);
  });

  it('says so when the state directory cannot be written, and when config.json is corrupt', async () => {
    const file = path.join(tempDir(), 'a-file');
    fs.writeFileSync(file, '');
    const unwritable = await cli(path.join(file, 'state'), ['list']);
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /The state directory .* cannot be written \(ENOTDIR\)\. .*SWITCHBOARD_HOME/);
    fs.writeFileSync(path.join(home, 'config.json'), '{ nope');
    const corrupt = await cli(home, ['list']);
    assert.equal(corrupt.code, 0);
    assert.match(corrupt.stderr, /config\.json was unreadable .* set aside as .*config\.json\.corrupt-/);
    assert.equal(fs.readdirSync(home).filter((f) => f.startsWith('config.json.corrupt-')).length, 1);
  });

  describe('with a real Claude Code against the scripted provider', () => {
    let offline: OfflineCli;
    afterEach(async () => offline?.provider.close());

    it('runs detached, streams, steers, waits and kills from separate CLI processes', async () => {
      const work = tempDir('sb-cli-work-');
      offline = await offlineCli('claude', tempDir('sb-cli-claude-'), (r) => {
        if (r.lastUserText.includes('banana')) return { kind: 'text', text: 'steered: banana' };
        if (r.lastUserText.includes('forever')) return { kind: 'shell', command: 'sleep 20' };
        return r.afterToolResult ? { kind: 'text', text: 'nap over' } : { kind: 'shell', command: 'sleep 3' };
      });
      fs.writeFileSync(path.join(home, 'config.json'), realClaudeConfigFile());
      const env = offline.env;
      const started = await cli(home, ['run', 'claude', 'Take a nap', '--detach', '--name', 'napper', '--cwd', work, '--format', 'json'], env);
      assert.equal(started.code, 0, started.stderr);
      const followed = cli(home, ['logs', 'napper', '--follow'], env);
      await waitFor(async () => /→ Bash sleep 3/.test((await cli(home, ['logs', 'napper'], env)).stdout));
      const steered = await cli(home, ['steer', 'napper', 'also say banana'], env);
      assert.equal(steered.code, 0, steered.stderr);
      assert.match(steered.stdout, /delivered live/);
      const waited = await cli(home, ['wait', 'napper', '--format', 'json'], env);
      const run = JSON.parse(waited.stdout).run as RunRecord;
      assert.equal(run.status, 'done', run.lastError);
      assert.equal(run.usage.usdSource, 'reported');
      const logs = await followed;
      assert.match(logs.stdout, /→ Bash sleep 3/);
      assert.match(logs.stdout, /» steered by cli \(live\): also say banana/);
      assert.match(logs.stdout, /steered: banana/);

      const forever = await cli(home, ['run', 'claude', 'Sleep forever', '--detach', '--name', 'sleeper', '--cwd', work], env);
      assert.equal(forever.code, 0, forever.stderr);
      await waitFor(async () => /→ Bash sleep 20/.test((await cli(home, ['logs', 'sleeper'], env)).stdout));
      const killed = await cli(home, ['kill', 'sleeper'], env);
      assert.match(killed.stdout, /killed sleeper \(pid \d+\) and its process tree/);
      assert.match((await cli(home, ['status', 'sleeper'], env)).stdout, /status:\s+killed/);
    });
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 200));
  }
}
