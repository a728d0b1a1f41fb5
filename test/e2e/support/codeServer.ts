/**
 * A real VS Code for end-to-end tests: code-server (installed and cached by scripts/setupVscode.mjs)
 * run under Node 24 on a free loopback port, and the ways to put an extension into it.
 */
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { killTree as killCoreTree, treeMembers } from '../../../src/core/proc/killTree';
import { processEntry, startTokenOf } from '../../../src/core/proc/processTable';
import * as net from 'node:net';
import * as path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
export const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');
const SETUP_SCRIPT = path.join(REPO_ROOT, 'scripts', 'setupVscode.mjs');

export interface VscodePaths {
  cacheRoot: string;
  node24: string;
  node24Dir: string;
  codeServerVersion: string;
  codeServerDir: string;
  codeServerEntry: string;
  chromium: string;
}

let cachedPaths: Promise<VscodePaths> | undefined;

/** Runs the setup script (installs what is missing, minutes the first time; instant once cached) and returns its paths. */
export function setupVscode(): Promise<VscodePaths> {
  cachedPaths ??= new Promise<VscodePaths>((resolve, reject) => {
    const child = spawn(process.execPath, [SETUP_SCRIPT, '--json'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as VscodePaths);
      else reject(new Error(`${SETUP_SCRIPT} failed with exit code ${code}`));
    });
  }).catch((error: unknown) => {
    cachedPaths = undefined;
    throw error;
  });
  return cachedPaths;
}

/** Settings that keep the workbench quiet and unblocked; the caller's settings override them. */
export const DEFAULT_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'window.dialogStyle': 'custom',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  workspace: string;
  extensionsDir: string;
  userDataDir: string;
  settings?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** Keep workspace trust on (the trust prompt appears); off by default. */
  trust?: boolean;
  /** code-server's `--log` level (e.g. `trace`, for the window's and extension host's logs); its default when absent. */
  logLevel?: string;
}

export interface CodeServer {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
  logs(): string;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The environment for code-server: none of a surrounding VS Code's variables (they would make it hand off to that one). */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE' || key === 'NODE_OPTIONS' || key.startsWith('npm_')) continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

async function waitForHttp(url: string, exited: () => string | undefined, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const exit = exited();
    if (exit) throw new Error(`code-server exited before answering (${exit})`);
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Starts code-server on a free loopback port with its own user data and extensions folders, and waits until it answers. */
export async function startCodeServer(opts: CodeServerOptions): Promise<CodeServer> {
  const paths = await setupVscode();
  fs.mkdirSync(path.join(opts.userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(opts.extensionsDir, { recursive: true });
  const settings = { ...DEFAULT_SETTINGS, 'security.workspace.trust.enabled': opts.trust === true, ...opts.settings };
  fs.writeFileSync(path.join(opts.userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = [
    paths.codeServerEntry,
    '--config', path.join(opts.userDataDir, 'code-server.yaml'),
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--extensions-dir', opts.extensionsDir,
    '--user-data-dir', opts.userDataDir,
    ...(opts.trust ? [] : ['--disable-workspace-trust']),
    ...(opts.logLevel ? ['--log', opts.logLevel] : []),
    opts.workspace,
  ];
  const child = spawn(paths.node24, args, { cwd: opts.workspace, env: cleanEnv(opts.env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let logs = '';
  let exit: string | undefined;
  child.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  child.on('exit', (code, signal) => (exit = signal ?? `exit code ${code}`));
  if (child.pid === undefined) throw new Error('code-server did not start');
  const pid = child.pid;
  const stop = async (): Promise<void> => {
    await killTree(pid);
  };
  try {
    await waitForHttp(url, () => exit, 60_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n--- code-server output ---\n${logs}`);
  }
  return { url, port, pid, stop, logs: () => logs };
}

/** The pid and every process of its tree (its session, group and descendants), as the core sees them. */
export function processTree(root: number): number[] {
  const startToken = startTokenOf(root);
  return startToken ? treeMembers({ pid: root, startToken }).map((m) => m.pid) : [];
}

/** Alive and not a zombie (this container's init does not reap orphans). */
export function isAlive(pid: number): boolean {
  return processEntry(pid) !== undefined;
}

/** Kills code-server and everything it started with the core's own tree kill (TERM, then KILL after `graceMs`). */
export async function killTree(root: number, graceMs = 3000): Promise<void> {
  const startToken = startTokenOf(root);
  if (!startToken) return;
  const known = treeMembers({ pid: root, startToken });
  await killCoreTree({ pid: root, startToken }, { signal: 'SIGTERM', graceMs, known });
  const left = known.filter((m) => isAlive(m.pid)).map((m) => m.pid);
  if (left.length > 0) throw new Error(`processes still alive after killing the tree of ${root}: ${left.join(' ')}`);
}

/** Installs a .vsix with code-server's own `--install-extension`. */
export async function installExtension(vsixPath: string, extensionsDir: string, userDataDir?: string): Promise<void> {
  const paths = await setupVscode();
  const args = [paths.codeServerEntry, '--install-extension', vsixPath, '--extensions-dir', extensionsDir, '--force'];
  if (userDataDir) args.push('--user-data-dir', userDataDir);
  await execFileAsync(paths.node24, args, { env: cleanEnv(), timeout: 120_000 });
}

interface ExtensionManifest {
  name: string;
  publisher: string;
  version: string;
}

/**
 * Copies an unpacked extension folder into an extensions folder as `<publisher>.<name>-<version>`
 * (`id` is `<publisher>.<name>`, read from its package.json when left out). `include` limits the copy
 * to those top-level entries (say `['package.json', 'dist', 'media']`); by default all but .git and
 * node_modules is copied. Returns the folder it made.
 */
export function installUnpacked(folder: string, extensionsDir: string, id?: string, include?: string[]): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'package.json'), 'utf8')) as ExtensionManifest;
  const target = path.join(extensionsDir, `${id ?? `${manifest.publisher}.${manifest.name}`}-${manifest.version}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const entries = include ?? fs.readdirSync(folder).filter((e) => !['.git', 'node_modules', '.test-artifacts'].includes(e));
  for (const entry of entries) fs.cpSync(path.join(folder, entry), path.join(target, entry), { recursive: true });
  registerInProfile(extensionsDir, `${id ?? `${manifest.publisher}.${manifest.name}`}`, manifest.version, target);
  return target;
}

/**
 * VS Code scans the extensions folder only while it has no extensions.json; once it has one (after
 * a first start or an --install-extension), a folder copied in is loaded only if listed there too.
 */
function registerInProfile(extensionsDir: string, id: string, version: string, target: string): void {
  const file = path.join(extensionsDir, 'extensions.json');
  if (!fs.existsSync(file)) return;
  const entries = (JSON.parse(fs.readFileSync(file, 'utf8')) as { identifier: { id: string } }[]).filter(
    (e) => e.identifier.id.toLowerCase() !== id.toLowerCase(),
  );
  entries.push({ identifier: { id }, version, location: { $mid: 1, path: target, scheme: 'file' }, relativeLocation: path.basename(target) } as never);
  fs.writeFileSync(file, JSON.stringify(entries));
}
