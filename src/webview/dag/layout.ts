/**
 * The graph's layout by ELK (elkjs, its layered algorithm, left to right) in a Web Worker, so that
 * neither the extension host nor the webview's page waits for it. The worker is elkjs's own, put
 * into the bundle as text and started from a blob (the page may load nothing else). Large graphs
 * get ELK's faster settings (one pass of crossing minimisation, simple node placement); very large
 * ones, and any graph whose layout failed, the longest-path layering, whose recursion stays within
 * a worker's stack (network simplex's does not, for thousands of tasks).
 */
import ELK, { type ElkExtendedEdge, type ElkNode } from 'elkjs/lib/elk-api.js';
import workerSource from 'elk-worker-source';
import type { CachedLayout } from '../../shared/protocol/dagProtocol';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 64;
/** Past this many tasks the faster settings are used. */
const LARGE = 150;
/** Past this many, the longest-path layering. */
const HUGE = 1500;

export interface PlacedNode {
  id: string;
  x: number;
  y: number;
}

export interface PlacedEdge {
  from: string;
  to: string;
  /** x0, y0, x1, y1, … in graph coordinates. */
  points: Float64Array;
}

export interface Layout {
  nodes: Map<string, PlacedNode>;
  edges: PlacedEdge[];
  width: number;
  height: number;
}

let elk: InstanceType<typeof ELK> | undefined;

/** Starts ELK's worker (it takes a few hundred ms to compile ELK), e.g. while the page is still being built. */
export function engine(): InstanceType<typeof ELK> {
  elk ??= new ELK({
    workerFactory: () => new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }))),
  });
  return elk;
}

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

export async function layout(tasks: readonly { id: string; dependsOn: readonly string[] }[]): Promise<Layout> {
  const ids = new Set(tasks.map((t) => t.id));
  const edges: ElkExtendedEdge[] = tasks.flatMap((t) => t.dependsOn.filter((d) => ids.has(d)).map((d) => ({ id: `${d}->${t.id}`, sources: [d], targets: [t.id] })));
  const graph = (shallow: boolean): ElkNode => ({
    id: 'root',
    layoutOptions: { ...COMMON, ...(tasks.length > LARGE ? FAST : {}), ...(shallow ? SHALLOW : {}) },
    children: tasks.map((t) => ({ id: t.id, width: NODE_WIDTH, height: NODE_HEIGHT })),
    edges,
  });
  const huge = tasks.length > HUGE;
  const placed = await engine().layout(graph(huge)).catch((error: unknown) => {
    if (huge) throw error;
    return engine().layout(graph(true));
  });
  const nodes = new Map<string, PlacedNode>((placed.children ?? []).map((n) => [n.id, { id: n.id, x: n.x ?? 0, y: n.y ?? 0 }]));
  const out: PlacedEdge[] = (placed.edges ?? []).map((e) => {
    const coords: number[] = [];
    for (const s of e.sections ?? []) {
      coords.push(s.startPoint.x, s.startPoint.y);
      for (const b of s.bendPoints ?? []) coords.push(b.x, b.y);
      coords.push(s.endPoint.x, s.endPoint.y);
    }
    return { from: e.sources[0]!, to: e.targets[0]!, points: Float64Array.from(coords) };
  });
  return { nodes, edges: out, width: placed.width ?? 0, height: placed.height ?? 0 };
}

/** Which tasks and edges a layout is for: a hash of the ids and dependencies, in order. */
export function shapeOf(tasks: readonly { id: string; dependsOn: readonly string[] }[]): string {
  let hash = 0x811c9dc5;
  for (const t of tasks) {
    for (const text of [t.id, ...t.dependsOn, '\n']) {
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
      hash = Math.imul(hash ^ 0x1f, 0x01000193);
    }
  }
  return `${tasks.length}:${(hash >>> 0).toString(16)}`;
}

export function toCached(layout: Layout, shape: string): CachedLayout {
  return {
    shape,
    width: layout.width,
    height: layout.height,
    nodes: [...layout.nodes.values()].map((n) => [n.id, n.x, n.y]),
    edges: layout.edges.map((e) => [e.from, e.to, Array.from(e.points)]),
  };
}

export function fromCached(cached: CachedLayout): Layout {
  return {
    width: cached.width,
    height: cached.height,
    nodes: new Map(cached.nodes.map(([id, x, y]) => [id, { id, x, y }])),
    edges: cached.edges.map(([from, to, points]) => ({ from, to, points: Float64Array.from(points) })),
  };
}
