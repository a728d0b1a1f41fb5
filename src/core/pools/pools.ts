/**
 * Admission control: every run is admitted through a pool. A pool holds at most `maxWorkers` runs
 * at once, and all pools together at most the overall `maxWorkers`; a run that finds no slot waits
 * in line (FIFO, `queued`) and is started as soon as one frees by its launcher, a supervisor host
 * (which outlives the process that asked for the run; see supervisor/queueKeeper.ts).
 * A full line refuses. The ledger is shared by every process over the state directory; slots of
 * finished or vanished runs and places in line whose launcher died are cleaned up when they stand
 * in the way: found by reading the ledger as last written and the runs' records before the lock is
 * taken, so that the lock is held only for a read, a change in memory and a write.
 */
import { SwitchboardError } from '../errors';
import { StateMap } from '../state/stateMap';
import { isSameProcessAlive, startTokenOf } from '../proc/processTable';
import { readRecord } from '../runs/recordFile';
import { isFinished } from '../runs/types';
import { ledgerReadable, readLedger, withLedger, type Ledger, type LedgerWarn, type PoolCounts, type QueueEntry } from './ledger';

export const DEFAULT_POOL = 'default';

/**
 * The backend a pool's runs go to: container runs are admitted through pools named after their
 * backend (`docker`, `docker:build-box`, `swarm`, or `teams@docker` for a team's), and `maxWorkers`
 * counts each backend apart, so that containers on a build box take no local slots.
 */
export function backendOfPool(pool: string): string {
  const match = /^(?:[^@]*@)?((?:docker|swarm)(?::.*)?)$/.exec(pool);
  return match ? match[1]! : 'local';
}

/** The pool a run of `backend` (not local) is admitted through, given the pool it names (if any). */
export function backendPool(pool: string | undefined, backend: string): string {
  return pool ? `${pool}@${backend}` : backend;
}

export interface PoolLimits {
  maxWorkers: number;
  /** How many may wait in line before new runs are refused (default 100). */
  maxQueue?: number;
}

export interface PoolsConfig {
  pools: Record<string, PoolLimits>;
  /** All pools together. */
  maxWorkers: number;
}

export type Admission = { admitted: true } | { admitted: false; position: number };

export interface PoolStatus extends PoolCounts {
  name: string;
  maxWorkers: number;
  running: string[];
  waiting: string[];
}

export interface PoolsStatus {
  maxWorkers: number;
  running: number;
  waiting: number;
  pools: PoolStatus[];
}

export interface Cleaned {
  slots: string[];
  queue: string[];
}

type Pruned = Cleaned & { poolOf: Map<string, string> };

const DEFAULT_MAX_QUEUE = 100;

/** The ledger as read outside the lock, and the slots in it whose runs ended. */
export interface PoolsView {
  ledger: Ledger;
  endedSlots: Set<string>;
}

/** What a pool change is told as in the feed. */
export interface PoolChange {
  type: 'pool.queued' | 'pool.admitted' | 'pool.released';
  pool: string;
  runId: string;
  /** Its place in line (queued). */
  position?: number;
  /** Why it left (released): its run ended, or its launcher went away. */
  reason?: string;
}

export class Pools {
  constructor(
    private readonly stateDir: string,
    private readonly config: () => PoolsConfig,
    /** Told of every change, once the ledger is written. */
    private readonly changed: (change: PoolChange) => void = () => undefined,
    /** Told what a person should know (a corrupt ledger set aside and rebuilt). */
    private readonly warn: LedgerWarn = () => undefined,
  ) {}

  /** A ledger that cannot be read is set aside and rebuilt now (and said), not at the next run's start. */
  async check(): Promise<void> {
    if (!ledgerReadable(this.stateDir)) await this.underLock(() => undefined);
  }

  private limits(pool: string): Required<PoolLimits> {
    const { pools, maxWorkers } = this.config();
    const limits = pools[pool] ?? pools[DEFAULT_POOL] ?? { maxWorkers };
    return { maxWorkers: limits.maxWorkers, maxQueue: limits.maxQueue ?? DEFAULT_MAX_QUEUE };
  }

