/**
 * The supervisor host leaves once it has nothing to watch, also after a launch it could not do. A
 * registry opened for a run that starts at once (`launchSoon`, `switchboard run`) starts (or finds)
 * its host while it opens; one opened without does not start one. The CLI looks for a run's host
 * as it starts, and only for a command line that starts a run; the bin starts a cold one before it
 * loads the CLI's bundle. In a state folder whose path is too long for a socket, its runs still
 * share one host: its socket is made in /tmp and a file in hosts/ stands in for it; a socket there that
 * another user made is never talked to.
 */
import * as assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { SwitchboardError } from '../../src/core/errors';
import { mergeConfig } from '../../src/core/config';
import { ControlClient } from '../../src/core/registry/controlClient';
import { hostPrefix } from '../../src/core/registry/hostSockets';
import { openRuns } from '../../src/core/runsOnly';
import { socketPath, StateMap } from '../../src/core/state/stateMap';
import { runCli } from '../support/cliChild';
import { DIST, ensureBuilt, fakeCommand, killEverything, pidAlive, SUPERVISOR, supervisorHostPids, tempDir, until } from '../support/harness';

describe('supervisor host', function () {
  this.timeout(30_000);
  before(() => ensureBuilt());

  it('refuses a launch whose run has no plan, and still leaves when idle', async () => {
    const stateDir = tempDir('sb-host-');
    const socket = path.join(stateDir, 'host.sock');
    const host = spawn(process.execPath, [SUPERVISOR, '--host', socket], { env: { ...process.env, SWITCHBOARD_HOST_IDLE_MS: '1000' }, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => host.stdout.once('data', () => resolve()));
      const client = await ControlClient.connect(socket);
      await assert.rejects(client.request({ op: 'launch', stateDir, runId: 'nothing', env: {} }), (e: SwitchboardError) => /another supervisor host took this run/.test(e.message));
      client.close();
      await until(() => !pidAlive(host.pid!), 10_000, 'the idle host to exit');
    } finally {
      host.kill('SIGKILL');
    }
  });

  it('is started while a registry for a run to come opens, and that run goes to it; a registry without launchSoon starts none', async () => {
    const stateDir = tempDir('sb-host-soon-');
    const options = { stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR };
    try {
      const reading = await openRuns(options);
      await new Promise((r) => setTimeout(r, 1500));
      assert.deepEqual(supervisorHostPids(stateDir), [], 'a registry opened to read runs starts no host');
      reading.runs.dispose();
      reading.feed.dispose();
      const { runs, feed } = await openRuns({ ...options, launchSoon: true });
      try {
        await until(() => supervisorHostPids(stateDir).length === 1, 10_000, 'the host started while the registry opened');
        const [host] = supervisorHostPids(stateDir);
        const run = await runs.run({ runner: 'custom', prompt: 'soon', cwd: stateDir, command: fakeCommand('--lines', '1') });
        assert.ok(run.agent?.pid, 'the run started');
        assert.deepEqual(supervisorHostPids(stateDir), [host], 'the run went to the host started early');
      } finally {
        runs.dispose();
        feed.dispose();
      }
    } finally {
      await killEverything(stateDir);
    }
  });

  it('the CLI starts a run\'s host as it starts, and none for help, other commands or arguments run refuses; a folder it cannot use is told', async () => {
    const stateDir = tempDir('sb-host-cli-');
    try {
      const cases: [string[], number][] = [
        [['run', '--help'], 0],
        [['--format', 'json', 'run', 'custom', 'x', '-h'], 0],
        [['run'], 2],
        [['run', 'custom'], 2],
        [['run', 'custom', 'x', '--frob'], 2],
        [['--format', 'yaml', 'run', 'custom', 'x'], 2],
        [['run', 'custom', 'x', '--max-usd', 'lots'], 1],
        [['list'], 0],
        [['status', 'x'], 1],
      ];
      for (const [args, code] of cases) assert.equal((await runCli(stateDir, args)).code, code, args.join(' '));
      await new Promise((r) => setTimeout(r, 1000));
      assert.deepEqual(supervisorHostPids(stateDir), [], 'no command line above starts a host');
      const run = await runCli(stateDir, ['--format', 'json', 'run', 'custom', 'early', '--detach', '--command', fakeCommand('--lines', '1')]);
      assert.equal(run.code, 0, run.stderr);
      assert.equal(supervisorHostPids(stateDir).length, 1, 'the run went to the one host it started');
      const file = path.join(stateDir, 'a-file');
      fs.writeFileSync(file, '');
      const unusable = await runCli(path.join(file, 'state'), ['run', 'custom', 'x', '--detach', '--command', 'true']);
      assert.equal(unusable.code, 1);
      assert.match(unusable.stderr, /The state directory .* cannot be written \(ENOTDIR\)\. .*SWITCHBOARD_HOME/);
    } finally {
      await killEverything(stateDir);
    }
  });

  it('the bin starts a cold run\'s host before it loads the CLI\'s bundle, and none where a host of its build is there', async () => {
    const stateDir = tempDir('sb-host-bin-');
    // A copy of the build whose CLI bundle says how many hosts of the folder are up as it starts, then waits (5 s at most) for the host to be ready.
    const dist = tempDir('sb-host-bin-dist-');
    for (const file of ['cli.js', 'coldHost.js', 'supervisor.js', 'supervisorBundle.js']) fs.copyFileSync(path.join(DIST, file), path.join(dist, file));
    const hosts = new StateMap(stateDir).hosts;
    fs.writeFileSync(
      path.join(dist, 'cliBundle.js'),
      `const fs = require('node:fs');
      const up = fs.readdirSync('/proc').filter((p) => { try { return /^\\d+$/.test(p) && fs.readFileSync('/proc/' + p + '/cmdline', 'utf8').includes(${JSON.stringify(hosts)}); } catch { return false; } });
      process.stdout.write(String(up.length));
      const ready = () => fs.existsSync(${JSON.stringify(hosts)}) && fs.readdirSync(${JSON.stringify(hosts)}).some((n) => n.endsWith('.sock'));
      const timer = setInterval(() => ready() && (clearInterval(timer), setTimeout(() => process.exit(0), 200)), 20);
      setTimeout(() => process.exit(0), 5000);`,
    );
    const hostsAsBundleStarts = (): Promise<string> =>
      new Promise((resolve, reject) =>
        execFile(process.execPath, [path.join(dist, 'cli.js'), 'run', 'custom', 'x', '--detach', '--command', 'true'], { env: { ...process.env, SWITCHBOARD_HOME: stateDir, SWITCHBOARD_CODE_CACHE: 'off' }, timeout: 20_000 }, (error, stdout) =>
          error ? reject(error) : resolve(stdout),
        ),
      );
    try {
      assert.equal(await hostsAsBundleStarts(), '1', 'a host was started before the bundle ran');
      const [host] = supervisorHostPids(stateDir);
      assert.equal(await hostsAsBundleStarts(), '1', 'the live host was left to the bundle to find');
      assert.deepEqual(supervisorHostPids(stateDir), [host], 'no second host');
    } finally {
      for (const pid of supervisorHostPids(stateDir)) process.kill(pid, 'SIGKILL');
    }
  });

  it('starts without NODE_EXTRA_CA_CERTS (a host makes no TLS connection, and parsing the bundle slows its start); its agents still get it', async () => {
    const stateDir = tempDir('sb-host-env-');
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: path.join(stateDir, 'extra-ca.pem') };
    const { runs, feed } = await openRuns({ stateDir, config: mergeConfig({}), supervisorScript: SUPERVISOR, env, launchSoon: true });
    try {
      const run = await runs.run({ runner: 'custom', prompt: 'certs', cwd: stateDir, command: `sh -c 'echo "certs=$NODE_EXTRA_CA_CERTS"'` });
      const [host] = supervisorHostPids(stateDir);
      const hostEnv = fs.readFileSync(`/proc/${host}/environ`, 'utf8').split('\0');
      assert.ok(hostEnv.some((v) => v.startsWith('SWITCHBOARD_') || v.startsWith('PATH=')), 'the host environment was read');
      assert.ok(!hostEnv.some((v) => v.startsWith('NODE_EXTRA_CA_CERTS=')), 'the host has no NODE_EXTRA_CA_CERTS');
      await runs.wait(run.id);
      assert.match(runs.tail(run.id), new RegExp(`certs=${env.NODE_EXTRA_CA_CERTS.replace(/[.]/g, '\\.')}`));
    } finally {
      runs.dispose();
      feed.dispose();
      await killEverything(stateDir);
    }
  });

  it('in a state folder whose path is too long for a socket, runs share one host (a file in hosts/ stands in for its socket), which leaves and takes it away', async () => {
    const stateDir = path.join(tempDir('sb-host-long-'), 'a-state-folder-with-a-long-name'.repeat(3));
    const env = { SWITCHBOARD_HOST_IDLE_MS: '500' };
    const hosts = new Set<number>();
    for (const name of ['one', 'two', 'three']) {
      const started = await runCli(stateDir, ['run', 'custom', name, '--detach', '--format', 'json', '--command', fakeCommand('--sleep', '1500')], env);
      assert.equal(started.code, 0, started.stderr);
      hosts.add((JSON.parse(started.stdout) as { supervisor: { pid: number } }).supervisor.pid);
    }
    assert.equal(hosts.size, 1, `one host, not ${hosts.size}`);
    assert.equal(supervisorHostPids(stateDir).length, 1);
    const [host] = [...hosts];
    await until(() => !pidAlive(host!), 15_000, 'the idle host to leave');
    assert.deepEqual(fs.readdirSync(new StateMap(stateDir).hosts).filter((n) => n.endsWith('.sock')), []);
  });

  it('a socket another user made where a host of the folder had its own is never talked to: the run starts a host of its own', async function () {
    const stateDir = path.join(tempDir('sb-host-foreign-'), 'a-state-folder-with-a-long-name'.repeat(3));
    const entry = new StateMap(stateDir).hostEntry(`${hostPrefix(SUPERVISOR)}1-0badcafe`);
    const socket = socketPath(entry);
    assert.notEqual(socket, entry, 'the socket is in /tmp, where other users make files too');
    let connections = 0;
    const stranger = net.createServer((c) => (connections++, c.destroy()));
    await new Promise<void>((resolve) => stranger.listen(socket, resolve));
    try {
      try {
        fs.chownSync(socket, 65534, 65534);
      } catch {
        return this.skip(); // Only root can make a socket another user's.
      }
      fs.mkdirSync(path.dirname(entry), { recursive: true, mode: 0o700 });
      fs.writeFileSync(entry, '', { mode: 0o600 });
      const started = await runCli(stateDir, ['run', 'custom', 'mine', '--detach', '--format', 'json', '--command', fakeCommand('--lines', '1')], { SWITCHBOARD_HOST_IDLE_MS: '500' });
      assert.equal(started.code, 0, started.stderr);
      assert.equal(connections, 0, 'nothing connected to the stranger\'s socket');
      assert.equal(fs.existsSync(entry), false, 'the entry of the host that is gone was taken away');
    } finally {
      stranger.close();
      fs.rmSync(socket, { force: true });
      await killEverything(stateDir);
    }
  });
});
