/**
 * Agents in containers (`--backend docker`) on the real local engine, the image built by
 * scripts/setupDocker.mjs: output byte-exact in the run's output log, a kill that leaves no
 * container, a run taken over after its supervisor host was killed with -9, and a container removed
 * behind Switchboard's back turning the run orphaned. Skipped, with the reason, where docker cannot run.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, createHarness, FAKE_AGENT, removeTempDirs, supervisorHostPids, tempDir, until, type Harness } from '../support/harness';
import { containersOf, docker, dockerSetup, removeContainersOf, testContainers } from '../support/docker';
import { readIndex } from '../../src/core/runs/outputLog';
import { StateMap } from '../../src/core/state/stateMap';
import { readRecord, writeRecord } from '../../src/core/runs/recordFile';
import { execFileSync } from 'node:child_process';

/** A script that writes every byte value, a long line, stderr between, and ends without a newline. */
const BYTES_SCRIPT = `
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
process.stdout.write(Buffer.from(Array.from({ length: 256 }, (_, i) => i)));
process.stdout.write('\\n' + 'x'.repeat(100000) + '\\n');
await sleep(300);
process.stderr.write('to stderr\\n');
await sleep(300);
process.stdout.write('no newline at the end');
`;
const EXPECTED_BYTES = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from('\n' + 'x'.repeat(100000) + '\n'), Buffer.from('to stderr\n'), Buffer.from('no newline at the end')]);

