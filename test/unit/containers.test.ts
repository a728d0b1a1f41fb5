/** Container runs without an engine: endpoints (ssh:// included) and the ssh argv, the choice of backend Run Agent offers, the engines Doctor checks and its line for each, the home a resumed session starts in, and a long request stopped. */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { DockerApi, parseDockerHost } from '../../src/core/containers/dockerApi';
import { controlPath, dialArgs, shareArgs } from '../../src/core/containers/sshDial';
import { sshArgsFor } from '../../src/core/containers/containerPlan';
import { choicesOf } from '../../src/core/containers/backendChoices';
import { configuredContexts, engineLine } from '../../src/core/containers/engineCheck';
import { seedResumedHome, sessionHome } from '../../src/core/registry/resumeHome';
import { StateMap } from '../../src/core/state/stateMap';
import { removeTempDirs, tempDir } from '../support/harness';

describe('container endpoints', () => {
  it('reads unix://, tcp:// and ssh:// endpoints', () => {
    assert.deepEqual(parseDockerHost('unix:///var/run/docker.sock'), { socketPath: '/var/run/docker.sock', url: 'unix:///var/run/docker.sock' });
    assert.deepEqual(parseDockerHost('tcp://box:2376'), { host: 'box', port: 2376, url: 'tcp://box:2376' });
    assert.deepEqual(parseDockerHost('ssh://build-box'), { ssh: { host: 'build-box', args: [] }, url: 'ssh://build-box' });
    assert.deepEqual(parseDockerHost('ssh://me@10.0.0.5:2222/', ['-i', 'k']), { ssh: { host: '10.0.0.5', user: 'me', port: 2222, args: ['-i', 'k'] }, url: 'ssh://me@10.0.0.5:2222/' });
    assert.deepEqual(parseDockerHost('ssh://root@[::1]:22'), { ssh: { host: '::1', user: 'root', port: 22, args: [] }, url: 'ssh://root@[::1]:22' });
  });

  it('refuses what is not an endpoint, and an ssh host that would read as an option', () => {
    assert.throws(() => parseDockerHost('http://box:2375'), /not one Switchboard can reach: it talks to unix:\/\/ sockets, tcp:\/\/ addresses and ssh:\/\/ hosts/);
    assert.throws(() => parseDockerHost('ssh://-oProxyCommand=touch%20x'), /not an ssh address Switchboard can use/);
    assert.throws(() => parseDockerHost('ssh://box/var/run/docker.sock'), (error: Error & { hint?: string }) => /not an ssh address/.test(error.message) && /ssh:\/\/user@host:port/.test(error.hint ?? ''));
    assert.throws(() => parseDockerHost('ssh://a b'), /not an ssh address/);
  });

  it('dials with ssh in batch mode, the settings\' arguments before the host, the host after --', () => {
    assert.deepEqual(dialArgs({ host: 'box', user: 'me', port: 2222, args: ['-i', '/k', '-o', 'UserKnownHostsFile=/kh'] }, []), [
      '-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', '-i', '/k', '-o', 'UserKnownHostsFile=/kh', '-p', '2222', '-l', 'me', '--', 'box', 'docker', 'system', 'dial-stdio',
    ]);
    assert.deepEqual(dialArgs({ host: 'box', args: [] }).slice(-5), ['--', 'box', 'docker', 'system', 'dial-stdio']);
  });

  it('shares one connection per target and ssh arguments, after the settings\' arguments (so that they can turn it off)', () => {
    const target = { host: 'box', user: 'me', port: 2222, args: ['-i', '/k'] };
    const share = shareArgs(target, '/tmp/sb-ssh-1000');
    assert.deepEqual(share, ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath(target, '/tmp/sb-ssh-1000')}`, '-o', 'ControlPersist=180']);
    assert.match(controlPath(target, '/tmp/sb-ssh-1000'), /^\/tmp\/sb-ssh-1000\/[0-9a-f]{24}$/);
    assert.notEqual(controlPath(target, '/d'), controlPath({ ...target, args: ['-i', '/other'] }, '/d'), 'another key, another connection');
    assert.notEqual(controlPath(target, '/d'), controlPath({ ...target, port: 22 }, '/d'));
    assert.deepEqual(dialArgs(target, share).slice(0, 13), ['-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', '-i', '/k', ...share]);
  });

  it('keeps the ssh arguments in a plan only for an ssh:// endpoint', () => {
    assert.deepEqual(sshArgsFor('ssh://box', { sshArgs: ['-i', 'k'] }), ['-i', 'k']);
    assert.equal(sshArgsFor('unix:///var/run/docker.sock', { sshArgs: ['-i', 'k'] }), undefined);
    assert.equal(sshArgsFor('ssh://box', { sshArgs: [] }), undefined);
  });
});

describe("Run Agent's choice of backend", () => {
  const answering = { backend: 'docker', endpoint: 'unix:///var/run/docker.sock', image: 'switchboard-agent:latest', version: '26.1.5 (API 1.45)', imagePresent: true, swarm: 'inactive' };

  it('offers only this machine when container runs are not configured', () => {
    assert.deepEqual(choicesOf(answering, [], false).map((c) => c.backend), ['local']);
  });

  it('offers docker, each context and, on a swarm node, swarm', () => {
    const choices = choicesOf({ ...answering, swarm: 'active' }, [{ name: 'build-box', endpoint: 'ssh://me@build-box' }], true);
    assert.deepEqual(choices.map((c) => c.backend), ['local', 'docker', 'docker:build-box', 'swarm']);
    assert.match(choices[1]!.detail, /image switchboard-agent:latest\) on unix:\/\/\/var\/run\/docker\.sock: Docker 26\.1\.5/);
    assert.match(choices[2]!.detail, /ssh:\/\/me@build-box/);
    // A context alone is a configuration.
    assert.deepEqual(choicesOf(answering, [{ name: 'ci', endpoint: 'tcp://ci:2375' }], false).map((c) => c.backend), ['local', 'docker', 'docker:ci']);
  });

  it('says why the engine would not do: not answering, or without the image', () => {
    assert.match(choicesOf({ backend: 'docker', endpoint: 'unix:///nope.sock', image: 'i', problem: 'connect ENOENT /nope.sock' }, [], true)[1]!.detail, /does not answer: connect ENOENT/);
    assert.match(choicesOf({ ...answering, imagePresent: false, problem: 'the image i is not there' }, [], true)[1]!.detail, /the image i is not there/);
  });
});

describe("Doctor's engines", () => {
  it('checks the contexts the settings name: containers.contexts, then pools named after a backend, each once', () => {
    assert.deepEqual(configuredContexts({ contexts: ['build-box', 'ci'] }, ['default', 'docker', 'docker:ci', 'swarm:gpu', 'teams@docker:build-box', 'reviews']), ['build-box', 'ci', 'gpu']);
    assert.deepEqual(configuredContexts({}, ['default', 'docker', 'swarm']), []);
  });

  it('says of each engine whether it is reachable, its version, whether the image is there, and what to do when not', () => {
    const ok = { backend: 'docker', endpoint: 'unix:///var/run/docker.sock', image: 'switchboard-agent:latest', version: '26.1.5 (API 1.45)', imagePresent: true, swarm: 'inactive' };
    assert.equal(engineLine(ok), 'container engine docker (unix:///var/run/docker.sock): reachable, Docker 26.1.5 (API 1.45), swarm inactive, image switchboard-agent:latest present');
    assert.equal(
      engineLine({ ...ok, backend: 'docker:box', endpoint: 'ssh://me@box', imagePresent: false, problem: 'the image switchboard-agent:latest is not there: build it with `npm run docker-image`' }),
      'container engine docker:box (ssh://me@box): reachable, Docker 26.1.5 (API 1.45), swarm inactive, image switchboard-agent:latest missing — the image switchboard-agent:latest is not there: build it with `npm run docker-image`',
    );
    assert.equal(
      engineLine({ backend: 'docker:box', endpoint: 'ssh://me@box', image: 'i', problem: 'The Docker engine at ssh://me@box does not answer: ssh to me@box failed (exit 255): Permission denied', hint: 'Check that `ssh <host> docker version` works.' }),
      'container engine docker:box (ssh://me@box): not reachable: The Docker engine at ssh://me@box does not answer: ssh to me@box failed (exit 255): Permission denied — Check that `ssh <host> docker version` works.',
    );
    assert.equal(engineLine({ backend: 'docker:gone', endpoint: '', image: 'i', problem: 'there is no Docker context named gone' }), 'container engine docker:gone: not reachable: there is no Docker context named gone');
  });
});

describe('the home of a resumed container session', () => {
  after(removeTempDirs);

  function stateWith(runs: { id: string; session: string; runner?: string; container?: boolean; createdAt: number; file?: string }[]): string {
    const stateDir = tempDir('sb-resume-home-');
    const map = new StateMap(stateDir);
    for (const r of runs) {
      const paths = map.run(r.id);
      fs.mkdirSync(path.join(paths.home, '.claude', 'projects', 'p'), { recursive: true });
      if (r.file) fs.writeFileSync(path.join(paths.home, '.claude', 'projects', 'p', `${r.session}.jsonl`), r.file);
      const record = { id: r.id, runner: r.runner ?? 'claude', sessionId: r.session, createdAt: r.createdAt, ...(r.container === false ? {} : { container: { backend: 'docker', endpoint: 'unix:///var/run/docker.sock' } }) };
      fs.writeFileSync(paths.record, JSON.stringify(record));
    }
    return stateDir;
  }

  it('copies the home of the newest container run of the session into the new run\'s home', () => {
    const stateDir = stateWith([
      { id: 'r-old', session: 's1', createdAt: 1, file: 'old' },
      { id: 'r-new', session: 's1', createdAt: 2, file: 'new' },
      { id: 'r-local', session: 's1', createdAt: 3, container: false, file: 'local' },
      { id: 'r-codex', session: 's1', runner: 'codex', createdAt: 4, file: 'codex' },
      { id: 'r-other', session: 's2', createdAt: 5, file: 'other' },
    ]);
    const home = new StateMap(stateDir).run('r-resumed').home;
    fs.mkdirSync(home, { recursive: true });
    assert.equal(seedResumedHome(stateDir, 'claude', 's1', 'r-resumed', home), new StateMap(stateDir).run('r-new').home);
    assert.equal(fs.readFileSync(path.join(home, '.claude', 'projects', 'p', 's1.jsonl'), 'utf8'), 'new');
    // The earlier home is left as it was.
    assert.equal(fs.readFileSync(path.join(new StateMap(stateDir).run('r-new').home, '.claude', 'projects', 'p', 's1.jsonl'), 'utf8'), 'new');
  });

  it('finds none for a session no container run had, and never the run itself', () => {
    const stateDir = stateWith([{ id: 'r-local', session: 's1', createdAt: 1, container: false, file: 'local' }, { id: 'r-self', session: 's3', createdAt: 2, file: 'self' }]);
    assert.equal(sessionHome(stateDir, 'claude', 's1', 'x'), undefined);
    assert.equal(sessionHome(stateDir, 'claude', 's3', 'r-self'), undefined);
    assert.equal(sessionHome(tempDir('sb-empty-state-'), 'claude', 's1', 'x'), undefined);
  });
});

describe('a long request to the engine, stopped', () => {
  after(removeTempDirs);

  /** An engine of sorts on a unix socket: `/held` answers its head and a first chunk, then nothing; `/silent` never answers. Says when each connection closes. */
  async function heldServer(): Promise<{ api: DockerApi; closed: Promise<void>; server: http.Server }> {
    const socketPath = path.join(tempDir('sb-held-api-'), 'engine.sock');
    let onClosed!: () => void;
    const closed = new Promise<void>((resolve) => (onClosed = resolve));
    const server = http.createServer((req, res) => {
      req.socket.on('close', onClosed);
      if (req.url === '/held') {
        res.writeHead(200, { 'Content-Type': 'application/x-tar' });
        res.write(Buffer.alloc(512));
      }
    });
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
    return { api: new DockerApi(parseDockerHost(`unix://${socketPath}`)), closed, server };
  }

  it('ends its response (the engine sees the connection closed) when stopped after the answer began', async () => {
    const { api, closed, server } = await heldServer();
    const stop = new AbortController();
    const res = await api.stream('GET', '/held', stop.signal);
    const ended = new Promise<void>((resolve) => res.on('close', resolve).on('error', () => undefined));
    res.resume();
    stop.abort('a kill by test');
    await Promise.all([ended, closed]);
    assert.equal(res.complete, false);
    server.close();
  });

  it('rejects saying who stopped it when stopped before any answer, or before it is sent', async () => {
    const { api, closed, server } = await heldServer();
    const stop = new AbortController();
    const asked = api.stream('GET', '/silent', stop.signal);
    setTimeout(() => stop.abort('a kill by test'), 50);
    await assert.rejects(asked, /^Error: stopped by a kill by test$/);
    await closed;
    await assert.rejects(api.stream('GET', '/silent', stop.signal), /^Error: stopped by a kill by test$/);
    server.close();
  });
});
