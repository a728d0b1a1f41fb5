/**
 * Teams over one state folder, for every surface (CLI, MCP, the Teams view): starting them (they run
 * in this process), their records, shutting down, adding and cancelling tasks (asking the owning
 * process when it is another one), the DAG, merge scores, merging a worker's branch, a worker's
 * diff, and removing worktrees once their work is merged or the user says so.
 */
import * as fs from 'node:fs';
import { criticalPath } from '../dag/graph';
import { renderDag } from '../dag/render';
import type { Task, TaskSpec } from '../dag/task';
import { errorMessage, SwitchboardError } from '../errors';
import { Emitter, type Disposable, type Event } from '../events';
import type { Feed } from '../feed/feed';
import { teamKey } from '../feed/feedEvent';
import { Lifecycle, toDisposable } from '../lifecycle';
import { silentLogger, tagged, type Logger } from '../logger';
import { branchChanges, type BranchChanges } from '../git/branchChanges';
import { findRepo } from '../git/gitCommand';
import { mergeWorkerBranch, type MergeOutcome } from '../git/merge';
import { conflictMatrix, type ConflictMatrix } from '../git/mergeScore';
import { removeWorkerWorktree } from '../git/worktreeRemoval';
import { isSameProcessAlive } from '../proc/processTable';
import type { RunRegistry } from '../registry/registry';
import { isFinished, type RunGuard } from '../runs/types';
import { PLAN_TASK } from './planner';
import { Team } from './team';
import type { TeamContext, TeamOptions } from './teamContext';
import { TeamFeed } from './teamFeed';
import { askOwner, type OwnerServer } from '../owner/ownerServer';
import type { TeamRequest } from './teamRequests';
import { cancelUnfinished, isActiveTeam, listTeams, loadTeam, saveTeam, withTakeoverLock, type TeamRecord, type TeamWorker } from './teamStore';
import { readEach } from '../store/readEach';

export type TeamRunOptions = Omit<TeamOptions, 'name'> & {
  name?: string;
  /** Asked before each of its runs starts; throws to refuse, else gives its limits (a goal's budget). */
  guard?: RunGuard;
};

export interface DagView {
  team: string;
  nodes: { id: string; title: string; status: Task['status']; worker?: string; depends_on: string[] }[];
  edges: { from: string; to: string }[];
  critical_path: { ids: string[]; duration_ms: number };
  ascii: string;
}

/** A team as its status shows it: the record, plus what its runs are doing and have spent. */
export interface TeamStatusView {
  team: TeamRecord;
  /** Tasks by status (only the statuses some task has). */
  counts: Partial<Record<Task['status'], number>>;
  workers: { name: string; role: string; runner: string; branch?: string; cwd: string; run?: { id: string; name: string; status: string; task?: string } }[];
  spend: { runs: number; usd: number; usdKnown: boolean; inputTokens: number; outputTokens: number };
  /** False when the team is active but the process that ran it has exited. */
  owned: boolean;
}

export interface WorkerRemoval {
  worker: string;
  removed: boolean;
  /** Why it was kept (unmerged commits, uncommitted changes). */
  reason?: string;
}

/** How long another process's answer is awaited (a graceful shutdown waits for the runs to stop). */
const REPLY_TIMEOUT_MS = 120_000;

export interface TeamServiceOptions {
  /** The live feed the teams run here report to. */
  feed?: Feed;
  logger?: Logger;
  /** This process's owner socket (shared with goals; its maker closes it). */
  owner: OwnerServer;
}

export class TeamService extends Lifecycle {
  private readonly live = new Map<string, { team: Team; listener: Disposable; ended: Promise<void>; end: () => void }>();
  private readonly changes: Emitter<TeamRecord>;
  /** A team started here changed. */
  readonly onDidChange: Event<TeamRecord>;
  /** Where other processes ask about the teams run here (listening from the first one). */
  private readonly owner: OwnerServer;
  private readonly log: Logger;

  constructor(private readonly registry: RunRegistry, private readonly options: TeamServiceOptions) {
    super();
    this.log = tagged(options.logger ?? silentLogger, 'teams');
    this.changes = this.register(new Emitter<TeamRecord>(this.log));
    this.onDidChange = this.changes.event;
    this.register(toDisposable(() => this.letGo()));
    this.owner = options.owner;
    this.owner.handle('team', (team, request) => this.answer(team, request as TeamRequest));
  }

  /** Starts a team in this process; resolves once its workers are made (a planner may still be planning). */
  async run(options: TeamRunOptions): Promise<TeamRecord> {
    const name = options.name?.trim() || this.freshName();
    const { guard, ...rest } = options;
    return this.hold(await Team.start(await this.context(guard), { ...rest, name }));
  }

