/**
 * The process registry: every agent run in one state directory, kept current from the runs'
 * supervisors (pushed over their control sockets) and from the folder itself (runs started by
 * other processes). An ordinary object with change events; nothing polls it in a loop.
 */
import * as fs from 'node:fs';
import type { SwitchboardConfig } from '../config';
import { Emitter, type Event } from '../events';
import { Warnings } from './warnings';
import { runEntity, runStatusEvent } from '../feed/entities';
import type { Feed } from '../feed/feed';
import { poolKey, runKey } from '../feed/feedEvent';
import { Lifecycle, toDisposable } from '../lifecycle';
import { SwitchboardError } from '../errors';
import { silentLogger, tagged, type Logger } from '../logger';
import { StateMap, type RunPaths } from '../state/stateMap';
import { timeLimitReason } from '../supervisor/runLimits';
import { startTokenOf } from '../proc/processTable';
import { isFinished, type AgentEvent, type RunRecord } from '../runs/types';
import { listingOrder, type RunBrief } from '../runs/runBrief';
import type { ApproveResult, InterruptResult, KillResult, SteerResult } from '../supervisor/protocol';
import { agentEnv, claimRunDir, launch, prepareStart, recordQueued, startRunner, tellRunId, writeLaunchPlan, type LaunchContext, type PreparedStart, type RunOptions } from './launch';
import { backendName } from '../containers/containerPlan';
import { dropPlan } from '../supervisor/plan';
import { backendPool, DEFAULT_POOL, Pools, type Admission, type Cleaned, type PoolsStatus } from '../pools/pools';
import { resolveRun } from './resolveRun';
import { discardWorktree, isolateRun } from './isolateRun';
import { openingUpkeep } from './openingUpkeep';
import { SupervisorHost } from './supervisorHost';
import { RunTracker, type RunChange } from './runTracker';
import { RunActions } from './runActions';
import { RunNames } from './runNames';
import { RunReading } from './runReading';
import { filterRuns, type RunFilter } from './runListing';

export type { RunChange } from './runTracker';
export { RECENT_FINISHED, recentCount, recentRuns, type RunFilter } from './runListing';
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

/** Whether the run's own worktree is still on disk. */
const hasWorktree = (run: RunBrief): boolean => !!run.worktree && fs.existsSync(run.worktree.folder);

/** Up to how many whole records are read each from its own file (more are read at once from the record cache). */
const READ_ONE_BY_ONE = 200;

export class RunRegistry extends Lifecycle {
  private readonly changes: Emitter<RunChange>;
  private readonly appended: Emitter<{ runId: string; event: AgentEvent }>;
  private readonly output: Emitter<{ runId: string; bytes: number }>;
  readonly onDidChange: Event<RunChange>;
  readonly onDidAppendEvent: Event<{ runId: string; event: AgentEvent }>;
  readonly onDidOutput: Event<{ runId: string; bytes: number }>;
  /** Things a person should know about the state directory (a corrupt file set aside, ...): what warn() was told. */
  readonly warnings: Warnings;
  private readonly paths: StateMap;
  private readonly log: Logger;
  private readonly tracker: RunTracker;
  private readonly host: SupervisorHost;
  private readonly pools: Pools;
  /** The names of new runs, claimed across the processes of the folder. */
  private readonly names: RunNames;
  /** The listing order of the runs' briefs, and of their whole records (list()), each kept until the records change. */
  private sorted: { generation: number; runs: RunBrief[] } | undefined;
  private sortedWhole: { generation: number; runs: RunRecord[] } | undefined;
  /** Kill, interrupt, steer, approve and wait (see RunActions). */
  private readonly actions: RunActions;
  /** Output and events (see RunReading). */
  private readonly reading: RunReading;

