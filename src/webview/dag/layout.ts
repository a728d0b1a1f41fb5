/**
 * The layout as the webview draws it (positions by id, edges' points as typed arrays), made from the
 * positions the host sends; and, only when the host's layout worker is not available, the webview's
 * own ELK in a Web Worker (elkjs's worker, put into the bundle as text and started from a blob: the
 * page may load nothing else), laying out with the same code and options (src/shared/dagLayout.ts).
 */
import ELK from 'elkjs/lib/elk-api.js';
import workerSource from 'elk-worker-source';
import type { CachedLayout } from '../../shared/protocol/dagProtocol';
import { layoutTasks, type LayoutTask } from '../../shared/dagLayout';

export { NODE_HEIGHT, NODE_WIDTH } from '../../shared/dagLayout';

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

/** The webview's own layout of `tasks` (ELK's worker started on first use). */
export function layoutHere(tasks: readonly LayoutTask[]): Promise<CachedLayout> {
  elk ??= new ELK({
    workerFactory: () => new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }))),
  });
  return layoutTasks(elk, tasks);
}

export function fromCached(cached: CachedLayout): Layout {
  return {
    width: cached.width,
    height: cached.height,
    nodes: new Map(cached.nodes.map(([id, x, y]) => [id, { id, x, y }])),
    edges: cached.edges.map(([from, to, points]) => ({ from, to, points: Float64Array.from(points) })),
  };
}
