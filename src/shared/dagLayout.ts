/**
 * The DAG's layout by ELK (elkjs, its layered algorithm, left to right), defined once for both places
 * that run it: the extension host's layout worker (src/vscode/webviews/dagLayoutWorker.ts, the usual
 * path) and the webview's own Web Worker (src/webview/dag/layout.ts, used only when the host's worker
 * is not available). Each passes its own ELK instance; this makes ELK's graph from the tasks, picks the
 * options and returns the positions as plain arrays (what the host keeps and sends to the webview).
 * Large graphs get ELK's faster settings (one pass of crossing minimisation, simple node placement);
 * very large ones, and any graph whose layout failed, the longest-path layering, whose recursion stays
 * within a worker's stack (network simplex's does not, for thousands of tasks).
 */
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api.js';
import type { CachedLayout } from './protocol/dagProtocol';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 64;
/** Past this many tasks the faster settings are used. */
const LARGE = 150;
/** Past this many, the longest-path layering. */
const HUGE = 1500;

const COMMON = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'POLYLINE',
  'elk.spacing.nodeNode': '24',
  'elk.layered.spacing.nodeNodeBetweenLayers': '64',
  'elk.layered.spacing.edgeNodeBetweenLayers': '24',
};
const FAST = {
  'elk.layered.thoroughness': '1',
  'elk.layered.nodePlacement.strategy': 'SIMPLE',
  'elk.layered.crossingMinimization.greedySwitch.type': 'OFF',
  'elk.separateConnectedComponents': 'false',
};
const SHALLOW = { 'elk.layered.layering.strategy': 'LONGEST_PATH' };

/** What a layout needs of a task: its id and what it depends on. */
export interface LayoutTask {
  id: string;
  dependsOn: readonly string[];
}

/** An ELK instance (elkjs's API), wherever it runs. */
export interface Elk {
  layout(graph: ElkNode): Promise<ElkNode>;
}

/** Which tasks and edges a layout is for: the count and a hash (FNV-1a) of the ids and dependencies, in order. */
export function shapeOf(tasks: readonly LayoutTask[]): string {
  let hash = 0x811c9dc5;
  for (const t of tasks) {
    for (const text of [t.id, ...t.dependsOn, '\n']) {
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
      hash = Math.imul(hash ^ 0x1f, 0x01000193);
    }
  }
  return `${tasks.length}:${(hash >>> 0).toString(16)}`;
}

/** The positions of `tasks` and the routes of their edges, by `elk`. */
export async function layoutTasks(elk: Elk, tasks: readonly LayoutTask[]): Promise<CachedLayout> {
  const ids = new Set(tasks.map((t) => t.id));
  const edges: ElkExtendedEdge[] = tasks.flatMap((t) => t.dependsOn.filter((d) => ids.has(d)).map((d) => ({ id: `${d}->${t.id}`, sources: [d], targets: [t.id] })));
  const graph = (shallow: boolean): ElkNode => ({
    id: 'root',
    layoutOptions: { ...COMMON, ...(tasks.length > LARGE ? FAST : {}), ...(shallow ? SHALLOW : {}) },
    children: tasks.map((t) => ({ id: t.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges,
  });
  const huge = tasks.length > HUGE;
  const placed = await elk.layout(graph(huge)).catch((error: unknown) => {
    if (huge) throw error;
    return elk.layout(graph(true));
  });
  return {
    shape: shapeOf(tasks),
    width: placed.width ?? 0,
    height: placed.height ?? 0,
    nodes: (placed.children ?? []).map((n) => [n.id, n.x ?? 0, n.y ?? 0]),
    edges: (placed.edges ?? []).map((e) => {
      const points: number[] = [];
      for (const s of e.sections ?? []) {
        points.push(s.startPoint.x, s.startPoint.y);
        for (const b of s.bendPoints ?? []) points.push(b.x, b.y);
        points.push(s.endPoint.x, s.endPoint.y);
      }
      return [e.sources[0]!, e.targets[0]!, points];
    }),
  };
}
