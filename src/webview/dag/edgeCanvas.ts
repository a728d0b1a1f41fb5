/**
 * The graph's canvas: the edges in view (each drawn as plain, on the critical path, or into a
 * blocked task, with its arrow head) and, zoomed far out, every task in view as a box of its
 * status's colour. It draws what it is given and keeps nothing between frames.
 */
import type { DagNode } from '../../shared/protocol/dagProtocol';
import { NODE_HEIGHT, NODE_WIDTH, type PlacedEdge } from './layout';
import type { Palette } from './statusLook';

/** Below this zoom only the edges of the critical path and into blocked tasks are drawn (the others would be a grey haze). */
const PLAIN_EDGES_BELOW = 0.08;

export type EdgeKind = 'blocked' | 'critical' | 'edge';

/** An edge and the box around its points (to skip the edges out of view). */
export interface EdgeBox {
  edge: PlacedEdge;
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface CanvasScene {
  edges: readonly EdgeBox[];
  edgeKind(from: string, to: string): EdgeKind;
  /** The tasks (drawn only as boxes). */
  nodes: Iterable<{ x: number; y: number; data: DagNode }>;
  selected: { x: number; y: number } | undefined;
  /** The pan and zoom. */
  t: { k: number; x: number; y: number };
  /** The part of the graph in view, in graph coordinates. */
  view: Rect;
  boxes: boolean;
  palette: Palette;
}

export function edgeBox(edge: PlacedEdge): EdgeBox {
  let [minX, minY, maxX, maxY] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < edge.points.length; i += 2) {
    minX = Math.min(minX, edge.points[i]!);
    maxX = Math.max(maxX, edge.points[i]!);
    minY = Math.min(minY, edge.points[i + 1]!);
    maxY = Math.max(maxY, edge.points[i + 1]!);
  }
  return { edge, minX, minY, maxX, maxY };
}

/** Draws the scene on `canvas`, sized to `size` (CSS pixels) at the screen's pixel ratio. */
export function drawScene(canvas: HTMLCanvasElement, size: { width: number; height: number }, scene: CanvasScene): void {
  const dpr = window.devicePixelRatio || 1;
  if (canvas.width !== Math.round(size.width * dpr) || canvas.height !== Math.round(size.height * dpr)) {
    canvas.width = Math.round(size.width * dpr);
    canvas.height = Math.round(size.height * dpr);
  }
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const { t, view, boxes, palette } = scene;
  const k = t.k;
  ctx.setTransform(dpr * k, 0, 0, dpr * k, dpr * t.x, dpr * t.y);
  const kinds = { edge: new Path2D(), critical: new Path2D(), blocked: new Path2D() };
  const heads: [number, number, number, number, EdgeKind][] = [];
  for (const box of scene.edges) {
    if (box.maxX < view.x || box.minX > view.x + view.width || box.maxY < view.y || box.minY > view.y + view.height) continue;
    const { edge } = box;
    const kind = scene.edgeKind(edge.from, edge.to);
    if (kind === 'edge' && k < PLAIN_EDGES_BELOW) continue;
    const path = kinds[kind];
    const p = edge.points;
    path.moveTo(p[0]!, p[1]!);
    for (let i = 2; i < p.length; i += 2) path.lineTo(p[i]!, p[i + 1]!);
    if (!boxes && p.length >= 4) heads.push([p[p.length - 4]!, p[p.length - 3]!, p[p.length - 2]!, p[p.length - 1]!, kind]);
  }
  const colour = { edge: palette.edge, critical: palette.critical, blocked: palette.blocked };
  for (const kind of ['edge', 'critical', 'blocked'] as const) {
    ctx.strokeStyle = colour[kind];
    ctx.lineWidth = (kind === 'edge' ? 1.25 : 2.5) / Math.max(k, 0.2);
    ctx.setLineDash(kind === 'blocked' ? [6 / Math.max(k, 0.2), 4 / Math.max(k, 0.2)] : []);
    ctx.stroke(kinds[kind]);
  }
  ctx.setLineDash([]);
  for (const [x0, y0, x1, y1, kind] of heads) {
    const angle = Math.atan2(y1 - y0, x1 - x0);
    ctx.fillStyle = colour[kind];
    ctx.beginPath();
    ctx.moveTo(x1, y1);
    ctx.lineTo(x1 - 9 * Math.cos(angle - 0.4), y1 - 9 * Math.sin(angle - 0.4));
    ctx.lineTo(x1 - 9 * Math.cos(angle + 0.4), y1 - 9 * Math.sin(angle + 0.4));
    ctx.fill();
  }
  if (boxes) drawBoxes(ctx, scene);
}

/** Zoomed far out: every task in view as a box of its status's colour (no elements). */
function drawBoxes(ctx: CanvasRenderingContext2D, { nodes, view, palette, selected, t }: CanvasScene): void {
  const byStatus = new Map<string, Path2D>();
  for (const node of nodes) {
    if (node.x + NODE_WIDTH < view.x || node.x > view.x + view.width || node.y + NODE_HEIGHT < view.y || node.y > view.y + view.height) continue;
    let path = byStatus.get(node.data.status);
    if (!path) byStatus.set(node.data.status, (path = new Path2D()));
    path.rect(node.x, node.y, NODE_WIDTH, NODE_HEIGHT);
  }
  for (const [status, path] of byStatus) {
    ctx.fillStyle = palette.status[status as DagNode['status']];
    ctx.fill(path);
  }
  if (selected) {
    ctx.strokeStyle = palette.selected;
    ctx.lineWidth = 3 / t.k;
    ctx.strokeRect(selected.x, selected.y, NODE_WIDTH, NODE_HEIGHT);
  }
}
