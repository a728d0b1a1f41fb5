/**
 * The runs a supervisor host keeps in pools' lines for the processes that asked for them, which may
 * go away meanwhile (`switchboard run --detach` exits at once, a window reloads): the host becomes
 * their launcher, in the ledger and on their records, looks every half second (and as soon as a run
 * of its own ends) whether their turn has come, and starts each once (whoever takes its plan starts
 * it, see plan.ts). A run whose place in line was lost, or that could not start, ends with the
 * reason. A host that dies leaves runs whose launcher is dead: any process that looks settles them
 * as never started (RunTracker), and cleanup frees their places.
 */
import { errorMessage, SwitchboardError } from '../errors';
import { Pools, type PoolChange, type PoolsConfig } from '../pools/pools';
import { startTokenOf } from '../proc/processTable';
import { readRecord, writeRecord } from '../runs/recordFile';
import type { ProcessIdentity, RunRecord } from '../runs/types';
import { StateMap } from '../state/stateMap';
import { hostLog } from './hostLog';
import { dropPlan } from './plan';

/** How often kept runs look for a free slot (slots of runs of other hosts free without telling anyone). */
const CHECK_MS = 500;

interface Kept {
  stateDir: string;
  runId: string;
  env: Record<string, string>;
}

export interface KeeperHooks {
  /** Starts the run as a launch request to this host would. */
  launch(stateDir: string, runId: string, env: Record<string, string>): Promise<unknown>;
  /** A pool change made here, for the state folder's feed. */
  poolChanged(stateDir: string, change: PoolChange): void;
  /** A kept run ended here without starting. */
  ended(stateDir: string, record: RunRecord): void;
  /** Nothing is kept any more. */
  idle(): void;
}

const keyOf = (stateDir: string, runId: string): string => `${stateDir}\0${runId}`;

export class QueueKeeper {
  private readonly kept = new Map<string, Kept>();
  private readonly pools = new Map<string, { limits: { current: PoolsConfig }; pools: Pools }>();
  private timer: NodeJS.Timeout | undefined;
  private checking = false;
  private again = false;
  readonly identity: ProcessIdentity = { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' };

  constructor(private readonly hooks: KeeperHooks) {}

  get size(): number {
    return this.kept.size;
  }

  /** Takes over the run's place in line (it must still have one); from now on this host starts it. */
  async keep(stateDir: string, runId: string, env: Record<string, string>, config: PoolsConfig): Promise<ProcessIdentity> {
    const paths = new StateMap(stateDir).run(runId);
    const inLine = await this.poolsOf(stateDir, config).handOver(runId, this.identity, () => {
      // Under the ledger lock while the place is there: a kill takes the place away under the same lock before it writes the record.
      const read = readRecord(paths);
      if (read.kind === 'ok' && read.value.status === 'queued') writeRecord(paths, { ...read.value, launcher: this.identity }, { durable: false });
    });
    if (!inLine) throw new SwitchboardError('not_running', `Run ${runId} is no longer waiting in line (it was killed, or its pool's line was cleaned up).`);
    this.kept.set(keyOf(stateDir, runId), { stateDir, runId, env });
    this.timer ??= setInterval(() => void this.check(), CHECK_MS);
    this.poke();
    return this.identity;
  }

  /** Looks now whether a kept run's turn has come (a run ended here). */
  poke(): void {
    if (this.kept.size > 0) setImmediate(() => void this.check());
  }

  /** This host is stopped: its kept runs end, with the reason, and leave their lines. */
  async abandon(reason: string): Promise<void> {
    const all = [...this.kept.values()];
    this.kept.clear();
    this.stopTimer();
    await Promise.all(all.map(async (kept) => {
      if (!dropPlan(new StateMap(kept.stateDir).run(kept.runId).plan)) return;
      await this.poolsOf(kept.stateDir).release(kept.runId).catch((error: unknown) => hostLog(`could not free the place in line of ${kept.runId}: ${errorMessage(error)}`));
      this.fail(kept, reason);
    }));
  }

  private poolsOf(stateDir: string, config?: PoolsConfig): Pools {
    let entry = this.pools.get(stateDir);
    if (!entry) {
      const limits = { current: config ?? { pools: {}, maxWorkers: 1 } };
      entry = { limits, pools: new Pools(stateDir, () => limits.current, (change) => this.hooks.poolChanged(stateDir, change), hostLog) };
      this.pools.set(stateDir, entry);
    }
    // The limits the newest run was queued under apply to all (a change of settings reaches the host this way).
    if (config) entry.limits.current = config;
    return entry.pools;
  }

  private async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return;
    }
    this.checking = true;
    try {
      do {
        this.again = false;
        for (const stateDir of new Set([...this.kept.values()].map((k) => k.stateDir))) await this.checkFolder(stateDir);
      } while (this.again);
    } finally {
      this.checking = false;
      if (this.kept.size === 0) {
        this.stopTimer();
        this.hooks.idle();
      }
    }
  }

  /** Starts the runs kept for `stateDir` whose turn has come, oldest in line first (one look at the ledger for all). */
  private async checkFolder(stateDir: string): Promise<void> {
    const pools = this.poolsOf(stateDir);
    const view = pools.look();
    const place = new Map(view.ledger.queue.map((q, i) => [q.runId, i]));
    const mine = [...this.kept.values()].filter((k) => k.stateDir === stateDir).sort((a, b) => (place.get(a.runId) ?? -1) - (place.get(b.runId) ?? -1));
    for (const kept of mine) {
      let verdict: 'admitted' | 'waiting' | 'gone';
      try {
        verdict = await pools.tryAdmit(kept.runId, view);
      } catch (error) {
        // The ledger could not be had this time (a long line for its lock): the run keeps its place and asks again.
        hostLog(`could not look at the pools ledger for ${kept.runId}: ${errorMessage(error)}`);
        continue;
      }
      if (verdict === 'waiting') continue;
      this.kept.delete(keyOf(stateDir, kept.runId));
      if (verdict === 'admitted') await this.start(kept);
      // Its place is gone. A kill takes the plan before it frees the place: a plan still there means the place was lost otherwise.
      else if (dropPlan(new StateMap(stateDir).run(kept.runId).plan)) this.fail(kept, 'its place in line was lost (the pools ledger was reset or cleaned up) before it started; start it again');
    }
  }

  private async start(kept: Kept): Promise<void> {
    try {
      await this.hooks.launch(kept.stateDir, kept.runId, kept.env);
    } catch (error) {
      // Its plan taken by a kill: the kill records it. A supervisor that could not start the agent recorded the failure itself.
      if ((error as SwitchboardError).details?.planTaken) return;
      hostLog(`a queued run ${kept.runId} could not start: ${errorMessage(error)}`);
      this.fail(kept, `it could not be started when its turn came: ${errorMessage(error)}`);
    }
  }

  /** Records a kept run that is still queued as failed, with why. */
  private fail(kept: Kept, reason: string): void {
    const paths = new StateMap(kept.stateDir).run(kept.runId);
    const read = readRecord(paths);
    if (read.kind !== 'ok' || read.value.status !== 'queued') return;
    const failed: RunRecord = { ...read.value, status: 'failed', endedAt: Date.now(), lastError: reason };
    try {
      writeRecord(paths, failed);
      this.hooks.ended(kept.stateDir, failed);
    } catch (error) {
      hostLog(`could not record that ${kept.runId} failed: ${errorMessage(error)}`);
    }
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
