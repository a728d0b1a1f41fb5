/**
 * Figures the benchmark reads from the real webviews (bench/webviews.ts): when the first render was
 * on screen, how long the layout took, how soon a node's change was on screen after its message,
 * and frame times while panning. Plain numbers on a global; nothing is sent anywhere.
 */
export interface DagMetrics {
  /** Layouts made by the page itself (only when the host's layout worker is not available). */
  layoutMs: number[];
  /** When the first render was on screen: after the page started (ms), and on the wall clock (Date.now(), to set against when the panel was asked for). */
  firstRenderAt?: number;
  firstRenderWallAt?: number;
  /** Where the first graph's layout came from (the DAG). */
  layoutFrom?: string;
  /** Message received → the update applied (before the browser draws it), per update. */
  applyMs: number[];
  /** Message received → the frame that shows it painted, per update. */
  updateMs: number[];
  /** The wall clock (Date.now()) when the last update was painted, to set against when its event happened. */
  lastPaintedAt?: number;
  /** JavaScript time of each drawn frame of the graph, or of each chart drawing. */
  frames: number[];
  chartMs: number[];
}

declare global {
  interface Window {
    switchboardMetrics?: DagMetrics;
  }
}

export const metrics: DagMetrics = (window.switchboardMetrics = { layoutMs: [], applyMs: [], updateMs: [], frames: [], chartMs: [] });

/** Calls `done` with the time once the next frame has been painted (a task queued from its animation frame runs after the paint). */
export function afterPaint(done: (at: number) => void): void {
  requestAnimationFrame(() => setTimeout(() => done(performance.now()), 0));
}