describe('docker backend', function () {
  this.timeout(180_000);
  let h: Harness;
  let work: string;

  before(function () {
    const setup = dockerSetup();
    if (!setup.ok) this.skip();
  });
  beforeEach(async () => {
    h = await createHarness({ killGraceMs: 1000, containers: testContainers() });
    work = tempDir('sb-docker-work-');
    fs.copyFileSync(FAKE_AGENT, path.join(work, 'fakeAgent.mjs'));
    fs.writeFileSync(path.join(work, 'bytes.mjs'), BYTES_SCRIPT);
  });
  afterEach(async () => {
    await h.cleanup();
    await removeContainersOf(h.stateDir);
    await removeTempDirs();
  });

  const fake = (...args: string[]): string => ['node', path.join(work, 'fakeAgent.mjs'), ...args, '--text', '{prompt}'].join(' ');
  const output = (id: string): Buffer => fs.readFileSync(new StateMap(h.stateDir).run(id).output);

  it('runs an agent in a container: every byte in the output log, in order, indexed; the container removed', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'bytes.mjs')}`, backend: 'docker' });
    assert.equal(run.container?.backend, 'docker');
    const { record } = await h.registry.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.match(record.container?.id ?? '', /^[0-9a-f]{64}$/);
    assert.ok(output(run.id).equals(EXPECTED_BYTES), `output differs: ${output(run.id).length} bytes, expected ${EXPECTED_BYTES.length}`);
    const index = readIndex(new StateMap(h.stateDir).run(run.id));
    assert.equal(index.reduce((sum, [, length]) => sum + length, 0), EXPECTED_BYTES.length);
    assert.equal(record.pool, 'docker');
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('runs in its worktree at the same path, with a home of its own and only the environment it is given', async () => {
    const secretFree = { SB_SHOULD_NOT_PASS: 'host-only' };
    const h2 = await h.openSwitchboard({}, secretFree);
    const script = `const fs = await import('node:fs'); fs.writeFileSync('made-in-container.txt', process.cwd()); console.log(JSON.stringify({ home: process.env.HOME, leaked: process.env.SB_SHOULD_NOT_PASS ?? null, mine: process.env.SB_MINE }));`;
    fs.writeFileSync(path.join(work, 'env.mjs'), script);
    const run = await h2.runs.run({ runner: 'custom', prompt: 'p', cwd: work, command: `node ${path.join(work, 'env.mjs')}`, backend: 'docker', env: { SB_MINE: 'given' } });
    const { record } = await h2.runs.wait(run.id, 60_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(fs.readFileSync(path.join(work, 'made-in-container.txt'), 'utf8'), work);
    assert.deepEqual(JSON.parse(output(run.id).toString()), { home: '/switchboard/home', leaked: null, mine: 'given' });
    assert.ok(fs.statSync(path.join(new StateMap(h.stateDir).run(run.id).dir, 'home')).isDirectory());
  });

  it('kills a container run after the grace time and leaves no container', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake('--ignore-term', '--lines', '1', '--sleep', '60000'), backend: 'docker' });
    // Its signal handlers are in place once it has printed.
    await until(() => fs.existsSync(new StateMap(h.stateDir).run(run.id).output) && output(run.id).length > 0, 30_000, 'the agent to start');
    const started = Date.now();
    const result = await h.registry.kill(run.id, { source: 'test' });
    assert.equal(result.status, 'killed');
    assert.ok(Date.now() - started >= 900, 'the kill waited for the grace time');
    const record = h.registry.resolve(run.id)!;
    assert.equal(record.status, 'killed');
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('takes a container run over after its supervisor host is killed with -9: output whole, exit recorded', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'the end', cwd: work, command: fake('--lines', '30', '--every', '150'), backend: 'docker' });
    const paths = new StateMap(h.stateDir).run(run.id);
    await until(() => fs.existsSync(paths.output) && fs.statSync(paths.output).size > 0, 30_000, 'the first output');
    const hosts = supervisorHostPids(h.stateDir);
    assert.ok(hosts.length > 0);
    for (const pid of hosts) process.kill(pid, 'SIGKILL');
    h.switchboard.dispose();
    // Another process opens the folder: it finds the run's supervisor dead and its container alive.
    const again = await h.open();
    const { record } = await again.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    const expected = Array.from({ length: 30 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'the end\n';
    assert.equal(output(run.id).toString(), expected);
    assert.ok(!supervisorHostPids(h.stateDir).some((pid) => hosts.includes(pid)));
    assert.deepEqual(await containersOf(h.stateDir), []);
    const saved = readRecord(paths);
    assert.equal(saved.kind === 'ok' && saved.value.exitCode, 0);
  });

  it('finds its container by the run\'s labels when the record never got its id (the host died making it)', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'the end', cwd: work, command: fake('--lines', '20', '--every', '150'), backend: 'docker' });
    const paths = new StateMap(h.stateDir).run(run.id);
    await until(() => fs.existsSync(paths.output) && fs.statSync(paths.output).size > 0, 30_000, 'the first output');
    for (const pid of supervisorHostPids(h.stateDir)) process.kill(pid, 'SIGKILL');
    h.switchboard.dispose();
    const saved = readRecord(paths);
    assert.ok(saved.kind === 'ok' && saved.value.container?.id);
    if (saved.kind === 'ok') writeRecord(paths, { ...saved.value, container: { backend: 'docker', endpoint: saved.value.container!.endpoint } });
    const again = await h.open();
    const { record } = await again.wait(run.id, 90_000);
    assert.equal(record.status, 'done', record.lastError);
    assert.equal(record.container?.id, saved.kind === 'ok' ? saved.value.container?.id : '');
    assert.equal(output(run.id).toString(), Array.from({ length: 20 }, (_, i) => `line ${i + 1} of a busy agent\n`).join('') + 'the end\n');
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('steers a stdin-driven agent live through the attached stdin, and interrupts it through its own protocol', async () => {
    // The scripted agent stands in for claude (its shebang finds the image's node), taking stream-json on stdin.
    const bin = path.join(work, 'fakeAgent.mjs');
    fs.chmodSync(bin, 0o755);
    const boxed = await h.open({ runners: { claude: { binary: bin } } });
    const run = await boxed.run({ runner: 'claude', prompt: 'first', cwd: work, backend: 'docker', env: { FAKE_AGENT_ARGS: JSON.stringify(['--format', 'claude', '--stdin', '--sleep', '1500']) } });
    await until(() => boxed.events(run.id).some((e) => e.type === 'text' && e.text === 'ack: first'), 30_000, 'the first turn');
    assert.deepEqual(await boxed.steer(run.id, 'second', 'test'), { delivery: 'live' });
    await until(() => boxed.events(run.id).some((e) => e.type === 'text' && e.text === 'ack: second'), 30_000, 'the steered turn');
    assert.deepEqual(await boxed.interrupt(run.id, 'test'), { delivered: 'protocol' });
    const { record } = await boxed.wait(run.id, 30_000);
    assert.equal(record.status, 'killed');
    assert.match(record.lastError ?? '', /interrupted by test/);
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('a container removed behind its back makes the run orphaned, saying so', async () => {
    const run = await h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake('--sleep', '60000'), backend: 'docker' });
    await until(() => (h.registry.resolve(run.id)?.container?.id ?? '') !== '', 30_000, 'the container to start');
    await docker().call('DELETE', `/containers/${h.registry.resolve(run.id)!.container!.id}?force=1`);
    const { record } = await h.registry.wait(run.id, 30_000);
    assert.equal(record.status, 'orphaned');
    assert.match(record.lastError ?? '', /removed outside Switchboard/);
  });

  it('refuses, saying why and what to do, a file to pass in that the engine\'s machine lacks (a bind would have made an empty folder there)', async () => {
    const missing = path.join(tempDir('sb-docker-missing-'), 'credentials.json');
    await h.cleanup();
    h = await createHarness({ killGraceMs: 1000, containers: testContainers({ files: [missing] }) });
    const said = new RegExp(`cannot mount ${missing.replace(/[.]/g, '\\.')}: it does not exist on the engine's machine.*containers\\.files`);
    await assert.rejects(h.registry.run({ runner: 'custom', prompt: 'p', cwd: work, command: fake(), backend: 'docker' }), said);
    const [record] = h.registry.list();
    assert.equal(record?.status, 'failed');
    assert.match(record?.lastError ?? '', said);
    assert.equal(fs.existsSync(missing), false, 'nothing was made at its path');
    assert.deepEqual(await containersOf(h.stateDir), []);
  });

  it('Doctor reports each engine: the default one and every context the settings name, each reachable or not with why and what to do', () => {
    // The contexts live in a DOCKER_CONFIG of the test's: the user's are untouched.
    const dockerConfig = tempDir('sb-docker-config-');
    const contextEnv = { ...process.env, DOCKER_CONFIG: dockerConfig };
    execFileSync('docker', ['context', 'create', 'sb-here', '--docker', 'host=unix:///var/run/docker.sock'], { stdio: 'ignore', env: contextEnv });
    execFileSync('docker', ['context', 'create', 'sb-nowhere', '--docker', `host=unix://${path.join(work, 'no.sock')}`], { stdio: 'ignore', env: contextEnv });
    type Engine = { backend: string; endpoint: string; version?: string; imagePresent?: boolean; swarm?: string; problem?: string; hint?: string };
    const doctor = (env: NodeJS.ProcessEnv, config: object, format = 'json'): string => {
      fs.writeFileSync(path.join(h.stateDir, 'config.json'), JSON.stringify(config));
      return execFileSync(process.execPath, [CLI, 'doctor', '--format', format], { encoding: 'utf8', env: { ...process.env, SWITCHBOARD_HOME: h.stateDir, DOCKER_CONFIG: dockerConfig, ...env } });
    };
    const engines = (env: NodeJS.ProcessEnv, config: object): Engine[] => (JSON.parse(doctor(env, config)) as { engines: Engine[] }).engines;
    const image = dockerSetup().image!;
    const config = { containers: { image, contexts: ['sb-here', 'sb-nowhere', 'sb-unknown'] }, pools: { 'docker:sb-here': { maxWorkers: 2 } } };
    const report = engines({ DOCKER_HOST: 'unix:///var/run/docker.sock' }, config);
    assert.deepEqual(report.map((e) => e.backend), ['docker', 'docker:sb-here', 'docker:sb-nowhere', 'docker:sb-unknown']);
    const [local, here, nowhere, unknown] = report as [Engine, Engine, Engine, Engine];
    for (const reachable of [local, here]) {
      assert.match(reachable.version ?? '', /^\d+\.\d+/);
      assert.equal(reachable.imagePresent, true);
      assert.ok(['active', 'inactive', 'pending', 'locked', 'error'].includes(reachable.swarm ?? ''));
    }
    assert.equal(here.endpoint, 'unix:///var/run/docker.sock');
    assert.match(nowhere.problem ?? '', /does not answer/);
    assert.match(nowhere.hint ?? '', /Start the Docker daemon/);
    assert.match(unknown.problem ?? '', /no Docker context named sb-unknown/);
    assert.match(unknown.hint ?? '', /docker context create sb-unknown/);
    // The text: one line each.
    const lines = doctor({ DOCKER_HOST: 'unix:///var/run/docker.sock' }, config, 'table').split('\n').filter((line) => line.startsWith('container engine'));
    assert.equal(lines.length, 4);
    assert.match(lines[1]!, /^container engine docker:sb-here \(unix:\/\/\/var\/run\/docker\.sock\): reachable, Docker \d+\.\d+.*present$/);
    assert.match(lines[2]!, /^container engine docker:sb-nowhere \(unix:\/\/.*no\.sock\): not reachable: .*does not answer.* — Start the Docker daemon/);
    // The default engine alone when no context is named; an image it lacks and an engine that does not answer say so.
    assert.match(engines({}, { containers: { image: 'no-such-image:1' } }).map((e) => e.problem).join(), /no-such-image:1 is not there: build it with `npm run docker-image`/);
    const down = engines({ DOCKER_HOST: `unix://${path.join(work, 'no.sock')}` }, { containers: { image } });
    assert.equal(down.length, 1);
    assert.match(down[0]!.problem ?? '', /does not answer/);
  });
});
