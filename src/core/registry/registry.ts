/**
 * The process registry: every agent run in one state directory, kept current from the runs'
 * supervisors (pushed over their control sockets) and from the folder itself (runs started by
 * other processes). An ordinary object with change events; nothing polls it in a loop.
 */
import * as fs from 'node:fs';
import type { SwitchboardConfig } from '../config';
import { Emitter, type Event } from '../events';
import { runEntity, runStatusEvent } from '../feed/entities';
import type { Feed } from '../feed/feed';
import { poolKey, runKey } from '../feed/feedEvent';
import { Lifecycle, toDisposable } from '../lifecycle';
import { SwitchboardError } from '../errors';
import { silentLogger, tagged, type Logger } from '../logger';
import { StateMap, type RunPaths } from '../state/stateMap';
import { limitStop, timeLimitReason } from '../supervisor/runLimits';
import { killTree } from '../proc/killTree';
import { runMarker } from '../runs/runMarker';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { readEvents } from '../runs/eventLog';
import { fileSize, offsetAfter, readOutput, readTail } from '../runs/outputLog';
import { redactorFor, type Redactor } from '../redact';
import { isFinished, type AgentEvent, type RunRecord, type RunStatus } from '../runs/types';
import { listingOrder, type RunBrief } from '../runs/runBrief';
import type { ApproveResult, InterruptResult, KillResult, SteerResult } from '../supervisor/protocol';
import { agentEnv, claimRunDir, launch, prepareStart, recordQueued, tellRunId, writeLaunchPlan, type LaunchContext, type PreparedStart, type RunOptions } from './launch';
import { backendName } from '../containers/containerPlan';
import { dropPlan } from '../supervisor/plan';
import { backendPool, DEFAULT_POOL, Pools, type Admission, type Cleaned, type PoolsStatus } from '../pools/pools';
import { getRunner } from '../runners/runnerTable';
import { resolveRun } from './resolveRun';
import { discardWorktree, isolateRun } from './isolateRun';
import { SupervisorHost } from './supervisorHost';
import { RunTracker, type RunChange } from './runTracker';

export type { RunChange } from './runTracker';
import { ensureStateDir } from '../state/stateDir';

export interface RegistryOptions {
  stateDir: string;
  config: SwitchboardConfig;
  /** The bundled supervisor host script (dist/supervisor.js). */
  supervisorScript: string;
  /** The Node binary to run the supervisor host with (defaults to this process's). */
  nodePath?: string;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Watch the state directory for runs started by other processes (default true). */
  watch?: boolean;
  /**
   * Switchboard's MCP server for the agents whose CLI takes one on its command line (started on
   * demand by the host); undefined: agents are not given it.
   */
  agentMcp?: () => Promise<{ url: string; token: string } | undefined>;
  /** Runs ask this host about tool calls their permission mode withholds (someone is there to answer). */
  hostApprovals?: boolean;
  /** The live feed of the state folder, told of pool changes and of runs settled here. */
  feed?: Feed;
  /**
   * A run is started right after opening (`switchboard run`): a supervisor host is found (or
   * started) while the folder is read, not after.
   */
  launchSoon?: boolean;
  /** The supervisor host to hand runs to, already looked for (the registry disposes it); else one is made. */
  host?: SupervisorHost;
}

/** How long a kill waits for a run whose host took its plan to be running (a host takes it only to start it at once). */
const START_WAIT_MS = 15_000;

/** How much longer than the grace time a supervisor may take to answer a kill. */
const KILL_ANSWER_MARGIN_MS = 5000;

/** Whether the run's own worktree is still on disk. */
const hasWorktree = (run: RunBrief): boolean => !!run.worktree && fs.existsSync(run.worktree.folder);

/** Up to how many whole records are read each from its own file (more are read at once from the record cache). */
const READ_ONE_BY_ONE = 200;

/** How many finished runs a listing shows after the live ones unless asked for every one (`list`, the Agents view). */
export const RECENT_FINISHED = 50;

/** A listing (live runs first, then finished ones newest first: list() or briefs()) split into what is shown and the older finished runs left out. */
export function recentRuns<T extends RunBrief>(runs: T[]): { shown: T[]; older: T[] } {
  let live = 0;
  while (live < runs.length && !isFinished(runs[live]!.status)) live++;
  return { shown: runs.slice(0, live + RECENT_FINISHED), older: runs.slice(live + RECENT_FINISHED) };
}

