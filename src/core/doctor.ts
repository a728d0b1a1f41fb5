/** Which agent CLIs are installed (path, version), where state lives, and what to do about anything missing. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import type { SwitchboardConfig } from './config';
import { errorMessage } from './errors';
import { ensureStateDir } from './state/stateDir';
import { checkDisk, type DiskCheck } from './store/diskSpace';
import { checkEngines, type EngineCheck } from './containers/engineCheck';
import { clineDataDir } from './runners/cline';
import { nativeCopilotBinary } from './runners/copilot';
import { findBinary } from './runners/findBinary';
import { APP_SERVER_ARGS_HINT, appServerArgsProblem } from './runners/codexAppServer';
import { protocolFor, RUNNERS } from './runners/runnerTable';

export interface RunnerCheck {
  runner: string;
  displayName: string;
  binary: string;
  installed: boolean;
  path?: string;
  version?: string;
  /** What is wrong and what to do, when something is. */
  problem?: string;
  /** Something worth knowing that is not a problem. */
  note?: string;
}

export interface DoctorReport {
  version: 1;
  stateDir: string;
  /** Why the state directory cannot be used, when it cannot. */
  stateDirProblem?: string;
  /** Free space on the state folder's disk (absent where it cannot be asked), with a warning when low. */
  disk?: DiskCheck;
  node: string;
  platform: string;
  runners: RunnerCheck[];
  /** The container engine `--backend docker` uses (DOCKER_HOST, else the local socket), then that of each Docker context the settings name. */
  engines: EngineCheck[];
}

/** What is worth knowing about a found CLI, or wrong with it, beyond its version. */
function runnerNotes(runnerId: string, found: string, env: NodeJS.ProcessEnv): Pick<RunnerCheck, 'note' | 'problem'> {
  if (runnerId === 'copilot') {
    const native = nativeCopilotBinary(found);
    if (native !== found) return { note: `runs the native binary ${native} (the npm loader would not pass interrupts on)` };
    let real = found;
    try {
      real = fs.realpathSync(found);
    } catch {
      // Reported by the version check.
    }
    if (path.basename(real) === 'npm-loader.js') {
      return { problem: `the native binary of its platform package (@github/copilot-${process.platform}-${process.arch}) was not found beside ${real}: reinstall it with \`npm install -g @github/copilot\`.` };
    }
    return {};
  }
  if (runnerId === 'cline') {
    const dataDir = clineDataDir(env);
    const telemetry = 'it sends telemetry to its own servers on every run, whatever its settings say; its sessions cannot be resumed from Switchboard';
    if (!fs.existsSync(path.join(dataDir, 'settings', 'providers.json'))) {
      return { problem: `no provider is set up in its data folder ${dataDir}: run \`cline auth\` first (${telemetry}).` };
    }
    return { note: `data folder ${dataDir} (given as --data-dir, so no hub daemon is left running); ${telemetry}` };
  }
  return {};
}

/** Codex runs over its app-server unless its settings say `json`: whether this Codex has one (older ones do not). */
async function codexProtocol(found: string, config: SwitchboardConfig, env: NodeJS.ProcessEnv): Promise<Pick<RunnerCheck, 'note' | 'problem'>> {
  if (protocolFor('codex', config.runners.codex?.protocol) !== 'app-server') return { note: 'runs as `codex exec --json` (runners.codex.protocol is "json")' };
  const args = appServerArgsProblem(config.runners.codex?.extraArgs ?? []);
  if (args) return { problem: `${args}. ${APP_SERVER_ARGS_HINT}` };
  const result = await execa(found, ['app-server', '--help'], { env, reject: false, timeout: 15_000, stdin: 'ignore' });
  if (result.exitCode === 0) return { note: 'runs over its app-server: live steering, approvals, a clean interrupt' };
  return { problem: `"${found} app-server --help" failed: this Codex has no app-server. Update it (\`npm install -g @openai/codex\`), or set runners.codex.protocol to "json" to run \`codex exec\`.` };
}

async function checkRunner(runner: (typeof RUNNERS)[number], config: SwitchboardConfig, env: NodeJS.ProcessEnv): Promise<RunnerCheck> {
  const settings = config.runners[runner.id] ?? {};
  if (runner.id === 'custom') {
    const command = settings.command;
    return {
      runner: runner.id,
      displayName: runner.displayName,
      binary: command ?? '',
      installed: true,
      note: command ? `default command: ${command}` : 'no default command; give one with --command "<program> ... {prompt}"',
    };
  }
  const binary = settings.binary || runner.defaultBinary;
  const lookup = findBinary(binary, env);
  const base = { runner: runner.id, displayName: runner.displayName, binary };
  if (!lookup.found) {
    return { ...base, installed: false, problem: `"${binary}" was not found (looked in ${lookup.lookedIn.join(', ') || 'an empty PATH'}). ${runner.installHint}` };
  }
  const result = await execa(lookup.path, ['--version'], { env, reject: false, timeout: 15_000, stdin: 'ignore' });
  const version = `${result.stdout}`.trim().split('\n')[0];
  if (result.exitCode !== 0 || !version) {
    const why = result.timedOut ? 'timed out' : `${result.stderr}`.trim().split('\n').pop() || `exit code ${result.exitCode}`;
    return { ...base, installed: true, path: lookup.path, problem: `"${lookup.path} --version" failed (${why}); the CLI may be broken.` };
  }
  const notes = runner.id === 'codex' ? await codexProtocol(lookup.path, config, env) : runnerNotes(runner.id, lookup.path, env);
  return { ...base, installed: true, path: lookup.path, version, ...notes };
}

export async function runDoctor(stateDir: string, config: SwitchboardConfig, env: NodeJS.ProcessEnv = process.env): Promise<DoctorReport> {
  const [runners, engines] = await Promise.all([Promise.all(RUNNERS.map((r) => checkRunner(r, config, env))), checkEngines(config.containers, Object.keys(config.pools), env)]);
  let stateDirProblem: string | undefined;
  try {
    ensureStateDir(stateDir);
  } catch (error) {
    stateDirProblem = errorMessage(error);
  }
  const disk = checkDisk(stateDir);
  return { version: 1, stateDir, ...(stateDirProblem ? { stateDirProblem } : {}), ...(disk ? { disk } : {}), node: process.version, platform: `${process.platform}-${process.arch}`, runners, engines };
}