  /** Takes over an active team whose process has exited; it runs on in this process. */
  async resume(name: string, guard?: RunGuard): Promise<TeamRecord> {
    if (this.team(name)) return this.get(name);
    // A name no team has is told so (its lock's folder is not there to be made in).
    loadTeam(this.registry.stateDir, name);
    const context = await this.context(guard);
    // The record is read under the lock: another process may have just taken the team over.
    return this.hold(await withTakeoverLock(this.registry.stateDir, name, () => Team.resume(context, loadTeam(this.registry.stateDir, name))));
  }

  /** What a team run here works with; the owner socket listens before any team names it. */
  private async context(guard?: RunGuard): Promise<TeamContext> {
    if (this.isDisposed) throw new SwitchboardError('not_running', 'Switchboard is closing; it starts no team now.');
    await this.owner.listen();
    return { registry: this.registry, feed: this.options.feed, ownerSocket: this.owner.socket, ...(guard ? { guard } : {}) };
  }

  /** Another process asks about a team run here. */
  private answer(name: string, request: TeamRequest): Promise<unknown> {
    const team = this.team(name);
    if (!team) return Promise.reject(new SwitchboardError('not_running', `Team ${name} is no longer run by the process that was asked (it ended, or was let go).`, `See \`switchboard team status ${name}\`.`));
    return team.handle(request);
  }

  /** Resumes every active team left without a process that `mine` accepts (a window's own workspace, say). */
  async adoptOrphans(mine: (record: TeamRecord) => boolean): Promise<TeamRecord[]> {
    const adopted: TeamRecord[] = [];
    for (const record of this.list()) {
      // A goal's team is resumed with its goal (which guards its budget), not on its own.
      if (isActiveTeam(record.status) && !record.goal && !this.isOwned(record) && mine(record)) adopted.push(await this.resume(record.name));
    }
    return adopted;
  }

  private hold(team: Team): TeamRecord {
    const name = team.record.name;
    const listener = team.onDidChange((record) => {
      this.changes.fire(record);
      if (!isActiveTeam(record.status)) void this.ended(name);
    });
    let end!: () => void;
    const ended = new Promise<void>((resolve) => (end = resolve));
    this.live.set(name, { team, listener, ended, end });
    this.changes.fire(team.record);
    // It may have ended before it was held (a single task that could not start, a resumed team whose runs all ended).
    if (!isActiveTeam(team.record.status)) void this.ended(name);
    return team.record;
  }

  /** Resolves with the record once a team run here has ended and its merged worktrees are removed. */
  async finished(name: string): Promise<TeamRecord> {
    await this.live.get(name)?.ended;
    return this.get(name);
  }

  /** The live team object, when this process runs it. */
  team(name: string): Team | undefined {
    return this.live.get(name)?.team;
  }

  list(): TeamRecord[] {
    return readEach(listTeams(this.registry.stateDir), (name) => this.get(name), (message) => this.registry.warn(message)).sort((a, b) => b.createdAt - a.createdAt);
  }

  get(name: string): TeamRecord {
    return this.team(name)?.record ?? loadTeam(this.registry.stateDir, name);
  }

  /** Whether a process still runs the team's scheduler (false: an active team whose process exited). */
  isOwned(record: TeamRecord): boolean {
    return this.live.has(record.name) || isSameProcessAlive(record.owner);
  }

  status(name: string): TeamStatusView {
    const team = this.get(name);
    const runs = this.registry.list({ team: name });
    const counts: TeamStatusView['counts'] = {};
    for (const t of team.tasks) counts[t.status] = (counts[t.status] ?? 0) + 1;
    const workers = team.workers.map((w) => {
      // The worker's latest run: the task it works now, or the last one it did.
      const latest = team.tasks.filter((t) => t.worker === w.name && t.runId).sort((a, b) => (b.startedAt ?? 0) - (a.startedAt ?? 0))[0];
      const run = latest && runs.find((r) => r.id === latest.runId);
      const planner = !run && w.role === 'planner' ? runs.filter((r) => r.links.task === PLAN_TASK).at(-1) : undefined;
      const shown = run ?? planner;
      return { name: w.name, role: w.role, runner: w.runner, ...(w.branch ? { branch: w.branch } : {}), cwd: w.cwd, ...(shown ? { run: { id: shown.id, name: shown.name, status: shown.status, task: shown.links.task } } : {}) };
    });
    const spend = { runs: runs.length, usd: 0, usdKnown: true, inputTokens: 0, outputTokens: 0 };
    for (const r of runs) {
      spend.inputTokens += r.usage.inputTokens;
      spend.outputTokens += r.usage.outputTokens;
      if (r.usage.usd === undefined) spend.usdKnown = spend.usdKnown && r.usage.inputTokens + r.usage.outputTokens === 0;
      else spend.usd += r.usage.usd;
    }
    return { team, counts, workers, spend, owned: !isActiveTeam(team.status) || this.isOwned(team) };
  }