export interface RunFilter {
  status?: RunStatus;
  runner?: string;
  team?: string;
  goal?: string;
}

/** The runs that pass the filter (a copy: callers may change it). */
function filterRuns<T extends RunBrief>(runs: readonly T[], { status, runner, team, goal }: RunFilter): T[] {
  if (!status && !runner && !team && !goal) return runs.slice();
  return runs.filter((r) => (!status || r.status === status) && (!runner || r.runner === runner) && (!team || r.links.team === team) && (!goal || r.links.goal === goal));
}

export class RunRegistry extends Lifecycle {
  private readonly changes: Emitter<RunChange>;
  private readonly appended: Emitter<{ runId: string; event: AgentEvent }>;
  private readonly output: Emitter<{ runId: string; bytes: number }>;
  readonly onDidChange: Event<RunChange>;
  readonly onDidAppendEvent: Event<{ runId: string; event: AgentEvent }>;
  readonly onDidOutput: Event<{ runId: string; bytes: number }>;
  /** Things a person should know about the state directory (a corrupt file set aside, ...). */
  readonly warnings: string[] = [];
  private readonly paths: StateMap;
  private readonly log: Logger;
  private readonly tracker: RunTracker;
  private readonly host: SupervisorHost;
  private readonly pools: Pools;
  /** Names this registry gave to runs it started (so that two starting at once never get the same). */
  private readonly givenNames = new Set<string>();
  /** The listing order of the runs' briefs, and of their whole records (list()), each kept until the records change. */
  private sorted: { generation: number; runs: RunBrief[] } | undefined;
  private sortedWhole: { generation: number; runs: RunRecord[] } | undefined;

  private constructor(private options: RegistryOptions) {
    super();
    this.paths = new StateMap(options.stateDir);
    this.log = tagged(options.logger ?? silentLogger, 'registry');
    this.changes = this.register(new Emitter<RunChange>(this.log));
    this.appended = this.register(new Emitter<{ runId: string; event: AgentEvent }>(this.log));
    this.output = this.register(new Emitter<{ runId: string; bytes: number }>(this.log));
    this.onDidChange = this.changes.event;
    this.onDidAppendEvent = this.appended.event;
    this.onDidOutput = this.output.event;
    const feed = options.feed;
    this.pools = new Pools(options.stateDir, () => ({ pools: this.options.config.pools, maxWorkers: this.options.config.maxWorkers }), ({ type, pool, ...rest }) =>
      feed?.append({ type, key: poolKey(pool), entity: { pool, ...rest } }),
    );
    this.host = this.register(options.host ?? new SupervisorHost({
      stateDir: options.stateDir,
      supervisorScript: options.supervisorScript,
      nodePath: options.nodePath ?? process.execPath,
      env: options.env ?? process.env,
    }));
    this.tracker = this.register(new RunTracker(this.paths, this.log, {
      changed: (change) => this.changes.fire(change),
      event: (runId, event) => this.appended.fire({ runId, event }),
      output: (runId, bytes) => this.output.fire({ runId, bytes }),
      warn: (message) => {
        this.warnings.push(message);
        this.log.warn(message);
      },
      readopt: (record) => this.host.launch(record.id, {}, true),
      overTime: (record) => this.kill(record.id, { source: timeLimitReason(record.limits!) }),
      settled: (record, how) => feed?.append({ type: how === 'removed' ? 'agent.removed' : runStatusEvent(record.status) ?? 'agent.updated', key: runKey(record.id), entity: runEntity(record) }),
    }));
  }

  static async open(options: RegistryOptions): Promise<RunRegistry> {
    ensureStateDir(options.stateDir);
    const registry = new RunRegistry(options);
    if (options.launchSoon) registry.host.prepare();
    await registry.tracker.loadAll();
    registry.applyRetention();
    if (options.watch !== false) registry.register(registry.tracker.watch());
    const hourly = setInterval(() => registry.applyRetention(), 3600_000);
    hourly.unref();
    registry.register(toDisposable(() => clearInterval(hourly)));
    return registry;
  }

  get stateDir(): string {
    return this.options.stateDir;
  }

  /** Counts every change to the records: what is derived from them is stale once it moved (see RunTracker.generation). */
  get generation(): number {
    return this.tracker.generation;
  }

  get config(): SwitchboardConfig {
    return this.options.config;
  }

  /** The environment agents start with (where their CLIs are looked for). */
  get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** New settings apply to the runs started from now on. */
  updateConfig(config: SwitchboardConfig): void {
    this.options.config = config;
  }

