/**
 * Starting a run: check the request (runner, prompt, folder, binary), record it, and start its
 * detached supervisor, which answers with the agent's pid on one line before it goes its own way.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SwitchboardConfig } from '../config';
import { SwitchboardError } from '../errors';
import { ensureFolder } from '../state/stateDir';
import { StateMap, type RunPaths } from '../state/stateMap';
import { redactorFor } from '../redact';
import { findBinary } from '../runners/findBinary';
import { checkModel } from '../runners/models';
import { checkArgLengths, clipArgs, clipMessage } from '../runners/argLimits';
import { getRunner, protocolFor, resumeRefusalError, runnerFor } from '../runners/runnerTable';
import type { Runner, RunnerProtocol, SpawnSpec, StartRequest } from '../runners/types';
import { readRecord, writeRecord } from '../runs/recordFile';
import type { RunLimits, RunLinks, RunRecord, RunWorktree } from '../runs/types';
import { RUN_ID_ENV } from '../runs/runMarker';
import { isSameProcessAlive, processesMarked } from '../proc/processTable';
import { leaderOf } from './recordRescue';
import { writePlan } from '../supervisor/plan';
import { backendName, containerPlan, endpointOf, parseBackend, type Backend } from '../containers/containerPlan';
import { seedResumedHome } from './resumeHome';
import { sessionUsageBaseline } from './sessionBaseline';
import type { SupervisorHost } from './supervisorHost';
import { runEntity } from '../feed/entities';
import type { Feed } from '../feed/feed';
import { runKey } from '../feed/feedEvent';

export interface RunOptions {
  runner: string;
  prompt: string;
  name?: string;
  cwd?: string;
  /** The custom runner's command template (`{prompt}` is replaced). */
  command?: string;
  resumeSessionId?: string;
  links?: RunLinks;
  /** Extra environment for the agent. */
  env?: Record<string, string>;
  /** Switchboard's MCP server, given to agents whose CLI takes one (`Runner.takesMcpServer`). */
  mcp?: { url: string; token: string };
  /** Ask the host (a person) about tool calls the permission mode withholds, where the CLI can. */
  hostApprovals?: boolean;
  /** The pool that admits it (default: `default`). */
  pool?: string;
  /** Overrides the runner's configured permission mode (a team role's, say). */
  permissionMode?: string;
  /** Overrides the runner's configured model (refused for the custom runner, which takes none). */
  model?: string;
  /**
   * Work in a git worktree of its own, on branch `switchboard/run/<name>` made from the folder's HEAD
   * (`setup` and `copyFiles` default to the teams' settings); the folder must be in a repository with a commit.
   */
  worktree?: boolean | { setup?: string; copyFiles?: string[] };
  /** Who asked for the run (`mcp:<client>`, ...), recorded with it. */
  startedBy?: string;
  /** Hard limits: the run is stopped when it crosses one. */
  limits?: RunLimits;
  /** Where it runs: `local` (default), `docker`, `docker:<context>`, `swarm`, `swarm:<context>`. */
  backend?: string;
}

/** The variable that carries the MCP server's token to an agent (its name marks it a secret for redaction). */
export const MCP_TOKEN_ENV = 'SWITCHBOARD_MCP_TOKEN';

export interface LaunchContext {
  stateDir: string;
  config: SwitchboardConfig;
  host: SupervisorHost;
  env: NodeJS.ProcessEnv;
  name: string;
  /** Told of a run that failed before any supervisor could tell of it. */
  feed?: Feed;
}

const ID_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

export function newRunId(): string {
  const bytes = crypto.randomBytes(8);
  return [...bytes].map((b) => ID_ALPHABET[b % ID_ALPHABET.length]).join('');
}

export function checkCwd(cwd: string): string {
  const full = path.resolve(cwd);
  let stat: fs.Stats;
  try {
    stat = fs.statSync(full);
  } catch {
    throw new SwitchboardError('bad_cwd', `The folder ${full} does not exist.`, 'Pass an existing folder: --cwd on the command line, `cwd` over MCP and the HTTP API.');
  }
  if (!stat.isDirectory()) throw new SwitchboardError('bad_cwd', `${full} is not a folder.`, 'Pass a folder: --cwd on the command line, `cwd` over MCP and the HTTP API.');
  return full;
}