  async shutdown(name: string, force = false): Promise<TeamRecord> {
    const record = this.get(name);
    if (!isActiveTeam(record.status)) return record;
    const team = this.team(name);
    if (team) return team.shutdown({ force });
    if (isSameProcessAlive(record.owner)) {
      // A team that ended while it was asked (it finished, or its shutdown came first) is what was wanted.
      await this.ask(record, { op: 'shutdown', force }).catch((error: unknown) => {
        if (isActiveTeam(loadTeam(this.registry.stateDir, name).status)) throw error;
      });
      return loadTeam(this.registry.stateDir, name);
    }
    // Nobody runs its scheduler any more: stop what is left of its runs here.
    const left = this.registry.list({ team: name }).filter((r) => !isFinished(r.status));
    // Work cut short makes it interrupted (as stopTeam says): a run still going, or a task whose run ended with nobody to take its end (stopped at its goal's budget, say).
    const cutShort = left.length > 0 || record.tasks.some((t) => t.status === 'running');
    for (const run of left) await this.registry.kill(run.id, { source: `team ${name} shutdown`, force }).catch(() => undefined);
    cancelUnfinished(record.tasks);
    const before = new TeamFeed(this.options.feed, loadTeam(this.registry.stateDir, name));
    const ended = { ...record, status: cutShort ? ('interrupted' as const) : ('shutdown' as const), endedAt: Date.now() };
    saveTeam(this.registry.stateDir, ended);
    before.saved(ended);
    return ended;
  }

  async addTasks(name: string, specs: TaskSpec[]): Promise<Task[]> {
    const team = this.team(name);
    if (team) return team.addTasks(specs);
    return this.ask(this.active(name), { op: 'add', tasks: specs });
  }

  async cancelTask(name: string, taskId: string): Promise<Task> {
    const team = this.team(name);
    if (team) return team.cancelTask(taskId);
    return this.ask(this.active(name), { op: 'cancel', taskId });
  }

  /** Tries a failed or cancelled task of an active team again (see Scheduler.retry). */
  async retryTask(name: string, taskId: string): Promise<Task> {
    const team = this.team(name);
    if (team) return team.retryTask(taskId);
    return this.ask(this.active(name), { op: 'retry', taskId });
  }

  dag(name: string): DagView {
    const { tasks } = this.get(name);
    const critical = criticalPath(tasks);
    return {
      team: name,
      nodes: tasks.map((t) => ({ id: t.id, title: t.title, status: t.status, ...(t.worker ? { worker: t.worker } : {}), depends_on: t.dependsOn })),
      edges: tasks.flatMap((t) => t.dependsOn.map((d) => ({ from: d, to: t.id }))),
      critical_path: { ids: critical.ids, duration_ms: critical.durationMs },
      ascii: renderDag(tasks),
    };
  }

  /** Conflict scores of every pair of worker branches and of each against the base. */
  async mergeStatus(name: string): Promise<ConflictMatrix> {
    const record = this.get(name);
    const { repo, base } = await this.repoOf(record);
    return conflictMatrix(repo, this.branches(record).map((w) => w.branch!), base);
  }

  /** What a worker's branch changed since it left the base. */
  async workerChanges(name: string, workerName: string): Promise<BranchChanges & { repo: string }> {
    const record = this.get(name);
    const worker = this.worker(record, workerName);
    const { repo, base } = await this.repoOf(record);
    return { ...(await branchChanges(repo, worker.branch!, base)), repo };
  }

  /** Merges a worker's branch into the base; once the team has ended, its worktree (now merged) goes too. */
  async mergeWorker(name: string, workerName: string): Promise<MergeOutcome & { removedWorktree: boolean }> {
    const record = this.get(name);
    const worker = this.worker(record, workerName);
    const { base } = await this.repoOf(record);
    const done = record.tasks.filter((t) => t.worker === worker.name && t.status === 'done').map((t) => `${t.id}: ${t.title}`);
    const merge = { team: name, worker: worker.name, branch: worker.branch, base };
    const feed = this.options.feed;
    feed?.append({ type: 'merge.started', key: teamKey(name), entity: merge });
    let outcome: MergeOutcome;
    try {
      outcome = await mergeWorkerBranch({ workspace: record.workspace, team: name, worker: worker.name, base, body: done.length ? `Tasks done:\n${done.map((d) => `- ${d}`).join('\n')}` : undefined });
    } catch (error) {
      feed?.append({ type: 'merge.failed', key: teamKey(name), entity: { ...merge, error: errorMessage(error) } });
      throw error;
    }
    feed?.append({ type: 'merge.completed', key: teamKey(name), entity: { ...merge, commit: outcome.commit, alreadyMerged: outcome.alreadyMerged, files: outcome.files } });
    const removed = isActiveTeam(record.status) ? [] : await this.removeWorktrees(name, { workers: [worker.name] });
    return { ...outcome, removedWorktree: removed.some((r) => r.removed) };
  }

