/**
 * Shared test plumbing: temporary state folders, a registry over the built supervisor, the fake
 * agent, and cleanup that leaves no process and no folder behind.
 */
import { runMarker } from '../../src/core/runs/runMarker';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mergeConfig, type SwitchboardConfig } from '../../src/core/config';
import type { RunRegistry } from '../../src/core/registry/registry';
import { Switchboard } from '../../src/core/switchboard';
import { allProcesses, isSameProcessAlive } from '../../src/core/proc/processTable';
import { readRecord } from '../../src/core/runs/recordFile';
import { StateMap } from '../../src/core/state/stateMap';
import { killTree } from '../../src/core/proc/killTree';

/** The repository; the in-host suite (test/vscode, bundled and copied into an extension) is told it by SWITCHBOARD_TEST_ROOT. */
export const ROOT = process.env.SWITCHBOARD_TEST_ROOT || path.resolve(__dirname, '..', '..');
/** The Node that runs scripted agents: this one, unless SWITCHBOARD_TEST_NODE names another (a desktop VS Code's host is Electron). */
export const NODE = process.env.SWITCHBOARD_TEST_NODE || process.execPath;
export const DIST = path.join(ROOT, 'dist');
export const SUPERVISOR = path.join(DIST, 'supervisor.js');
export const CLI = path.join(DIST, 'cli.js');
export const FAKE_AGENT = path.join(ROOT, 'test', 'fixtures', 'fakeAgent.mjs');

/** Builds the bundles once per test process (the registry spawns dist/supervisor.js). */
export function ensureBuilt(): void {
  if (ensureBuilt.done) return;
  execFileSync(process.execPath, [path.join(ROOT, 'esbuild.mjs')], { cwd: ROOT, stdio: 'inherit' });
  ensureBuilt.done = true;
}
ensureBuilt.done = false;

const tempDirs: string[] = [];

export function tempDir(prefix = 'sb-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A command template that runs the fake agent with these options (the prompt is appended as --text). */
export function fakeCommand(...args: string[]): string {
  return [NODE, FAKE_AGENT, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ') + ' --text {prompt}';
}

/** A `claude` binary that is the fake agent speaking Claude's stream-json, steerable on stdin (each turn `turnMs` long). */
export function fakeClaude(turnMs: number): string {
  const bin = path.join(tempDir('sb-fake-claude-'), 'claude');
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --stdin --sleep ${turnMs} "$@"\n`, { mode: 0o755 });
  return bin;
}

export interface Harness {
  stateDir: string;
  /** The first Switchboard's registry (`switchboard.runs`). */
  registry: RunRegistry;
  switchboard: Switchboard;
  /** Another Switchboard over the same state folder (another process, as it were); its registry. */
  open(config?: Partial<SwitchboardConfig>, env?: NodeJS.ProcessEnv): Promise<RunRegistry>;
  openSwitchboard(config?: Partial<SwitchboardConfig>, env?: NodeJS.ProcessEnv): Promise<Switchboard>;
  /** The Switchboard whose registry this is. */
  switchboardOf(registry: RunRegistry): Switchboard;
  cleanup(): Promise<void>;
}

/** A fresh state folder and Switchboard; `cleanup` kills every run still alive and closes every Switchboard. */
export async function createHarness(config: Partial<SwitchboardConfig> = {}, env?: NodeJS.ProcessEnv): Promise<Harness> {
  ensureBuilt();
  const stateDir = tempDir('sb-state-');
  const opened: Switchboard[] = [];
  const openSwitchboard = async (more: Partial<SwitchboardConfig> = {}, moreEnv?: NodeJS.ProcessEnv): Promise<Switchboard> => {
    const sb = await Switchboard.open({
      stateDir,
      // Tests start many runs at once; pools are tested with their own limits. Agents run at normal
      // priority: at the default 19 a loaded machine (a CI's other suites) starves them for seconds
      // (registry.test.ts proves the default priority, asking for it).
      config: mergeConfig({ killGraceMs: 1500, maxWorkers: 64, pools: { default: { maxWorkers: 64 } }, agentNiceness: 0, ...config, ...more }),
      supervisorScript: SUPERVISOR,
      env: { ...process.env, ...env, ...moreEnv },
    });
    opened.push(sb);
    return sb;
  };
  const switchboard = await openSwitchboard();
  return {
    stateDir,
    registry: switchboard.runs,
    switchboard,
    open: async (more, moreEnv) => (await openSwitchboard(more, moreEnv)).runs,
    openSwitchboard,
    switchboardOf: (registry) => opened.find((sb) => sb.runs === registry)!,
    async cleanup() {
      for (const sb of opened) sb.dispose();
      await killEverything(stateDir);
    },
  };
}

/** Kills whatever a state folder's runs left alive (supervisors and agent trees), whatever their records say. */
export async function killEverything(stateDir: string): Promise<void> {
  const paths = new StateMap(stateDir);
  let ids: string[] = [];
  try {
    ids = fs.readdirSync(paths.runs);
  } catch {
    return;
  }
  for (const id of ids) {
    const read = readRecord(paths.run(id));
    if (read.kind !== 'ok') continue;
    const { agent, supervisor } = read.value;
    if (agent) await killTree(agent, { graceMs: 0, marker: runMarker(id) });
    if (supervisor && isSameProcessAlive(supervisor)) process.kill(supervisor.pid, 'SIGKILL');
  }
  // Hosts that only keep runs waiting in line supervise none.
  for (const pid of supervisorHostPids(stateDir)) process.kill(pid, 'SIGKILL');
}

/** The pids of the supervisor hosts serving a state folder (their command line names its hosts/ folder). */
export function supervisorHostPids(stateDir: string): number[] {
  const hosts = new StateMap(stateDir).hosts;
  const found = allProcesses().filter((p) => {
    try {
      return fs.readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(hosts);
    } catch {
      return false; // Gone meanwhile.
    }
  });
  // A host's child between its fork and its exec (an agent being started) still has the host's command
  // line: it is no host (killed as one, the agent died as it started, which no host's death does).
  const pids = new Set(found.map((p) => p.pid));
  return found.filter((p) => !pids.has(p.ppid)).map((p) => p.pid);
}

export async function removeTempDirs(): Promise<void> {
  for (const dir of tempDirs.splice(0)) {
    await killEverything(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) [ZX] /.test(stat);
  } catch {
    return false;
  }
}

export async function until(check: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
