/**
 * Work that the Agents view's first rows do not need waits for them: activation hands it here, and
 * it runs once the rows have gone out to VS Code, one task per turn of the event loop, so that a
 * request from the workbench (its first ask for rows, when it asks late) is answered between two
 * tasks rather than after all of them. The extension host answers VS Code on a later timer than the
 * one the rows are handed in: the tasks start SENT_MS after, so that the answer is written first.
 *
 * A hidden view is not asked for rows, and while activating, a view that is shown still says it is
 * hidden: so the work waits for the rows up to `patienceMs`, and past that only while the view says
 * it is shown (VS Code has not asked yet), at most WAIT_MAX_MS.
 */
import type * as vscode from 'vscode';
import { errorMessage } from '../core/errors';
import { silentLogger, type Logger } from '../core/logger';

/** After the rows are handed to VS Code: time enough for the extension host to write its answer. */
const SENT_MS = 50;
/** However the view says it is, the work does not wait longer than this. */
const WAIT_MAX_MS = 5000;

/** What FirstRows needs of the view: when it first handed rows to VS Code, and whether it is shown. */
export interface RowsSource {
  readonly listed: Promise<void>;
  readonly view: Pick<vscode.TreeView<unknown>, 'visible' | 'onDidChangeVisibility'>;
}

export class FirstRows {
  private readonly queue: (() => void)[] = [];
  private running = false;
  private ready = false;
  private disposed = false;
  private readonly timers = new Set<NodeJS.Timeout>();

  /** A task that throws is logged to `logger`; the next ones still run. */
  constructor(source: RowsSource, patienceMs: number, private readonly logger: Logger = silentLogger) {
    let settled = false;
    const settle = (delay: number): void => {
      if (settled) return;
      settled = true;
      this.later(() => {
        this.ready = true;
        this.drain();
      }, delay);
    };
    void source.listed.then(() => settle(SENT_MS));
    const patience = (): void => {
      if (!source.view.visible) settle(0);
      else {
        // Shown and not asked yet: VS Code asks once the workbench is ready for it.
        const hidden = source.view.onDidChangeVisibility((e) => e.visible || settle(0));
        void source.listed.then(() => hidden.dispose());
      }
    };
    this.later(patience, patienceMs);
    this.later(() => settle(0), WAIT_MAX_MS);
  }

  /** Runs `task` once the first rows are out (in a turn of its own). */
  run(task: () => void): void {
    this.queue.push(task);
    if (this.ready) this.drain();
  }

  /** Settles once the first rows are out, in a turn of its own. */
  whenReady(): Promise<void> {
    return new Promise((resolve) => this.run(resolve));
  }

  /** Pending tasks are dropped. */
  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private drain(): void {
    if (this.running || this.disposed) return;
    const task = this.queue.shift();
    if (!task) return;
    this.running = true;
    this.later(() => {
      this.running = false;
      try {
        task();
      } catch (error) {
        this.logger.error(`[extension] work deferred until the Agents view's first rows failed: ${errorMessage(error)}`);
      } finally {
        this.drain();
      }
    }, 0);
  }

  private later(fn: () => void, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.disposed) fn();
    }, ms);
    this.timers.add(timer);
  }
}
