/**
 * The DAG panels' layouts, made in the extension host's layout worker (dagLayoutWorker.ts, a Node
 * worker_thread, so the host's event loop never waits for ELK) and kept by the graph's shape (its
 * tasks and edges: see shapeOf), so that a graph shown again (reopened, reloaded, or only its
 * statuses changed) is drawn at once. The worker starts on the first layout wanted, stays warm while
 * a panel holds it, and ends a while after the last one closed (the layouts stay). A graph a panel
 * waits for goes ahead of those laid out in the background (the newest teams' soon after
 * activation). When the worker cannot start or dies, `available` turns false and the webviews lay
 * out their graphs themselves (and send the layouts here to keep).
 */
import { Worker } from 'node:worker_threads';
import type { Disposable } from '../../core/events';
import { Lifecycle, toDisposable } from '../../core/lifecycle';
import { silentLogger, type Logger } from '../../core/logger';
import { shapeOf, type LayoutTask } from '../../shared/dagLayout';
import type { CachedLayout } from '../../shared/protocol/dagProtocol';

/** What the host asks the worker. */
export interface LayoutRequest {
  shape: string;
  tasks: LayoutTask[];
}

/** What the worker answers: the layout, or why there is none. */
export type LayoutReply = { shape: string; layout: CachedLayout } | { shape: string; error: string };

/** Whether a layout a webview sent (or kept in its state) looks like one. */
export function isLayout(value: unknown): value is CachedLayout {
  const layout = value as Partial<CachedLayout> | undefined;
  return typeof layout?.shape === 'string' && Array.isArray(layout.nodes) && Array.isArray(layout.edges) && typeof layout.width === 'number' && typeof layout.height === 'number';
}

export interface DagLayoutsOptions {
  /** How long the worker stays after the last panel let it go (ms). */
  idleMs?: number;
  /** How many layouts are kept (the least recently used go first). */
  keep?: number;
  logger?: Logger;
}

interface Job {
  shape: string;
  tasks: LayoutTask[];
  /** What a background job is for (a team): a newer one for the same replaces it while it waits. */
  background: string | undefined;
  done: Promise<CachedLayout>;
  resolve(layout: CachedLayout): void;
  reject(error: Error): void;
}

export class DagLayouts extends Lifecycle {
  private readonly kept = new Map<string, CachedLayout>();
  /** Graphs asked for, by shape: the one the worker lays out now first, then those waiting (panels' before background ones). */
  private readonly jobs = new Map<string, Job>();
  private running: Job | undefined;
  private worker: Worker | undefined;
  private failed = false;
  private holds = 0;
  private idle: NodeJS.Timeout | undefined;
  private readonly idleMs: number;
  private readonly keep: number;
  private readonly logger: Logger;

  constructor(private readonly script: string, options: DagLayoutsOptions = {}) {
    super();
    this.register(toDisposable(() => {
      this.failed = true;
      this.stop();
      for (const job of this.jobs.values()) job.reject(new Error('The layouts were disposed.'));
      this.jobs.clear();
      this.running = undefined;
    }));
    this.idleMs = options.idleMs ?? 120_000;
    this.keep = options.keep ?? 16;
    this.logger = options.logger ?? silentLogger;
  }

  /** Whether the worker lays graphs out (false once it failed: the webviews then do). */
  get available(): boolean {
    return !this.failed;
  }

  /** Whether the worker is up now (started and not yet ended). */
  get started(): boolean {
    return this.worker !== undefined;
  }

  /** The layout kept for these tasks and edges, if any. */
  known(tasks: readonly LayoutTask[]): CachedLayout | undefined {
    return this.touch(shapeOf(tasks));
  }

  /** Whether these tasks and edges are being laid out (or wait to be). */
  pending(tasks: readonly LayoutTask[]): boolean {
    return this.jobs.has(shapeOf(tasks));
  }

  /** Keeps a layout made elsewhere (by a webview, or restored with its panel). */
  remember(layout: CachedLayout): void {
    this.kept.delete(layout.shape);
    this.kept.set(layout.shape, layout);
    for (const old of [...this.kept.keys()].slice(0, Math.max(0, this.kept.size - this.keep))) this.kept.delete(old);
  }