  /** Running (and queued) runs first, newest first within each group: their whole records (see briefs() for a listing that shows a few). */
  list(filter: RunFilter = {}): RunRecord[] {
    if (this.sortedWhole?.generation !== this.tracker.generation && (filter.team || filter.goal)) {
      // A team's or goal's runs (links never change): only theirs read whole, not the whole folder's.
      return filterRuns(this.wholeOf(this.briefs({ team: filter.team, goal: filter.goal })), filter).sort(listingOrder);
    }
    if (this.sortedWhole?.generation !== this.tracker.generation) {
      // Every whole record read first (a finished one the record index had, from the record cache at once): this may change the order.
      this.tracker.readWhole();
      this.sortedWhole = { generation: this.tracker.generation, runs: this.wholeOf(this.briefs()) };
    }
    return filterRuns(this.sortedWhole.runs, filter);
  }

  /**
   * What list() lists, as briefs (RunBrief): a listing that counts everything and shows a page
   * reads the whole records of that page only (wholeOf).
   */
  briefs(filter: RunFilter = {}): RunBrief[] {
    if (this.sorted?.generation !== this.tracker.generation) this.sorted = { generation: this.tracker.generation, runs: this.tracker.briefs().sort(listingOrder) };
    return filterRuns(this.sorted.runs, filter);
  }

  /** The whole records of these runs (read when only their briefs were; a run gone meanwhile is left out). */
  wholeOf(runs: readonly RunBrief[]): RunRecord[] {
    // Many: every record read at once from the record cache, rather than each from its file.
    if (runs.length > READ_ONE_BY_ONE) this.tracker.readWhole();
    return runs.flatMap((r) => this.tracker.get(r.id) ?? []);
  }

  /**
   * Compares these runs' records with their files now, when they were taken from the record cache
   * without (a finished run's record is otherwise compared in the background): what is shown is
   * current. True when any changed (list or briefs again).
   */
  verify(runs: readonly RunBrief[]): boolean {
    return this.tracker.check(runs.map((r) => r.id));
  }

  /** Finds a run by id, name or unique id prefix (its record compared with its file); throws a clear error otherwise. */
  resolve(query: string): RunRecord {
    const id = resolveRun(this.tracker.briefs(), query).id;
    this.tracker.check([id]);
    // Found gone as its record was read: looked for again, as if it had not been there.
    return this.tracker.get(id) ?? this.tracker.get(resolveRun(this.tracker.briefs(), query).id) ?? resolveRun([], query);
  }

  runPaths(id: string): RunPaths {
    return this.paths.run(this.resolve(id).id);
  }

