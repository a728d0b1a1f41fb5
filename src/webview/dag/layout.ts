/**
 * The layout as the webview draws it (positions by id, edges' points as typed arrays), made from the
 * positions the host sends; and, only when the host's layout worker is not available, the webview's
 * own ELK in a Web Worker, laying out with the same code and options (src/shared/dagLayout.ts).
 * elkjs's worker script comes then from dagElk.js (elkWorkerScript.ts), a script next to this bundle
 * loaded with this page's nonce, and starts from a blob (the page may load workers from nothing else).
 */
import ELK from 'elkjs/lib/elk-api.js';
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

/** This bundle's script element (known only while it runs): where dagElk.js is, and the nonce it loads with. */
const bundle = document.currentScript as HTMLScriptElement | null;
const elkScript = { src: bundle?.src.replace(/dag\.js(?=$|[?#])/, 'dagElk.js') ?? '', nonce: bundle?.nonce ?? '' };
let elk: Promise<InstanceType<typeof ELK>> | undefined;

/** elkjs's worker script, from dagElk.js. */
function loadWorkerSource(): Promise<string> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.nonce = elkScript.nonce;
    script.src = elkScript.src;
    script.onload = () => {
      const source = (window as { switchboardElkWorker?: string }).switchboardElkWorker;
      if (source) resolve(source);
      else reject(new Error('dagElk.js did not define the layout worker'));
    };
    script.onerror = () => reject(new Error(`could not load ${elkScript.src}`));
    document.head.append(script);
  });
}

/** The webview's own layout of `tasks` (ELK's worker loaded and started on first use). */
export async function layoutHere(tasks: readonly LayoutTask[]): Promise<CachedLayout> {
  elk ??= loadWorkerSource().then((source) => new ELK({ workerFactory: () => new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' }))) }));
  elk.catch(() => (elk = undefined));
  return layoutTasks(await elk, tasks);
}

export function fromCached(cached: CachedLayout): Layout {
  return {
    width: cached.width,
    height: cached.height,
    nodes: new Map(cached.nodes.map(([id, x, y]) => [id, { id, x, y }])),
    edges: cached.edges.map(([from, to, points]) => ({ from, to, points: Float64Array.from(points) })),
  };
}