  /** Admits the run now, or puts it in line; refuses (pool_full) when the line is full. */
  async request(runId: string, pool: string): Promise<Admission> {
    // Slots of runs that ended matter only when there is no room; they are looked up before the lock, never under it.
    const seen = readLedger(this.stateDir);
    const stale = seen.queue.some((q) => q.pool === pool) || this.hasRoom(seen, pool) ? new Set<string>() : this.staleSlots(seen);
    let cleaned: Pruned | undefined;
    const verdict = await this.underLock((ledger): Admission | SwitchboardError => {
      cleaned = this.drop(ledger, stale);
      const counts = (ledger.counts[pool] ??= { admitted: 0, rejected: 0, queued: 0 });
      const ahead = ledger.queue.filter((q) => q.pool === pool).length;
      if (ahead === 0 && this.hasRoom(ledger, pool)) {
        ledger.slots.push({ runId, pool, admittedAt: Date.now() });
        counts.admitted++;
        return { admitted: true };
      }
      const { maxQueue, maxWorkers } = this.limits(pool);
      if (ahead >= maxQueue) {
        counts.rejected++;
        // Returned, not thrown: the count must be written with the ledger.
        return new SwitchboardError('pool_full', `Pool "${pool}" is full: ${maxWorkers} running and ${ahead} waiting, the most its line holds.`, 'Wait for runs to finish, stop some, or raise the pool limits in the settings.', { pool });
      }
      ledger.queue.push({ runId, pool, queuedAt: Date.now(), launcher: { pid: process.pid, startToken: startTokenOf(process.pid) ?? '' } });
      counts.queued++;
      return { admitted: false, position: ahead + 1 };
    });
    this.tellCleaned(cleaned);
    if (verdict instanceof SwitchboardError) throw verdict;
    this.changed(verdict.admitted ? { type: 'pool.admitted', pool, runId } : { type: 'pool.queued', pool, runId, position: verdict.position });
    return verdict;
  }

  /**
   * For a run of this process in line: admitted when it is next and there is room; gone when it left
   * the line (killed, cleaned up). The lock is taken only when the ledger as last written leaves room
   * for it and no live run ahead of it could take that room: runs that must wait on cost no one anything.
   */
  async tryAdmit(runId: string, view: PoolsView = this.look()): Promise<'admitted' | 'waiting' | 'gone'> {
    const { ledger: seen, endedSlots } = view;
    const mine = seen.queue.find((q) => q.runId === runId);
    // The ledger is replaced whole: a place missing from it now never comes back.
    if (!mine) return 'gone';
    const free = { ...seen, slots: seen.slots.filter((s) => !endedSlots.has(s.runId)) };
    if (!this.hasRoom(free, mine.pool)) return 'waiting';
    // First come, first served: a live run ahead whose pool has room goes first (only those looked at are checked).
    const stale = new Set(endedSlots);
    for (const ahead of seen.queue.slice(0, seen.queue.indexOf(mine))) {
      if (!this.hasRoom(free, ahead.pool)) continue;
      if (!this.staleQueue([ahead]).has(ahead.runId)) return 'waiting';
      stale.add(ahead.runId);
    }
    let cleaned: Pruned | undefined;
    let admittedTo: string | undefined;
    const verdict = await this.underLock((ledger) => {
      cleaned = this.drop(ledger, stale);
      const entry = ledger.queue.find((q) => q.runId === runId);
      if (!entry) return 'gone';
      // First come, first served: among the runs whose pool has room, the oldest goes first.
      const next = ledger.queue.find((q) => this.hasRoom(ledger, q.pool));
      if (next?.runId !== runId) return 'waiting';
      ledger.queue.splice(ledger.queue.indexOf(entry), 1);
      ledger.slots.push({ runId, pool: entry.pool, admittedAt: Date.now() });
      (ledger.counts[entry.pool] ??= { admitted: 0, rejected: 0, queued: 0 }).admitted++;
      admittedTo = entry.pool;
      return 'admitted';
    });
    this.tellCleaned(cleaned);
    if (admittedTo) this.changed({ type: 'pool.admitted', pool: admittedTo, runId });
    return verdict;
  }

  /** The ledger as last written and its slots whose runs ended: what tryAdmit goes by (one look serves several runs in line). */
  look(): PoolsView {
    const ledger = readLedger(this.stateDir);
    return { ledger, endedSlots: this.staleSlots(ledger) };
  }

  /** Makes `launcher` the process that starts the run when its turn comes (and runs `also` under the lock); false when it is no longer in line. */
  async handOver(runId: string, launcher: QueueEntry['launcher'], also: () => void = () => undefined): Promise<boolean> {
    return this.underLock((ledger) => {
      const entry = ledger.queue.find((q) => q.runId === runId);
      if (!entry) return false;
      entry.launcher = launcher;
      also();
      return true;
    });
  }