  /**
   * Starts an agent through its pool: resolves as soon as it has a pid, or at once as `queued` when
   * the pool is full (a supervisor host then keeps its place and starts it as soon as a slot frees,
   * whether or not this process is still there). A full line refuses.
   */
  async run(options: RunOptions): Promise<RunRecord> {
    if (!options.mcp && this.options.agentMcp && getRunner(options.runner).takesMcpServer) {
      const mcp = await this.options.agentMcp().catch((error: unknown) => void this.log.warn(`the agent starts without Switchboard's MCP server: ${(error as Error).message}`));
      options = { ...options, mcp: mcp ?? undefined };
    }
    if (options.hostApprovals === undefined && this.options.hostApprovals) options = { ...options, hostApprovals: true };
    const env = { ...(this.options.env ?? process.env) };
    let prepared = prepareStart(options, { config: this.options.config, env });
    if (options.name) {
      const holder = this.tracker.briefs().find((r) => r.name === options.name && !isFinished(r.status));
      if (holder) throw new SwitchboardError('name_taken', `The name "${options.name}" belongs to run ${holder.id}, which is still ${holder.status}.`, 'Choose another name, or stop that run first.');
    }
    const id = claimRunDir(this.options.stateDir);
    this.tracker.expect(id);
    const context = { stateDir: this.options.stateDir, config: this.options.config, host: this.host, env, name: options.name ?? this.nextName(options.runner), feed: this.options.feed };
    if (options.worktree) {
      try {
        prepared = await isolateRun(options, context, id, context.name);
      } catch (error) {
        this.tracker.remove(id);
        throw error;
      }
    }
    tellRunId(prepared, id);
    const pool = prepared.container ? backendPool(options.pool, backendName(prepared.container.backend)) : options.pool ?? DEFAULT_POOL;
    const queued = recordQueued(id, prepared, options, context, pool, { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' });
    writeLaunchPlan(id, prepared, options, context, queued);
    let admission: Admission;
    try {
      admission = await this.pools.request(id, pool);
    } catch (error) {
      // Refused: the run never existed for anyone but the caller, who hears why.
      this.tracker.remove(id);
      if (prepared.worktree) await discardWorktree(prepared.worktree).catch(() => undefined);
      throw error;
    }
    if (!admission.admitted) return this.handOver(id, prepared, options, queued, admission.position);
    return this.start(id, prepared, options, context, queued);
  }

  /** A run that must wait in line is handed to a supervisor host, which starts it when its turn comes (this process may be gone by then). */
  private async handOver(id: string, prepared: PreparedStart, options: RunOptions, queued: RunRecord, position: number): Promise<RunRecord> {
    this.log.info(`${queued.name} (${id}) waits for a slot in pool ${queued.pool} (${position} in line)`);
    try {
      const { launcher } = await this.host.keep(id, agentEnv(prepared, options), { pools: this.options.config.pools, maxWorkers: this.options.config.maxWorkers });
      await this.tracker.adopt({ ...queued, launcher });
    } catch (error) {
      // No host would keep it: it leaves the line (unless killed meanwhile: then the kill has its plan) and ends with why.
      if (dropPlan(this.paths.run(id).plan)) {
        await this.pools.release(id).catch(() => undefined);
        await this.tracker.adopt(queued);
        this.tracker.finishUnsupervised(id, 'failed', `no supervisor host would keep its place in line: ${(error as Error).message}`);
      }
      throw error;
    }
    return this.tracker.get(id) ?? queued;
  }

  /** Resolves once a queued run has left the line (started, or ended), or after `timeoutMs` with the run as it is then. */
  whenStarted(query: string, timeoutMs?: number): Promise<RunRecord> {
    const id = this.resolve(query).id;
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        listener.dispose();
        resolve(this.resolve(id));
      }, timeoutMs);
      const check = (): void => {
        const run = this.tracker.get(id);
        if (run?.status === 'queued') return;
        listener.dispose();
        clearTimeout(timer);
        resolve(run ?? this.resolve(id));
      };
      const listener = this.onDidChange(({ run }) => run.id === id && check());
      check();
    });
  }

  /** Checks a run request as `run` would (runner, prompt, model, folder, the CLI installed), starting nothing. */
  check(options: RunOptions): void {
    prepareStart(options, { config: this.options.config, env: { ...(this.options.env ?? process.env) } });
  }

  private async start(id: string, prepared: PreparedStart, options: RunOptions, context: LaunchContext, queued: RunRecord): Promise<RunRecord> {
    try {
      const record = await launch(id, prepared, options, context, queued);
      this.log.info(`started ${record.name} (${record.id}, pid ${record.agent?.pid}) with ${record.runner}`);
      await this.tracker.adopt(record);
      return this.tracker.get(id) ?? record;
    } catch (error) {
      await this.tracker.reload(id);
      throw error;
    }
  }

  /** The pools: who runs, who waits, and the counts. */
  async poolsStatus(): Promise<PoolsStatus> {
    await this.pools.cleanup();
    return this.pools.status();
  }

  /** Frees slots of runs that ended and places in line whose launcher is gone. */
  poolsCleanup(): Promise<Cleaned> {
    return this.pools.cleanup();
  }

  /** `<runner>-<n>`, free: not the name of a known run, nor one given here to a run still starting (starts overlap). */
  private nextName(runner: string): string {
    const taken = new Set([...this.tracker.briefs().map((r) => r.name), ...this.givenNames]);
    let n = this.tracker.briefs().filter((r) => r.runner === runner).length + 1;
    while (taken.has(`${runner}-${n}`)) n++;
    this.givenNames.add(`${runner}-${n}`);
    return `${runner}-${n}`;
  }

  async kill(query: string, options: { force?: boolean; source: string }): Promise<KillResult> {
    const run = this.resolve(query);
    if (isFinished(run.status)) return { killed: false, pid: run.agent?.pid, status: run.status };
    if (run.status === 'queued' && !run.supervisor) {
      // Still waiting for a slot. Whoever removes its plan has it: taken here, it can never start; then it leaves the line.
      const taken = dropPlan(this.paths.run(run.id).plan);
      // Its plan already taken: a host is starting it this moment. Once it runs it is killed as any running run.
      const started = taken ? run : await this.whenStarted(run.id, START_WAIT_MS);
      if (started.status !== 'queued') return this.kill(run.id, options);
      await this.pools.release(run.id);
      const record = this.tracker.finishUnsupervised(run.id, 'killed', `killed by ${options.source} while waiting for a slot`);
      return { killed: true, status: record?.status ?? 'killed' };
    }
    const client = this.tracker.client(run.id);
    if (client) {
      try {
        // Its answer comes once the agent is gone: within the grace time, and a little more.
        return await client.request<KillResult>({ op: 'kill', force: options.force ?? false, source: options.source }, this.options.config.killGraceMs + KILL_ANSWER_MARGIN_MS);
      } catch (error) {
        // A supervisor that does not answer, or went away while asked (its host was killed), leaves the kill to us.
        if ((error as SwitchboardError).code !== 'unresponsive' && client.isOpen) throw error;
        this.log.warn(`the supervisor of ${run.name} ${client.isOpen ? 'does not answer' : 'went away'}; its process tree is killed from here`);
      }
    }
    // No supervisor to ask (or none that answers): the agent (if it still lives) is killed from here.
    if (run.agent && isSameProcessAlive(run.agent)) {
      // Its supervisor may still live (only unreachable) and record the agent's death as a failure: the kill is noted first so it sticks.
      // A limit (`its time limit of …`) stops a run, as its supervisor would have said; a person or a process kills it.
      const reason = limitStop(options.source) ?? `killed by ${options.source}`;
      this.tracker.noteKill(run.id, reason);
      await killTree(run.agent, { signal: 'SIGTERM', graceMs: options.force ? 0 : this.options.config.killGraceMs, marker: runMarker(run.id) });
      const record = this.tracker.finishUnsupervised(run.id, 'killed', reason);
      return { killed: true, pid: run.agent.pid, status: record?.status ?? 'killed' };
    }
    const record = await this.tracker.reload(run.id);
    if (record && !isFinished(record.status) && record.agent && !isSameProcessAlive(record.agent)) {
      // Its agent is gone and no supervisor answers: nothing runs. It is recorded killed, so that waits end.
      const reason = `killed by ${options.source} (its agent had already exited, and its supervisor did not answer)`;
      this.tracker.noteKill(run.id, reason);
      const done = this.tracker.finishUnsupervised(run.id, 'killed', reason);
      return { killed: false, pid: record.agent.pid, status: done?.status ?? 'killed' };
    }
    return { killed: false, pid: run.agent?.pid, status: record?.status ?? run.status };
  }

  async interrupt(query: string, source: string): Promise<InterruptResult> {
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (client) return client.request<InterruptResult>({ op: 'interrupt', source });
    if (run.agent && isSameProcessAlive(run.agent)) {
      process.kill(run.agent.pid, 'SIGINT');
      return { delivered: 'signal' };
    }
    throw new SwitchboardError('not_running', `Run ${run.name} is no longer running.`);
  }

  async steer(query: string, message: string, source: string): Promise<SteerResult> {
    if (!message.trim()) throw new SwitchboardError('invalid_argument', 'The steering message is empty.', 'Say what the agent should do differently.');
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (!client) {
      throw new SwitchboardError('not_steerable', `Run ${run.name} lost its supervisor, so nothing can reach its input.`, 'It can still be killed; start a new run to continue.');
    }
    return client.request<SteerResult>({ op: 'steer', message, source });
  }

  /** Answers the oldest tool call the run asks approval for. */
  async approve(query: string, allow: boolean, source: string, message?: string): Promise<ApproveResult> {
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (!client) throw new SwitchboardError('not_steerable', `Run ${run.name} lost its supervisor, so nothing can reach its input.`, 'Kill it, or let it time out.');
    return client.request<ApproveResult>({ op: 'approve', allow, source, ...(message ? { message } : {}) });
  }

  private requireRunning(query: string): RunRecord {
    const run = this.resolve(query);
    if (run.status !== 'running') {
      throw new SwitchboardError('not_running', `Run ${run.name} is ${run.status}, not running.`, run.runner !== 'custom' && run.sessionId ? 'Its session can be resumed with a new run.' : undefined);
    }
    return run;
  }

  /** Resolves when the run ends, or after `timeoutMs` with `timedOut: true` and the run still going. */
  wait(query: string, timeoutMs?: number): Promise<{ record: RunRecord; timedOut: boolean }> {
    const run = this.resolve(query);
    if (isFinished(run.status)) return Promise.resolve({ record: run, timedOut: false });
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const listener = this.onDidChange((change) => {
        if (change.run.id !== run.id || !isFinished(change.run.status)) return;
        if (timer) clearTimeout(timer);
        listener.dispose();
        resolve({ record: change.run, timedOut: false });
      });
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          listener.dispose();
          resolve({ record: this.tracker.get(run.id) ?? run, timedOut: true });
        }, timeoutMs);
      }
    });
  }

  /**
   * Raw output bytes from a byte cursor (or from the first chunk after a timestamp). `redacted`: from
   * the copy with secrets redacted that a plain-text runner's supervisor writes (`output.log`, redacted
   * as read, when there is none); its cursors are offsets in what was read.
   */
  readOutput(query: string, from: { cursor?: number; sinceTimestamp?: number; redacted?: boolean }, limit = 256 * 1024): { data: Buffer; nextCursor: number; size: number } {
    const run = this.resolve(query);
    const paths = this.paths.run(run.id);
    const file = from.redacted ? redactedFile(paths) : paths.output;
    const cursor = from.sinceTimestamp !== undefined && file === paths.output ? offsetAfter(paths, from.sinceTimestamp) : from.cursor ?? 0;
    const read = readOutput(paths, cursor, limit, isFinished(run.status), file);
    return from.redacted && file === paths.output ? { ...read, data: Buffer.from(this.redactor().text(read.data.toString('utf8'))) } : read;
  }

  /** For output without a redacted copy (a structured runner's, a run from before copies): config's and the environment's secrets. */
  private redactor(): Redactor {
    return redactorFor(this.options.config.redaction, this.options.env ?? process.env);
  }

  tail(query: string, bytes = this.options.config.outputTailBytes, options: { redacted?: boolean } = {}): string {
    const paths = this.runPaths(query);
    const file = options.redacted ? redactedFile(paths) : paths.output;
    const text = readTail(paths, bytes, file).toString('utf8');
    return options.redacted && file === paths.output ? this.redactor().text(text) : text;
  }

  /**
   * Events after `afterSeq`: from memory when the pushed ones reach back that far (a follower
   * asking every few hundred ms never rereads the file), else from disk completed by those pushed
   * but not yet flushed there.
   */
  events(query: string, afterSeq = 0, limit = Number.MAX_SAFE_INTEGER): AgentEvent[] {
    const id = this.resolve(query).id;
    const recent = this.tracker.recentEvents(id);
    if (recent.length > 0 && recent[0]!.seq <= afterSeq + 1) return recent.filter((e) => e.seq > afterSeq).slice(0, limit);
    const disk = readEvents(this.paths.run(id), afterSeq, limit);
    const last = disk.at(-1)?.seq ?? afterSeq;
    const pushed = this.tracker.recentEvents(id).filter((e) => e.seq > last);
    return [...disk, ...pushed].slice(0, limit);
  }

  /** Removes a finished run and its logs from the list and the disk (not while its worktree is there: it would be lost track of). */
  remove(query: string): RunRecord {
    const run = this.resolve(query);
    if (!isFinished(run.status)) throw new SwitchboardError('invalid_argument', `Run ${run.name} is ${run.status}; only finished runs can be removed.`, 'Kill it first.');
    if (hasWorktree(run)) {
      throw new SwitchboardError('invalid_argument', `Run ${run.name} still has its worktree ${run.worktree!.folder} (branch ${run.worktree!.branch}).`, `Merge it (switchboard merge ${run.name}) or remove the worktree (switchboard cleanup ${run.name}) first; its branch stays either way.`);
    }
    this.tracker.remove(run.id);
    return run;
  }

  /** Removes finished runs older than the retention time; never a running one. */
  applyRetention(now = Date.now()): number {
    const cutoff = now - this.options.config.retentionHours * 3600_000;
    // A run whose worktree is still there is kept: its record is what diff, merge and cleanup go by.
    const old = this.tracker.briefs().filter((r) => isFinished(r.status) && (r.endedAt ?? r.createdAt) < cutoff && !hasWorktree(r));
    for (const run of old) this.tracker.remove(run.id);
    if (old.length > 0) this.log.info(`retention removed ${old.length} finished run(s)`);
    return old.length;
  }


}

/** The redacted copy of a plain-text runner's output, or `output.log` for runs from before there was one. */
const redactedFile = (paths: RunPaths): string => (fs.existsSync(paths.outputRedacted) || fileSize(paths.output) === 0 ? paths.outputRedacted : paths.output);