  private constructor(private options: RegistryOptions) {
    super();
    this.paths = new StateMap(options.stateDir);
    this.log = tagged(options.logger ?? silentLogger, 'registry');
    this.warnings = this.register(new Warnings(this.log));
    this.changes = this.register(new Emitter<RunChange>(this.log));
    this.appended = this.register(new Emitter<{ runId: string; event: AgentEvent }>(this.log));
    this.output = this.register(new Emitter<{ runId: string; bytes: number }>(this.log));
    this.onDidChange = this.changes.event;
    this.onDidAppendEvent = this.appended.event;
    this.onDidOutput = this.output.event;
    const feed = options.feed;
    this.pools = new Pools(options.stateDir, () => ({ pools: this.options.config.pools, maxWorkers: this.options.config.maxWorkers }), ({ type, pool, ...rest }) =>
      feed?.append({ type, key: poolKey(pool), entity: { pool, ...rest } }), (message) => this.warn(message));
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
      warn: (message) => this.warn(message),
      readopt: (record) => this.host.launch(record.id, {}, true),
      overTime: (record) => this.kill(record.id, { source: timeLimitReason(record.limits!) }),
      settled: (record, how) => feed?.append({ type: how === 'removed' ? 'agent.removed' : runStatusEvent(record.status) ?? 'agent.updated', key: runKey(record.id), entity: runEntity(record) }),
    }));
    this.names = new RunNames(options.stateDir, () => this.tracker.briefs(), this.log);
    this.actions = new RunActions(this, this.tracker, this.paths, this.pools, this.log);
    this.reading = new RunReading(this, this.tracker, this.paths);
  }

  static async open(options: RegistryOptions): Promise<RunRegistry> {
    ensureStateDir(options.stateDir);
    const registry = new RunRegistry(options);
    if (options.launchSoon) registry.host.prepare();
    await registry.tracker.loadAll();
    registry.applyRetention();
    await openingUpkeep(registry.paths, registry.pools, registry.log);
    if (options.watch !== false) registry.register(registry.tracker.watch());
    const hourly = setInterval(() => registry.applyRetention(), 3600_000).unref();
    registry.register(toDisposable(() => clearInterval(hourly)));
    return registry;
  }

  warn(message: string): void {
    this.warnings.add(message);
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

  /**
   * The whole records of these runs (read when only their briefs were; a run gone meanwhile is left
   * out). `each`: each read from its own file however many they are, for a caller that wants a small
   * part of a big folder (today's runs of a week's ten thousand) and no other record in memory.
   */
  wholeOf(runs: readonly RunBrief[], { each = false }: { each?: boolean } = {}): RunRecord[] {
    // Many: every record read at once from the record cache, rather than each from its file.
    if (runs.length > READ_ONE_BY_ONE && !each) this.tracker.readWhole();
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
    // An exact id (what tools mostly pass) is found without a list of every run's brief.
    const id = this.tracker.has(query.trim()) ? query.trim() : resolveRun(this.tracker.briefs(), query).id;
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
    if (!options.mcp && this.options.agentMcp && startRunner(options, this.options.config).runner.takesMcpServer) {
      const mcp = await this.options.agentMcp().catch((error: unknown) => void this.log.warn(`the agent starts without Switchboard's MCP server: ${(error as Error).message}`));
      options = { ...options, mcp: mcp ?? undefined };
    }
    if (options.hostApprovals === undefined && this.options.hostApprovals) options = { ...options, hostApprovals: true };
    const env = { ...(this.options.env ?? process.env) };
    let prepared = prepareStart(options, { config: this.options.config, env });
    if (options.name !== undefined) this.names.checkWanted(options.name);
    const id = claimRunDir(this.options.stateDir);
    this.tracker.expect(id);
    let name: string;
    try {
      name = await this.names.claim(id, options.runner, options.name);
    } catch (error) {
      this.tracker.remove(id);
      throw error;
    }
    const context = { stateDir: this.options.stateDir, config: this.options.config, host: this.host, env, name, feed: this.options.feed };
    // A start refused before its record is written: the run never existed for anyone but the caller.
    const drop = (): void => {
      this.tracker.remove(id);
      this.names.release([{ name, id }]);
    };
    if (options.worktree) {
      try {
        prepared = await isolateRun(options, context, id, context.name);
      } catch (error) {
        drop();
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
      drop();
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
    return this.actions.whenStarted(query, timeoutMs);
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

  kill(query: string, options: { force?: boolean; source: string }): Promise<KillResult> {
    return this.actions.kill(query, options);
  }

  interrupt(query: string, source: string): Promise<InterruptResult> {
    return this.actions.interrupt(query, source);
  }

  steer(query: string, message: string, source: string): Promise<SteerResult> {
    return this.actions.steer(query, message, source);
  }

  /** Answers the oldest tool call the run asks approval for. */
  approve(query: string, allow: boolean, source: string, message?: string): Promise<ApproveResult> {
    return this.actions.approve(query, allow, source, message);
  }

  /** Resolves when the run ends, or after `timeoutMs` with `timedOut: true` and the run still going. */
  wait(query: string, timeoutMs?: number): Promise<{ record: RunRecord; timedOut: boolean }> {
    return this.actions.wait(query, timeoutMs);
  }

  /**
   * Raw output bytes from a byte cursor (or from the first chunk after a timestamp). `redacted`: from
   * the copy with secrets redacted that a plain-text runner's supervisor writes (`output.log`, redacted
   * as read, when there is none); its cursors are offsets in what was read.
   */
  readOutput(query: string, from: { cursor?: number; sinceTimestamp?: number; redacted?: boolean }, limit = 256 * 1024): { data: Buffer; nextCursor: number; size: number } {
    return this.reading.readOutput(query, from, limit);
  }

  tail(query: string, bytes = this.options.config.outputTailBytes, options: { redacted?: boolean } = {}): string {
    return this.reading.tail(query, bytes, options);
  }

  /**
   * Events after `afterSeq`: from memory when the pushed ones reach back that far (a follower
   * asking every few hundred ms never rereads the file), else from disk completed by those pushed
   * but not yet flushed there.
   */
  events(query: string, afterSeq = 0, limit = Number.MAX_SAFE_INTEGER): AgentEvent[] {
    return this.reading.events(query, afterSeq, limit);
  }

  /** Removes a finished run and its logs from the list and the disk (not while its worktree is there: it would be lost track of). */
  remove(query: string): RunRecord {
    const run = this.resolve(query);
    if (!isFinished(run.status)) throw new SwitchboardError('invalid_argument', `Run ${run.name} is ${run.status}; only finished runs can be removed.`, 'Kill it first.');
    if (hasWorktree(run)) {
      throw new SwitchboardError('invalid_argument', `Run ${run.name} still has its worktree ${run.worktree!.folder} (branch ${run.worktree!.branch}).`, `Merge it (switchboard merge ${run.name}) or remove the worktree (switchboard cleanup ${run.name}) first; its branch stays either way.`);
    }
    this.tracker.remove(run.id);
    this.names.release([run]);
    return run;
  }

  /** Removes finished runs older than the retention time; never a running one. */
  applyRetention(now = Date.now()): number {
    const cutoff = now - this.options.config.retentionHours * 3600_000;
    // A run whose worktree is still there is kept: its record is what diff, merge and cleanup go by.
    const old = this.tracker.briefs().filter((r) => isFinished(r.status) && (r.endedAt ?? r.createdAt) < cutoff && !hasWorktree(r));
    for (const run of old) this.tracker.remove(run.id);
    this.names.release(old);
    if (old.length > 0) this.log.info(`retention removed ${old.length} finished run(s)`);
    return old.length;
  }
}
