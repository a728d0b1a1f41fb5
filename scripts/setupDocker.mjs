// Docker for container runs, set up once and cached outside the repository:
//   1. the engine: Debian's `docker.io` installed with apt-get when `docker` is missing (as root), and
//      `dockerd` started in the background when no daemon answers;
//   2. the agent image, built without a registry: a Debian root filesystem from Debian's own packages
//      (`debootstrap --variant=minbase bookworm`, the tarball cached), `docker import`ed as the base,
//      then a Dockerfile step that copies in Node 24 (Debian bookworm's nodejs is v18; Qwen Code needs
//      24) and installs the pinned agent CLIs from npm. Each image is tagged with a hash of its inputs,
//      so it is rebuilt only when they change.
// Usage: node scripts/setupDocker.mjs [--clis claude,codex|all] [--json]
// Prints the image tag (or, with --json, `{"ok":true,"image":…}` / `{"ok":false,"reason":…}`). When
// docker cannot run here it says why and exits 0 with ok:false, so that the container tests skip with
// that reason. Also importable: `setupDocker({ clis })`.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot, node24BinDir } from './cachePaths.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pins = JSON.parse(fs.readFileSync(path.join(here, 'agent-clis.json'), 'utf8'));
const SUITE = 'bookworm';
const MIRROR = 'http://deb.debian.org/debian';
/** What debootstrap adds to minbase: agents work in git repositories and reach https hosts. */
const INCLUDE = ['ca-certificates', 'git', 'procps'];
const isRoot = process.getuid?.() === 0;
const dockerDir = () => path.join(cacheRoot(), 'docker');
const log = (message) => process.stderr.write(`setupDocker: ${message}\n`);

const run = (command, args, options = {}) => spawnSync(command, args, { encoding: 'utf8', ...options });
const onPath = (command) => (process.env.PATH ?? '').split(path.delimiter).concat('/usr/sbin', '/sbin').some((dir) => dir && fs.existsSync(path.join(dir, command)));
const daemonAnswers = () => run('docker', ['version', '--format', '{{.Server.Version}}'], { timeout: 15_000 }).status === 0;

