// The README's run command (`npm start`): builds and packages the extension, then opens it in a
// real VS Code — the desktop `code` where one is installed, else code-server served on 127.0.0.1
// (installed into the cache on first use), printing the address to open.
//   npm start                      this folder, in VS Code
//   npm start -- <folder>          another folder
//   npm start -- --headless [...]  no editor: the `switchboard` CLI (doctor and usage, or the given command)
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { cacheRoot } from './cachePaths.mjs';
import { setupVscode } from './setupVscode.mjs';

const args = process.argv.slice(2);
if (args[0] === '--headless') {
  if (spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' }).status !== 0) process.exit(1);
  const cli = (argv) => spawnSync(process.execPath, ['dist/cli.js', ...argv], { stdio: 'inherit' }).status ?? 1;
  if (args.length > 1) process.exit(cli(args.slice(1)));
  cli(['doctor']);
  console.log('');
  cli(['--help']);
  console.log('\nRun it with `node dist/cli.js ...` here, or `npm link` to put `switchboard` on your PATH.');
  process.exit(0);
}

const folder = path.resolve(args[0] ?? '.');
execFileSync(process.execPath, ['scripts/packageVsix.mjs'], { stdio: 'inherit' });
const { version } = JSON.parse(execFileSync(process.execPath, ['-p', 'JSON.stringify(require("./package.json"))'], { encoding: 'utf8' }));
const vsix = path.resolve('out', `switchboard-${version}.vsix`);

const onPath = (command) => (process.env.PATH ?? '').split(path.delimiter).some((dir) => dir && existsSync(path.join(dir, command)));
if (onPath('code')) {
  execFileSync('code', ['--install-extension', vsix, '--force'], { stdio: 'inherit' });
  execFileSync('code', [folder], { stdio: 'inherit' });
  console.log(`Opened ${folder} in VS Code with Switchboard ${version}.`);
  process.exit(0);
}

const paths = await setupVscode();
const home = path.join(cacheRoot(), 'vscode-run');
const extensionsDir = path.join(home, 'extensions');
const userDataDir = path.join(home, 'user-data');
mkdirSync(extensionsDir, { recursive: true });
execFileSync(paths.node24, [paths.codeServerEntry, '--install-extension', vsix, '--force', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir], { stdio: 'inherit' });
const port = Number(process.env.PORT) || (await freePort(8080));
// Whoever reaches the editor runs commands as this user: it asks for a password, made once and kept
// where only this user can read it.
const passwordFile = path.join(home, 'password');
const password = editorPassword(passwordFile);
const server = spawn(
  paths.node24,
  [paths.codeServerEntry, '--auth', 'password', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check', '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, folder],
  { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, PASSWORD: password } },
);
console.log(`\nSwitchboard ${version} in VS Code (code-server): open http://127.0.0.1:${port}/?folder=${encodeURIComponent(folder)}\npassword: ${password} (kept in ${passwordFile}, readable by you only)\nCtrl-C stops the editor; agents you started keep running and are there again next time.\n`);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill('SIGTERM'));
server.on('exit', (code) => process.exit(code ?? 0));

/** The editor's password: the one made before, else a new random one written owner-only. */
function editorPassword(file) {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  if (existsSync(file)) {
    chmodSync(file, 0o600);
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 16) return kept;
  }
  const made = randomBytes(18).toString('base64url');
  writeFileSync(file, `${made}\n`, { mode: 0o600 });
  return made;
}

/** The preferred port when it is free, else any free one. */
function freePort(preferred) {
  const tryPort = (port) =>
    new Promise((resolve) => {
      const probe = net.createServer();
      probe.once('error', () => resolve(undefined));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(probe.address()?.port ?? port)));
    });
  return tryPort(preferred).then((port) => port ?? new Promise((resolve) => {
    const probe = net.createServer();
    probe.listen(0, '127.0.0.1', () => {
      const { port: free } = probe.address();
      probe.close(() => resolve(free));
    });
  }));
}