/** Validates a run request and builds what the agent will be started with. */
export interface PreparedStart {
  request: StartRequest;
  spec: SpawnSpec;
  /** The worktree made for it (`worktree` in the options). */
  worktree?: RunWorktree;
  /** Not local: the backend and its engine's endpoint. */
  container?: { backend: Backend; endpoint: string };
}

/** The runner a start uses: its live protocol (ACP, Codex's app-server) or one-shot JSON, where the CLI speaks both (`runners.<id>.protocol`). */
export function startRunner(options: Pick<RunOptions, 'runner' | 'resumeSessionId'>, config: SwitchboardConfig): { runner: Runner; protocol?: RunnerProtocol } {
  const protocol = protocolFor(getRunner(options.runner).id, config.runners[options.runner]?.protocol, !!options.resumeSessionId);
  return { runner: runnerFor(options.runner, protocol), protocol };
}

export function prepareStart(options: RunOptions, context: Pick<LaunchContext, 'config' | 'env'>): PreparedStart {
  const settings = context.config.runners[options.runner] ?? {};
  const { runner, protocol } = startRunner(options, context.config);
  if (!options.prompt?.trim()) throw new SwitchboardError('invalid_argument', 'The prompt is empty.', 'Say what the agent should do.');
  const refusal = options.resumeSessionId ? resumeRefusalError(runner) : undefined;
  if (refusal) throw refusal;
  if (options.model !== undefined) checkModel(runner.id, options.model, 'model');
  const cwd = checkCwd(options.cwd ?? process.cwd());
  const model = runner.id === 'custom' ? undefined : options.model ?? settings.model;
  const request: StartRequest = {
    prompt: options.prompt,
    cwd,
    settings: { binary: settings.binary || runner.defaultBinary, extraArgs: settings.extraArgs ?? [], model, permissionMode: options.permissionMode ?? settings.permissionMode, ...(settings.maxRetries !== undefined && runner.retryCap ? { maxRetries: settings.maxRetries } : {}), ...(protocol ? { protocol } : {}) },
    resumeSessionId: options.resumeSessionId,
    commandTemplate: options.command ?? settings.command,
    mcp: options.mcp && runner.takesMcpServer ? { url: options.mcp.url, tokenEnv: MCP_TOKEN_ENV, runEnv: RUN_ID_ENV } : undefined,
    hostApprovals: options.hostApprovals,
  };
  const spec = runner.build(request);
  checkArgLengths(runner, spec);
  const env = { ...context.env, ...options.env };
  const backend = parseBackend(options.backend);
  const mcpEnv: Record<string, string> = request.mcp && options.mcp ? { [MCP_TOKEN_ENV]: options.mcp.token } : {};
  if (backend.kind !== 'local') {
    // The CLI is the image's: its name is looked up on the container's PATH.
    const container = { backend, endpoint: endpointOf(backend, env) };
    return { request, spec: { ...spec, env: { ...options.env, ...mcpEnv, ...spec.env } }, container };
  }
  const lookup = findBinary(spec.command, env, cwd);
  if (!lookup.found) {
    throw new SwitchboardError(
      'runner_not_installed',
      `${runner.displayName} is not installed: "${spec.command}" was not found (looked in ${lookup.lookedIn.join(', ') || 'an empty PATH'}).`,
      runner.installHint,
      { binary: spec.command, lookedIn: lookup.lookedIn },
    );
  }
  if (runner.id !== 'custom') request.settings.binary = lookup.path;
  return { request, spec: { ...spec, command: lookup.path, env: { ...options.env, ...mcpEnv, ...spec.env } } };
}