  /** Frees the run's slot or its place in line. */
  async release(runId: string): Promise<void> {
    const held = await this.underLock((ledger) => {
      const held = [...ledger.slots, ...ledger.queue].find((s) => s.runId === runId);
      ledger.slots = ledger.slots.filter((s) => s.runId !== runId);
      ledger.queue = ledger.queue.filter((q) => q.runId !== runId);
      return held;
    });
    if (held) this.changed({ type: 'pool.released', pool: held.pool, runId, reason: 'taken out' });
  }

  /** Removes slots of runs that ended or vanished and places in line whose launcher is gone. */
  async cleanup(): Promise<Cleaned> {
    const seen = readLedger(this.stateDir);
    const stale = new Set([...this.staleSlots(seen), ...this.staleQueue(seen.queue)]);
    const pruned = await this.underLock((ledger) => this.drop(ledger, stale));
    this.tellCleaned(pruned);
    return { slots: pruned.slots, queue: pruned.queue };
  }

  private tellCleaned(pruned: Pruned | undefined): void {
    if (!pruned) return;
    for (const runId of pruned.slots) this.changed({ type: 'pool.released', pool: pruned.poolOf.get(runId)!, runId, reason: 'its run ended' });
    for (const runId of pruned.queue) this.changed({ type: 'pool.released', pool: pruned.poolOf.get(runId)!, runId, reason: 'it ended, or whatever was to start it went away' });
  }

  status(): PoolsStatus {
    const ledger = readLedger(this.stateDir);
    const { pools, maxWorkers } = this.config();
    const names = new Set([...Object.keys(pools), ...ledger.slots.map((s) => s.pool), ...ledger.queue.map((q) => q.pool), ...Object.keys(ledger.counts)]);
    return {
      maxWorkers,
      running: ledger.slots.length,
      waiting: ledger.queue.length,
      pools: [...names].sort().map((name) => ({
        name,
        maxWorkers: this.limits(name).maxWorkers,
        running: ledger.slots.filter((s) => s.pool === name).map((s) => s.runId),
        waiting: ledger.queue.filter((q) => q.pool === name).map((q) => q.runId),
        ...(ledger.counts[name] ?? { admitted: 0, rejected: 0, queued: 0 }),
      })),
    };
  }

  /** Changes the ledger under its lock (see withLedger). */
  private underLock<T>(change: (ledger: Ledger) => T): Promise<T> {
    return withLedger(this.stateDir, change, this.warn);
  }

  private hasRoom(ledger: Ledger, pool: string): boolean {
    const backend = backendOfPool(pool);
    return ledger.slots.filter((s) => backendOfPool(s.pool) === backend).length < this.config().maxWorkers && ledger.slots.filter((s) => s.pool === pool).length < this.limits(pool).maxWorkers;
  }

  private ended(runId: string): boolean {
    const read = readRecord(new StateMap(this.stateDir).run(runId));
    return read.kind !== 'ok' || isFinished(read.value.status);
  }

  /** Slots of runs that ended or vanished (looked up outside the lock: a run that ended stays ended). */
  private staleSlots(ledger: Ledger): Set<string> {
    return new Set(ledger.slots.filter((s) => this.ended(s.runId)).map((s) => s.runId));
  }

  /** Places in line of runs that ended or whose launcher died (which stays so). */
  private staleQueue(queue: QueueEntry[]): Set<string> {
    return new Set(queue.filter((q) => this.ended(q.runId) || !isSameProcessAlive(q.launcher)).map((q) => q.runId));
  }

  /** Under the lock: removes what was found stale before it, without reading anything. */
  private drop(ledger: Ledger, stale: Set<string>): Pruned {
    const poolOf = new Map([...ledger.slots, ...ledger.queue].map((s) => [s.runId, s.pool]));
    const slots = ledger.slots.filter((s) => stale.has(s.runId)).map((s) => s.runId);
    const queue = ledger.queue.filter((q) => stale.has(q.runId)).map((q) => q.runId);
    ledger.slots = ledger.slots.filter((s) => !stale.has(s.runId));
    ledger.queue = ledger.queue.filter((q) => !stale.has(q.runId));
    return { slots: [...new Set(slots)], queue: [...new Set(queue)], poolOf };
  }
}