export function aptInstall(...packages) {
  if (!isRoot || !onPath('apt-get')) return `${packages.join(', ')} missing, and this is not root on a Debian system (install ${packages.join(' ')} yourself)`;
  log(`installing ${packages.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0) return undefined;
  run('apt-get', ['update'], { stdio: 'inherit', env });
  return run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { stdio: 'inherit', env }).status === 0 ? undefined : `apt-get install ${packages.join(' ')} failed`;
}

/** The engine: installed and answering, or why not. */
async function ensureEngine() {
  // A machine may have the docker client alone (no engine): the engine comes with Debian's docker.io.
  if (onPath('docker') && daemonAnswers()) return undefined;
  if (!onPath('dockerd')) {
    const failed = aptInstall('docker.io');
    if (failed) return failed;
  }
  if (daemonAnswers()) return undefined;
  if (!isRoot || !onPath('dockerd')) return 'no Docker daemon answers, and this process cannot start one (it is not root, or dockerd is missing)';
  fs.mkdirSync(dockerDir(), { recursive: true });
  const logFile = fs.openSync(path.join(dockerDir(), 'dockerd.log'), 'a');
  log(`starting dockerd (its log: ${path.join(dockerDir(), 'dockerd.log')})`);
  const daemon = spawn('dockerd', [], { detached: true, stdio: ['ignore', logFile, logFile] });
  daemon.unref();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (fs.existsSync('/var/run/docker.sock') && daemonAnswers()) return undefined;
    if (daemon.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return `dockerd did not answer within a minute; see ${path.join(dockerDir(), 'dockerd.log')}`;
}

const imageExists = (tag) => run('docker', ['image', 'inspect', '--format', '{{.Id}}', tag]).status === 0;
const hashOf = (...parts) => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(typeof part === 'string' ? part : JSON.stringify(part)).update('\0');
  return hash.digest('hex').slice(0, 12);
};

/** The Debian root filesystem as a tarball (cached), imported as `switchboard-base:<hash>`. */
function ensureBase() {
  const key = hashOf(SUITE, MIRROR, INCLUDE);
  const tag = `switchboard-base:${key}`;
  if (imageExists(tag)) return tag;
  const tarball = path.join(dockerDir(), `${SUITE}-minbase-${key}.tar`);
  if (!fs.existsSync(tarball)) {
    fs.mkdirSync(dockerDir(), { recursive: true });
    if (!onPath('debootstrap')) {
      const failed = aptInstall('debootstrap');
      if (failed) throw new Error(failed);
    }
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-rootfs-'));
    try {
      log(`debootstrap --variant=minbase ${SUITE} (once; cached in ${tarball})`);
      execFileSync('debootstrap', ['--variant=minbase', `--include=${INCLUDE.join(',')}`, SUITE, root, MIRROR], { stdio: ['ignore', 'ignore', 'inherit'] });
      // Package lists and caches are not needed in an image.
      for (const dir of ['var/cache/apt/archives', 'var/lib/apt/lists']) {
        for (const name of fs.readdirSync(path.join(root, dir))) if (name.endsWith('.deb') || name.includes('_dists_')) fs.rmSync(path.join(root, dir, name), { force: true });
      }
      execFileSync('tar', ['-C', root, '-cf', `${tarball}.part`, '.']);
      fs.renameSync(`${tarball}.part`, tarball);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  }
  log(`docker import ${tarball} ${tag}`);
  execFileSync('docker', ['import', tarball, tag], { stdio: ['ignore', 'ignore', 'inherit'] });
  return tag;
}

const npmDir = () => {
  const cli = fs.realpathSync(execFileSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).trim());
  return path.resolve(path.dirname(cli), '..');
};

function dockerfile(base, packages) {
  return [
    `FROM ${base}`,
    'COPY node /usr/local/bin/node',
    'COPY npm /usr/local/lib/node_modules/npm',
    'COPY host-ca.crt /tmp/host-ca.crt',
    'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx',
    // The host's CA store is trusted for the install only (containers get it mounted read-only at run time).
    `RUN NODE_EXTRA_CA_CERTS=/tmp/host-ca.crt npm install -g --no-audit --no-fund --loglevel=error ${packages.join(' ')} && rm -rf /root/.npm /tmp/host-ca.crt`,
    'ENV HOME=/root',
    '',
  ].join('\n');
}

/** The CLIs to install: a comma-separated list of names from agent-clis.json, or `all`. */
function chosenClis(clis) {
  const names = !clis || clis === 'all' ? Object.keys(pins.clis) : clis.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) if (!pins.clis[name]) throw new Error(`unknown agent CLI "${name}" (known: ${Object.keys(pins.clis).join(', ')})`);
  return names.sort();
}

/** The agent image: `switchboard-agent:<hash of base, Node, npm, the CLIs' pins and the Dockerfile>`. */
function ensureAgentImage(base, clis) {
  const node = path.join(node24BinDir(pins.node24), 'node');
  if (!fs.existsSync(node)) execFileSync(process.execPath, [path.join(here, 'installAgentClis.mjs')], { stdio: 'inherit' });
  const packages = clis.map((name) => `${pins.clis[name].package}@${pins.clis[name].version}`);
  const npm = npmDir();
  const npmVersion = JSON.parse(fs.readFileSync(path.join(npm, 'package.json'), 'utf8')).version;
  const text = dockerfile(base, packages);
  const tag = `switchboard-agent:${hashOf(pins.node24, npmVersion, text)}`;
  if (imageExists(tag)) return tag;
  const context = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-image-'));
  try {
    fs.copyFileSync(node, path.join(context, 'node'));
    fs.cpSync(npm, path.join(context, 'npm'), { recursive: true });
    fs.copyFileSync(process.env.NODE_EXTRA_CA_CERTS && fs.existsSync(process.env.NODE_EXTRA_CA_CERTS) ? process.env.NODE_EXTRA_CA_CERTS : '/etc/ssl/certs/ca-certificates.crt', path.join(context, 'host-ca.crt'));
    fs.writeFileSync(path.join(context, 'Dockerfile'), text);
    log(`docker build -t ${tag} (${packages.join(' ')})`);
    const built = run('docker', ['build', '-q', '-t', tag, context], { env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    if (built.status !== 0) throw new Error(`docker build failed: ${built.stderr.trim().split('\n').slice(-5).join(' / ')}`);
  } finally {
    fs.rmSync(context, { recursive: true, force: true });
  }
  return tag;
}

export async function setupDocker({ clis } = {}) {
  const started = Date.now();
  const failed = await ensureEngine();
  if (failed) return { ok: false, reason: failed };
  try {
    const base = ensureBase();
    const image = ensureAgentImage(base, chosenClis(clis));
    // Switchboard's default image (the `containers.image` setting) is the last one built here.
    execFileSync('docker', ['tag', image, 'switchboard-agent:latest']);
    return { ok: true, image, base, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    return { ok: false, reason: `the agent image could not be built: ${error.message}` };
  }
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--clis');
  const result = await setupDocker({ clis: at >= 0 ? args[at + 1] : undefined });
  if (args.includes('--json')) console.log(JSON.stringify(result));
  else if (result.ok) console.log(result.image);
  else console.log(`docker is not available: ${result.reason}`);
  process.exit(0);
}