/** The agent is told its run's id, claimed after its start was prepared (the supervisor keeps it for resumed processes too). */
export function tellRunId(prepared: PreparedStart, id: string): void {
  prepared.spec.env[RUN_ID_ENV] = id;
}

/** Claims a fresh run id by creating its folder (mkdir fails if another process took the same id). */
export function claimRunDir(stateDir: string): string {
  const paths = new StateMap(stateDir);
  ensureFolder(paths.runs);
  for (;;) {
    const id = newRunId();
    try {
      fs.mkdirSync(paths.run(id).dir, { mode: 0o700 });
      return id;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

/**
 * Records the run as queued in its claimed folder, before it is admitted (so that every process
 * sees a place in a pool's line belongs to a real run).
 */
export function recordQueued(id: string, prepared: PreparedStart, options: RunOptions, context: Pick<LaunchContext, 'stateDir' | 'env' | 'name' | 'config'>, pool: string, launcher?: RunRecord['launcher']): RunRecord {
  const { request, spec } = prepared;
  const run = new StateMap(context.stateDir).run(id);
  // The command line first, then the prompt: the supervisor redacts them in this order too, so its placeholders are these.
  const redactor = redactorFor(context.config.redaction, { ...context.env, ...options.env });
  const commandLine = clipArgs(redactor.args([spec.command, ...spec.args]));
  const prompt = keptPrompt(run, redactor.text(options.prompt));
  const record: RunRecord = {
    version: 1,
    id,
    name: context.name,
    runner: options.runner,
    commandLine,
    cwd: request.cwd,
    prompt,
    status: 'queued',
    controlSocket: run.controlSocket,
    createdAt: Date.now(),
    usage: { inputTokens: 0, outputTokens: 0 },
    links: options.links ?? {},
    startedBy: options.startedBy,
    pool,
    ...(request.settings.model ? { model: request.settings.model } : {}),
    ...(request.settings.protocol && request.settings.protocol !== 'json' ? { protocol: request.settings.protocol } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(prepared.worktree ? { worktree: prepared.worktree } : {}),
    ...(launcher ? { launcher } : {}),
    ...(prepared.container ? { container: { backend: backendName(prepared.container.backend), endpoint: prepared.container.endpoint } } : {}),
    outputBytes: 0,
    eventCount: 0,
  };
  // The supervisor rewrites this record (durably) within milliseconds of the launch, so it is not fsynced here.
  writeRecord(run, record, { durable: false });
  return record;
}

/** The prompt as the record keeps it: whole when short, else its start, the whole of it in prompt.txt beside the record. */
function keptPrompt(run: RunPaths, prompt: string): string {
  if (clipMessage(prompt) === prompt) return prompt;
  fs.writeFileSync(run.prompt, prompt, { mode: 0o600 });
  return `${clipMessage(prompt)} (the whole prompt: ${run.prompt})`;
}

/** The run's agent, alive with the run's mark though no supervisor answered for it: recorded running without one. */
function adoptStrayAgent(run: RunPaths, saved: RunRecord): RunRecord | undefined {
  const marked = processesMarked(RUN_ID_ENV, saved.id);
  if (marked.length === 0) return undefined;
  const leader = leaderOf(marked);
  const agent = saved.agent && isSameProcessAlive(saved.agent) ? saved.agent : { pid: leader.pid, startToken: leader.startToken };
  const adopted: RunRecord = {
    ...saved,
    status: 'running',
    agent,
    supervisor: undefined,
    startedAt: saved.startedAt ?? Date.now(),
    lastError: 'its supervisor died while starting it: it runs on without one (kill, status and output work; steering does not, and its exit code will not be known)',
  };
  writeRecord(run, adopted);
  return adopted;
}

/**
 * Writes what the run's supervisor is to do (plan.json), beside the record recordQueued wrote: from
 * then on any supervisor host can start it, once (see supervisor/plan.ts).
 */
export function writeLaunchPlan(id: string, prepared: PreparedStart, options: RunOptions, context: Pick<LaunchContext, 'stateDir' | 'config' | 'env'>, record: RunRecord): void {
  const { request, spec } = prepared;
  const run = new StateMap(context.stateDir).run(id);
  const controlSocket = record.controlSocket!;
  // A resumed session's CLI reports running totals that include what earlier runs already recorded.
  const runner = runnerFor(options.runner, request.settings.protocol);
  const sessionTotals = runner.usageScope === 'session' || runner.costScope === 'session';
  const usageBaseline = request.resumeSessionId && sessionTotals ? sessionUsageBaseline(context.stateDir, runner.id, request.resumeSessionId, id) : undefined;
  const container = prepared.container ? containerPlan(prepared.container.backend, context.config.containers, request.cwd, run.home, { ...context.env, DOCKER_HOST: prepared.container.endpoint }, Object.keys(spec.env), { id, copiedWorktree: run.copiedWorktree }) : undefined;
  // A resumed session's files are in the home of the container run that had it.
  if (container && request.resumeSessionId) seedResumedHome(context.stateDir, runner.id, request.resumeSessionId, id, container.home);
  writePlan(run.plan, {
    version: 1,
    runId: id,
    stateDir: context.stateDir,
    runner: options.runner,
    request,
    killGraceMs: context.config.killGraceMs,
    agentNiceness: context.config.agentNiceness,
    prices: context.config.prices,
    redaction: context.config.redaction,
    controlSocket,
    ...(usageBaseline ? { usageBaseline } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(container ? { container } : {}),
  });
}

/** What the agent's environment adds to the starting process's (the run's own variables, the MCP token). */
export const agentEnv = (prepared: PreparedStart, options: RunOptions): Record<string, string> => ({ ...options.env, ...prepared.spec.env });

const recordOf = (run: RunPaths, record: RunRecord): RunRecord => {
  const read = readRecord(run);
  return read.kind === 'ok' ? read.value : record;
};

const PLAN_TAKEN_WAIT_MS = 5_000;
const PLAN_TAKEN_POLL_MS = 50;

/**
 * The record of a run whose plan another took as it was launched: a kill (from any process), which
 * ends it as killed a moment later (see RunActions.kill), or a host that went away. Its record once
 * it has left the line, or as it is after a while; never marked failed over the kill's answer.
 */
async function leftLine(run: RunPaths, record: RunRecord): Promise<RunRecord> {
  for (const until = Date.now() + PLAN_TAKEN_WAIT_MS; ; await new Promise((resolve) => setTimeout(resolve, PLAN_TAKEN_POLL_MS))) {
    const now = recordOf(run, record);
    if (now.status !== 'queued' || Date.now() >= until) return now;
  }
}

/** Starts the supervisor of a run recorded by recordQueued and writeLaunchPlan; resolves once the agent has a pid (or the start failed). */
export async function launch(id: string, prepared: PreparedStart, options: RunOptions, context: LaunchContext, record: RunRecord): Promise<RunRecord> {
  const run = new StateMap(context.stateDir).run(id);
  try {
    await context.host.launch(id, agentEnv(prepared, options));
  } catch (error) {
    const saved = (error as SwitchboardError).details?.planTaken ? await leftLine(run, record) : recordOf(run, record);
    // A host that died mid-launch may have started the agent (a launch is claimed once, by the host
    // that took its plan): that agent is adopted, never left running untracked nor started twice.
    const adopted = adoptStrayAgent(run, saved);
    if (adopted) return adopted;
    // Killed before its agent could start: the run is there, ended, saying why; it is no failure to start (a run that failed to start is one).
    if (saved.status === 'killed') return saved;
    if (saved.status === 'queued') {
      const failed: RunRecord = { ...saved, status: 'failed', endedAt: Date.now(), lastError: (error as Error).message };
      writeRecord(run, failed);
      context.feed?.append({ type: 'agent.failed', key: runKey(id), entity: runEntity(failed) });
    }
    throw new SwitchboardError('spawn_failed', `The agent could not be started: ${(error as Error).message}`, (error as Partial<SwitchboardError>).hint, { id });
  }
  return recordOf(run, record);
}