  /**
   * The layout of `tasks`: the kept one, the one under way, or a new one from the worker. A panel's
   * goes ahead of the background ones still waiting; a background one (`backgroundFor`: a team) takes
   * the place of an older one for the same that still waits. Rejects when the worker failed, ELK could
   * not lay the graph out, or (a background one) a newer one took its place.
   */
  layout(tasks: readonly LayoutTask[], backgroundFor?: string): Promise<CachedLayout> {
    const shape = shapeOf(tasks);
    const known = this.touch(shape);
    if (known) return Promise.resolve(known);
    if (this.failed) return Promise.reject(new Error('The layout worker is not available.'));
    const queued = this.jobs.get(shape);
    if (queued) {
      if (backgroundFor === undefined && queued.background !== undefined) {
        // Wanted now: ahead of the other background ones.
        queued.background = undefined;
        this.jobs.delete(shape);
        this.enqueue(queued);
      }
      return queued.done;
    }
    let resolve!: (layout: CachedLayout) => void;
    let reject!: (error: Error) => void;
    const done = new Promise<CachedLayout>((res, rej) => ((resolve = res), (reject = rej)));
    // Only what the layout needs crosses to the worker.
    this.enqueue({ shape, tasks: tasks.map((t) => ({ id: t.id, dependsOn: [...t.dependsOn] })), background: backgroundFor, done, resolve, reject });
    this.next();
    return done;
  }

  /** Keeps the worker warm until the returned disposable is disposed (a panel that is open). */
  hold(): Disposable {
    this.holds++;
    this.settle();
    let released = false;
    return toDisposable(() => {
      if (released) return;
      released = true;
      this.holds--;
      this.settle();
    });
  }

  private touch(shape: string): CachedLayout | undefined {
    const layout = this.kept.get(shape);
    if (layout) this.remember(layout);
    return layout;
  }

  /** Puts a job after the running one and the panels' jobs, and before the background ones when it is a panel's. */
  private enqueue(job: Job): void {
    const older = [...this.jobs.values()].find((j) => j.background !== undefined && j.background === job.background && j !== this.running);
    if (older) {
      this.jobs.delete(older.shape);
      older.reject(new Error(`A newer graph of ${older.background} is laid out instead.`));
    }
    const order = [...this.jobs.values()];
    const at = job.background !== undefined ? order.length : order.findIndex((j) => j.background !== undefined && j !== this.running);
    order.splice(at < 0 ? order.length : at, 0, job);
    this.jobs.clear();
    for (const j of order) this.jobs.set(j.shape, j);
  }

  private next(): void {
    if (this.running || this.failed) return this.settle();
    const job = this.jobs.values().next().value;
    if (!job) return this.settle();
    this.running = job;
    clearTimeout(this.idle);
    this.idle = undefined;
    try {
      this.start().postMessage({ shape: job.shape, tasks: job.tasks } satisfies LayoutRequest);
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script, { name: 'switchboard-dag-layout' });
    worker.on('message', (reply: LayoutReply) => {
      const job = this.jobs.get(reply.shape);
      this.jobs.delete(reply.shape);
      if (this.running?.shape === reply.shape) this.running = undefined;
      if (job) {
        if ('layout' in reply) {
          this.remember(reply.layout);
          job.resolve(reply.layout);
        } else job.reject(new Error(reply.error));
      }
      this.next();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.fail(new Error(`the layout worker exited (code ${code})`));
    });
    this.worker = worker;
    return worker;
  }

  /** The worker cannot be used: what waits for it is rejected (its panels lay out themselves). */
  private fail(error: Error): void {
    if (this.failed) return;
    this.logger.warn(`[dag] the layout worker failed, the DAG webviews lay out their graphs themselves: ${error.message}`);
    this.failed = true;
    this.stop();
    for (const job of this.jobs.values()) job.reject(error);
    this.jobs.clear();
    this.running = undefined;
  }

  /** Ends the worker a while after the last panel let go of it and nothing is left to lay out. */
  private settle(): void {
    const busy = this.holds > 0 || this.jobs.size > 0;
    if (busy || !this.worker) {
      clearTimeout(this.idle);
      this.idle = undefined;
      return;
    }
    this.idle ??= setTimeout(() => {
      this.idle = undefined;
      this.stop();
    }, this.idleMs).unref();
  }

  private stop(): void {
    clearTimeout(this.idle);
    this.idle = undefined;
    const worker = this.worker;
    this.worker = undefined;
    void worker?.terminate();
  }
}
