/**
 * A Docker engine reached over ssh (`docker:<context>` whose endpoint is ssh://root@127.0.0.1:<port>),
 * as the docker CLI reaches one: each request through `ssh … docker system dial-stdio` to a real sshd
 * on a loopback port (test/support/sshd.ts; its keys and known_hosts in a temp dir). A containerised
 * scripted agent's output arrives whole through the attach stream, one that steers on stdin is steered
 * through it, a kill leaves no container, a run whose supervisor host is killed with -9 is taken over
 * through ssh (its log followed), and sshd's log shows the requests came through it. The requests of
 * one target and key share one login (ssh connection sharing): a run logs in once, Doctor's three
 * requests once, another key logs in apart; the shared connection takes no new sessions once disposed,
 * and ends. The Docker context lives in a DOCKER_CONFIG of the test's, so the user's contexts are
 * untouched. Skipped, with the reason, where docker or sshd cannot run.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createHarness, FAKE_AGENT, removeTempDirs, supervisorHostPids, tempDir, until, type Harness } from '../support/harness';
import { containersOf, dockerSetup, removeContainersOf, testContainers } from '../support/docker';
import { sshdMissing, startSshd, type TestSshd } from '../support/sshd';
import { StateMap } from '../../src/core/state/stateMap';
import { checkEngine, checkEngines } from '../../src/core/containers/engineCheck';
import { DEFAULT_CONTAINERS } from '../../src/core/containers/containerPlan';
import { controlPath, parseSshHost, shareDir, stopShared, stopSharedSsh, type SshTarget } from '../../src/core/containers/sshDial';

/** The ssh processes holding a shared connection at `socket` (its master shows it in its title). */
function mastersAt(socket: string): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).flatMap((pid) => {
    try {
      return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(socket) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}

describe('docker backend over ssh://', function () {
  this.timeout(180_000);
  let sshd: TestSshd;
  let h: Harness | undefined;
  let work: string;
  let target: SshTarget;
  let socket: string;
  const context = `sb-ssh-${process.pid}`;
  const savedDockerConfig = process.env.DOCKER_CONFIG;

  before(async function () {
    if (!dockerSetup().ok) this.skip();
    const missing = sshdMissing();
    if (missing) {
      console.log(`    (skipped: ${missing})`);
      this.skip();
    }
    sshd = await startSshd();
    process.env.DOCKER_CONFIG = tempDir('sb-docker-config-');
    execFileSync('docker', ['context', 'create', context, '--docker', `host=ssh://root@127.0.0.1:${sshd.port}`], { stdio: 'ignore' });
    target = parseSshHost(`ssh://root@127.0.0.1:${sshd.port}`, sshd.sshArgs);
    socket = controlPath(target, shareDir()!);
  });
  after(async () => {
    // The shared connection the supervisor hosts left (they were killed, not disposed) ends with the test.
    if (target) await stopShared(target, 'exit');
    if (savedDockerConfig === undefined) delete process.env.DOCKER_CONFIG;
    else process.env.DOCKER_CONFIG = savedDockerConfig;
    await sshd?.stop();
    await removeTempDirs();
  });
  beforeEach(async () => {
    h = await createHarness({ killGraceMs: 1000, containers: testContainers({ sshArgs: sshd.sshArgs }) });
    work = tempDir('sb-docker-ssh-work-');
    fs.copyFileSync(FAKE_AGENT, path.join(work, 'fakeAgent.mjs'));
  });
  afterEach(async () => {
    await h?.cleanup();
    if (h) await removeContainersOf(h.stateDir);
  });

  const fake = (...args: string[]): string => ['node', path.join(work, 'fakeAgent.mjs'), ...args, '--text', '{prompt}'].join(' ');
  const output = (id: string): string => fs.readFileSync(new StateMap(h!.stateDir).run(id).output, 'utf8');

  it('Doctor\'s engine check reaches the engine through ssh, its requests on one login that ends once disposed; a key the server does not know is refused with ssh\'s reason', async () => {
    await stopShared(target, 'exit');
    const endpoint = `ssh://root@127.0.0.1:${sshd.port}`;
    const before = sshd.logins();
    const engine = await checkEngine(endpoint, dockerSetup().image!, sshd.sshArgs);
    assert.equal(engine.problem, undefined);
    assert.match(engine.version ?? '', /^\d+\.\d+/);
    // Three requests (version, image, info), one login.
    assert.equal(sshd.logins() - before, 1, 'one login for the three requests');
    assert.ok(fs.existsSync(socket), 'the shared connection\'s socket is in the private folder');
    assert.equal(fs.statSync(shareDir()!).mode & 0o777, 0o700);
    // Doctor's view of the context, through the same connection.
    const [, viaContext] = await checkEngines({ ...DEFAULT_CONTAINERS, image: dockerSetup().image!, sshArgs: sshd.sshArgs, contexts: [context] }, [], process.env);
    assert.deepEqual({ backend: viaContext?.backend, endpoint: viaContext?.endpoint, present: viaContext?.imagePresent }, { backend: `docker:${context}`, endpoint, present: true });
    assert.equal(sshd.logins() - before, 1);
    await stopSharedSsh();
    await until(() => !fs.existsSync(socket) && mastersAt(socket).length === 0, 10_000, 'the shared connection to end');
    const stranger = path.join(tempDir('sb-ssh-stranger-'), 'key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', stranger]);
    const refused = await checkEngine(endpoint, dockerSetup().image!, sshd.sshArgs.map((arg) => (arg.endsWith('client_key') ? stranger : arg)));
    assert.match(refused.problem ?? '', /does not answer: ssh to root@127\.0\.0\.1:\d+ failed \(exit 255\): .*Permission denied/s);
    assert.match(refused.hint ?? '', /ssh <host> docker version/);
  });

  it('runs a scripted agent in a container through docker:<ssh context>, on one login: its output whole, its record naming the ssh endpoint', async () => {
    await stopShared(target, 'exit');
    const before = sshd.logins();
    const run = await h!.registry.run({ runner: 'custom', prompt: 'the end', cwd: work, command: fake('--lines', '5', '--every', '100'), backend: `docker:${context}` });
    assert.deepEqual({ backend: run.container?.backend, endpoint: run.container?.endpoint }, { backend: `docker:${context}`, endpoint: `ssh://root@127.0.0.1:${sshd.port}` });
    const { record } = await h!.registry.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.match(record.container?.id ?? '', /^[0-9a-f]{64}$/);
    assert.equal(output(run.id), Array.from({ length: 5 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'the end\n');
    assert.equal(record.pool, `docker:${context}`);
    // An ssh:// engine gets the worktree copied (containers.copyWorktree auto), over the same login.
    assert.match(record.container?.copyBack ?? '', /^worktree copied back from volume sb-\w+-worktree: 0 written or changed, 0 deleted$/);
    // create, attach, start, wait, inspect, remove: each its own ssh session, all on one login.
    assert.equal(sshd.logins() - before, 1);
    assert.ok(fs.existsSync(socket));
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });

  it('kills a container run over ssh after the grace time and leaves no container', async () => {
    const run = await h!.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake('--ignore-term', '--lines', '1', '--sleep', '60000'), backend: `docker:${context}` });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && output(run.id).length > 0, 60_000, 'the agent to start');
    assert.equal((await containersOf(h!.stateDir)).length, 1);
    const result = await h!.registry.kill(run.id, { source: 'test' });
    assert.equal(result.status, 'killed');
    assert.equal(h!.registry.resolve(run.id)!.status, 'killed');
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });

  it('steers a stdin-driven agent through the attached stdin over ssh', async () => {
    const bin = path.join(work, 'fakeAgent.mjs');
    fs.chmodSync(bin, 0o755);
    const boxed = await h!.open({ runners: { claude: { binary: bin } } });
    const run = await boxed.run({ runner: 'claude', prompt: 'first', cwd: work, backend: `docker:${context}`, env: { FAKE_AGENT_ARGS: JSON.stringify(['--format', 'claude', '--stdin', '--sleep', '1500']) } });
    const said = (text: string) => () => boxed.events(run.id).some((e) => e.type === 'text' && e.text === text);
    await until(said('ack: first'), 60_000, 'the first turn');
    assert.deepEqual(await boxed.steer(run.id, 'second', 'test'), { delivery: 'live' });
    await until(said('ack: second'), 60_000, 'the steered turn');
    await boxed.kill(run.id, { source: 'test' });
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });

  it('takes a run over through ssh after its supervisor host is killed with -9: output whole', async () => {
    const run = await h!.registry.run({ runner: 'custom', prompt: 'the end', cwd: work, command: fake('--lines', '20', '--every', '200'), backend: `docker:${context}` });
    await until(() => fs.existsSync(new StateMap(h!.stateDir).run(run.id).output) && output(run.id).length > 0, 60_000, 'the first output');
    for (const pid of supervisorHostPids(h!.stateDir)) process.kill(pid, 'SIGKILL');
    h!.switchboard.dispose();
    // The connection the dead host shared outlives it; ended here, the new supervisor must log in itself.
    await stopShared(target, 'exit');
    const before = sshd.logins();
    const again = await h!.open();
    const { record } = await again.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(output(run.id), Array.from({ length: 20 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'the end\n');
    assert.ok(sshd.logins() > before, 'the new supervisor reached the engine through ssh');
    assert.deepEqual(await containersOf(h!.stateDir), []);
  });
});