  /**
   * Removes the worktrees of an ended team whose work is merged (and has nothing uncommitted); with
   * `force` (the user confirmed), the others too. Branches stay, so nothing committed is lost.
   */
  async removeWorktrees(name: string, options: { force?: boolean; workers?: string[] } = {}): Promise<WorkerRemoval[]> {
    const record = this.get(name);
    if (isActiveTeam(record.status)) throw new SwitchboardError('not_running', `Team ${name} is still ${record.status}; its workers' worktrees may be in use.`, `Shut it down first (switchboard team shutdown ${name}).`);
    const { base } = await this.repoOf(record);
    const out: WorkerRemoval[] = [];
    const present = this.branches(record).filter((w) => fs.existsSync(w.folder!));
    for (const worker of present.filter((w) => !options.workers || options.workers.includes(w.name))) {
      try {
        const r = await removeWorkerWorktree({ workspace: record.workspace, team: name, worker: worker.name, folder: worker.folder!, base, force: options.force, copyFiles: record.copyFiles });
        out.push({ worker: worker.name, removed: r.removedFolder });
      } catch (error) {
        if (!(error instanceof SwitchboardError) || error.code !== 'not_merged') throw error;
        out.push({ worker: worker.name, removed: false, reason: (error.details?.reasons as string[] | undefined)?.join('; ') ?? error.message });
      }
    }
    return out;
  }

  private async ended(name: string): Promise<void> {
    const entry = this.live.get(name);
    if (!entry) return;
    entry.listener.dispose();
    entry.team.dispose();
    this.live.delete(name);
    // Worktrees with nothing unmerged (a planner's, a reviewer's, work already merged) are not kept.
    await this.removeWorktrees(name).catch(() => undefined);
    this.changes.fire(this.get(name));
    entry.end();
  }

  private active(name: string): TeamRecord {
    const record = this.get(name);
    if (!isActiveTeam(record.status)) throw new SwitchboardError('not_running', `Team ${name} is ${record.status}.`, 'Start a new team for more work.');
    if (!isSameProcessAlive(record.owner)) throw new SwitchboardError('not_running', `The process that ran team ${name} has exited, so nothing schedules its tasks.`, `Resume it (switchboard team resume ${name}, or open its workspace in VS Code), or shut it down.`);
    return record;
  }

  /** Asks the process that runs the team, over its owner socket. */
  private ask<T>(record: TeamRecord, request: TeamRequest): Promise<T> {
    if (!record.ownerSocket) {
      return Promise.reject(new SwitchboardError('not_running', `The process running team ${record.name} takes no requests (an older Switchboard started it).`, 'Stop it from where it runs, or wait for it to end.'));
    }
    return askOwner<T>(record.ownerSocket, 'team', record.name, request, REPLY_TIMEOUT_MS);
  }

  private branches(record: TeamRecord): TeamWorker[] {
    return record.workers.filter((w) => w.branch && w.folder);
  }

  private worker(record: TeamRecord, name: string): TeamWorker {
    const worker = record.workers.find((w) => w.name === name);
    if (!worker) throw new SwitchboardError('invalid_argument', `Team ${record.name} has no worker ${name}.`, `Its workers: ${record.workers.map((w) => w.name).join(', ')}.`);
    if (!worker.branch) throw new SwitchboardError('bad_cwd', `Worker ${name} of team ${record.name} worked in the shared folder ${worker.cwd}, not on a branch of its own.`, 'Its changes are already in that folder.');
    return worker;
  }

  private async repoOf(record: TeamRecord): Promise<{ repo: string; base: string }> {
    const repo = await findRepo(record.workspace);
    if (!repo || !this.branches(record).length) throw new SwitchboardError('bad_cwd', `Team ${record.name} worked in ${record.workspace}, which is not a git repository, so it has no branches.`, 'Its workers changed that folder directly.');
    const base = record.base ?? repo.branch ?? repo.head;
    if (!base) throw new SwitchboardError('bad_cwd', `${repo.root} has no commit to compare the workers' branches with.`);
    return { repo: repo.root, base };
  }

  private freshName(): string {
    const stamp = new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '');
    const taken = new Set(listTeams(this.registry.stateDir));
    let name = `team-${stamp}`;
    for (let i = 2; taken.has(name); i++) name = `team-${stamp}-${i}`;
    return name;
  }

  /** This process lets go of its teams (their records say nobody runs them, so they can be resumed). */
  private letGo(): void {
    for (const { team, listener, end } of this.live.values()) {
      listener.dispose();
      team.release();
      team.dispose();
      end();
    }
    this.live.clear();
  }
}
