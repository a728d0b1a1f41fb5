/**
 * The graph on screen. Edges (and, zoomed far out, the nodes as coloured boxes) are drawn on a
 * canvas (edgeCanvas.ts); node elements exist only for the tasks in view (a grid index finds them), so a graph of
 * thousands of tasks pans and zooms smoothly. A status change updates its node in place: no new
 * layout, no redraw of the rest, and the pan and zoom stay. Pointer: drag to pan, wheel to zoom,
 * click selects, double-click opens. Keys: arrows move between tasks, Enter opens, +/- zoom, 0 fits.
 */
import type { DagNode } from '../../shared/protocol/dagProtocol';
import { el } from '../shared/dom';
import { drawScene, edgeBox, type EdgeBox, type EdgeKind, type Rect } from './edgeCanvas';
import { NODE_HEIGHT, NODE_WIDTH, type Layout } from './layout';
import { metrics } from '../shared/metrics';
import { neighbour, type Direction, type Placed } from './navigation';
import { fillNode, makeNodeElement, tickNode } from './nodeElement';
import { readPalette, type Palette } from './statusLook';

const CELL = 512;
/** Below this zoom the nodes are drawn as boxes on the canvas, without elements. */
const BOXES_BELOW = 0.3;
const MIN_ZOOM = 0.02;
const MAX_ZOOM = 2.5;
const UNDONE = new Set(['failed', 'blocked', 'cancelled']);

interface ViewNode extends Placed {
  data: DagNode;
  element?: HTMLElement;
}

export interface ViewTransform {
  k: number;
  x: number;
  y: number;
}

export interface GraphEvents {
  select(id: string | undefined): void;
  open(id: string): void;
  /** The pan or zoom moved (to keep it across reloads, to move the minimap's frame). */
  moved(): void;
}

export class GraphView {
  readonly stage: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly layer: HTMLElement;
  private readonly nodes = new Map<string, ViewNode>();
  private readonly dependents = new Map<string, string[]>();
  private edges: EdgeBox[] = [];
  private readonly grid = new Map<string, string[]>();
  private readonly mounted = new Set<string>();
  private critical = new Set<string>();
  private criticalEdges = new Set<string>();
  private matches = new Set<string>();
  private selectedId: string | undefined;
  private team: string | undefined;
  private active = false;
  private t: ViewTransform = { k: 1, x: 0, y: 0 };
  private palette: Palette = readPalette();
  private frame = 0;
  bounds = { width: 0, height: 0 };

  constructor(private readonly events: GraphEvents) {
    this.canvas = el('canvas', { class: 'edges', attrs: { 'aria-hidden': 'true' } });
    this.layer = el('div', { class: 'layer' });
    this.stage = el('div', { class: 'stage', attrs: { tabindex: '0', role: 'group', 'aria-roledescription': 'task graph' } }, this.canvas, this.layer);
    this.listen();
    new ResizeObserver(() => this.request()).observe(this.stage);
    setInterval(() => this.tick(), 1000);
  }

  get transform(): ViewTransform {
    return { ...this.t };
  }

  get selected(): string | undefined {
    return this.selectedId;
  }

  node(id: string): DagNode | undefined {
    return this.nodes.get(id)?.data;
  }

  allNodes(): Iterable<{ x: number; y: number; data: DagNode }> {
    return this.nodes.values();
  }

  /** A new graph and its layout (the pan and zoom stay unless `fit`). */
  setGraph(nodes: readonly DagNode[], layout: Layout, meta: { critical: string[]; team?: string; active: boolean }): void {
    for (const id of this.mounted) this.nodes.get(id)?.element?.remove();
    this.mounted.clear();
    this.nodes.clear();
    this.dependents.clear();
    this.grid.clear();
    for (const data of nodes) {
      const at = layout.nodes.get(data.id) ?? { x: 0, y: 0 };
      this.nodes.set(data.id, { id: data.id, x: at.x, y: at.y, dependsOn: data.dependsOn, data });
      for (const d of data.dependsOn) this.dependents.set(d, [...(this.dependents.get(d) ?? []), data.id]);
      const key = `${Math.floor(at.x / CELL)},${Math.floor(at.y / CELL)}`;
      this.grid.set(key, [...(this.grid.get(key) ?? []), data.id]);
    }
    this.edges = layout.edges.map(edgeBox);
    this.bounds = { width: layout.width, height: layout.height };
    if (this.selectedId && !this.nodes.has(this.selectedId)) this.selectedId = undefined;
    this.setMeta(meta);
    this.stage.setAttribute('aria-label', `Task graph of ${nodes.length} tasks. Arrow keys move between tasks, Enter opens a task's output, plus and minus zoom, 0 fits.`);
    this.request();
  }

  setMeta(meta: { critical: string[]; team?: string; active: boolean }): void {
    const criticalChanged = meta.critical.join('\n') !== [...this.critical].join('\n');
    this.team = meta.team;
    this.active = meta.active;
    this.critical = new Set(meta.critical);
    this.criticalEdges = new Set(meta.critical.slice(1).map((id, i) => `${meta.critical[i]}->${id}`));
    if (!criticalChanged) return;
    for (const id of this.mounted) this.fill(this.nodes.get(id)!);
    this.request();
  }

  /**
   * Tasks whose status or figures changed: their elements are updated in place, which the browser
   * paints at its next frame. The canvas is drawn again only when it shows something that changed
   * (zoomed out, the nodes' colours; else an edge's look, which follows its ends' statuses).
   */
  update(nodes: readonly DagNode[]): void {
    let canvas = this.t.k < BOXES_BELOW;
    for (const data of nodes) {
      const node = this.nodes.get(data.id);
      if (!node) continue;
      const before = canvas ? '' : this.edgeKindsAt(node.id);
      node.data = data;
      if (node.element) this.fill(node);
      canvas ||= this.edgeKindsAt(node.id) !== before;
    }
    if (canvas) this.request();
  }

  /** How an edge is drawn: into a blocked task from one that will not be done, on the critical path, or plain. */
  private edgeKind(from: string, to: string): EdgeKind {
    const target = this.nodes.get(to)?.data.status;
    const source = this.nodes.get(from)?.data.status ?? '';
    return target === 'blocked' && UNDONE.has(source) ? 'blocked' : this.criticalEdges.has(`${from}->${to}`) ? 'critical' : 'edge';
  }

  private edgeKindsAt(id: string): string {
    const into = this.nodes.get(id)?.dependsOn.map((from) => this.edgeKind(from, id)) ?? [];
    return [...into, ...(this.dependents.get(id) ?? []).map((to) => this.edgeKind(id, to))].join();
  }

  setMatches(ids: Iterable<string>): void {
    this.matches = new Set(ids);
    for (const id of this.mounted) this.fill(this.nodes.get(id)!);
    this.request();
  }

  select(id: string | undefined, reveal = false): void {
    const before = this.selectedId;
    this.selectedId = id && this.nodes.has(id) ? id : undefined;
    for (const changed of [before, this.selectedId]) {
      const node = changed ? this.nodes.get(changed) : undefined;
      if (node?.element) this.fill(node);
    }
    if (reveal && this.selectedId) this.reveal(this.selectedId);
    this.events.select(this.selectedId);
    this.request();
  }

  /** Pans so that the node is in view (when it is not), then focuses its element. */
  focusNode(id: string): void {
    this.select(id, true);
    this.render();
    const element = this.nodes.get(id)?.element;
    if (element) element.focus({ preventScroll: true });
    else this.stage.focus({ preventScroll: true });
  }

  private reveal(id: string): void {
    const node = this.nodes.get(id)!;
    const { width, height } = this.stage.getBoundingClientRect();
    const sx = node.x * this.t.k + this.t.x;
    const sy = node.y * this.t.k + this.t.y;
    const margin = 24;
    if (this.t.k < BOXES_BELOW) this.t.k = Math.min(1, Math.max(BOXES_BELOW, this.t.k * 3));
    if (sx < margin || sy < margin || sx + NODE_WIDTH * this.t.k > width - margin || sy + NODE_HEIGHT * this.t.k > height - margin) this.centerOn(node.x + NODE_WIDTH / 2, node.y + NODE_HEIGHT / 2);
  }

  centerOn(x: number, y: number): void {
    const { width, height } = this.stage.getBoundingClientRect();
    this.setTransform({ k: this.t.k, x: width / 2 - x * this.t.k, y: height / 2 - y * this.t.k });
  }

  fit(): void {
    const { width, height } = this.stage.getBoundingClientRect();
    if (!this.bounds.width || !width) return;
    const k = Math.min(MAX_ZOOM, 1, Math.max(MIN_ZOOM, Math.min((width - 40) / this.bounds.width, (height - 40) / this.bounds.height)));
    this.setTransform({ k, x: (width - this.bounds.width * k) / 2, y: (height - this.bounds.height * k) / 2 });
  }

  zoomBy(factor: number, at?: { x: number; y: number }): void {
    const rect = this.stage.getBoundingClientRect();
    const cx = at?.x ?? rect.width / 2;
    const cy = at?.y ?? rect.height / 2;
    const k = Math.min(MAX_ZOOM, Math.max(MIN_ZOOM, this.t.k * factor));
    const wx = (cx - this.t.x) / this.t.k;
    const wy = (cy - this.t.y) / this.t.k;
    this.setTransform({ k, x: cx - wx * k, y: cy - wy * k });
  }

  setTransform(t: ViewTransform): void {
    this.t = { ...t };
    this.request();
    this.events.moved();
  }

  themeChanged(): void {
    this.palette = readPalette();
    this.request();
  }

  /** Draws at the next frame (once, however many changes come before it). */
  request(): void {
    this.frame ||= requestAnimationFrame(() => this.render());
  }

  /** The part of the graph in view, in graph coordinates. */
  viewRect(): Rect {
    const { width, height } = this.stage.getBoundingClientRect();
    return { x: -this.t.x / this.t.k, y: -this.t.y / this.t.k, width: width / this.t.k, height: height / this.t.k };
  }

  private render(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
    this.frame = 0;
    const started = performance.now();
    const view = this.viewRect();
    const boxes = this.t.k < BOXES_BELOW;
    this.layer.style.transform = `translate(${this.t.x}px, ${this.t.y}px) scale(${this.t.k})`;
    this.mount(boxes ? new Set() : this.visible(view));
    const selected = boxes && this.selectedId ? this.nodes.get(this.selectedId) : undefined;
    drawScene(this.canvas, this.stage.getBoundingClientRect(), { edges: this.edges, edgeKind: (from, to) => this.edgeKind(from, to), nodes: this.nodes.values(), selected, t: this.t, view, boxes, palette: this.palette });
    metrics.frames.push(performance.now() - started);
    if (metrics.frames.length > 600) metrics.frames.splice(0, 300);
  }

  private visible(view: Rect): Set<string> {
    const found = new Set<string>();
    const pad = NODE_WIDTH;
    for (let cx = Math.floor((view.x - pad) / CELL); cx <= Math.floor((view.x + view.width) / CELL); cx++) {
      for (let cy = Math.floor((view.y - pad) / CELL); cy <= Math.floor((view.y + view.height) / CELL); cy++) {
        for (const id of this.grid.get(`${cx},${cy}`) ?? []) {
          const n = this.nodes.get(id)!;
          if (n.x + NODE_WIDTH >= view.x && n.x <= view.x + view.width && n.y + NODE_HEIGHT >= view.y && n.y <= view.y + view.height) found.add(id);
        }
      }
    }
    // The focused node stays, so that the keyboard focus is not lost while it pans.
    if (this.selectedId && document.activeElement === this.nodes.get(this.selectedId)?.element) found.add(this.selectedId);
    return found;
  }

  private mount(wanted: Set<string>): void {
    for (const id of [...this.mounted]) {
      if (wanted.has(id)) continue;
      const node = this.nodes.get(id);
      node?.element?.remove();
      if (node) node.element = undefined;
      this.mounted.delete(id);
    }
    for (const id of wanted) {
      if (this.mounted.has(id)) continue;
      const node = this.nodes.get(id)!;
      node.element = makeNodeElement(id);
      node.element.style.left = `${node.x}px`;
      node.element.style.top = `${node.y}px`;
      this.fill(node);
      this.layer.append(node.element);
      this.mounted.add(id);
    }
  }

  private fill(node: ViewNode): void {
    fillNode(node.element!, node.data, { critical: this.critical.has(node.id), selected: node.id === this.selectedId, match: this.matches.has(node.id), team: this.team, active: this.active });
  }

  /** The task under a point of the stage (for clicks while the nodes are boxes). */
  private nodeAt(clientX: number, clientY: number): string | undefined {
    const rect = this.stage.getBoundingClientRect();
    const x = (clientX - rect.left - this.t.x) / this.t.k;
    const y = (clientY - rect.top - this.t.y) / this.t.k;
    for (const id of this.grid.get(`${Math.floor(x / CELL)},${Math.floor(y / CELL)}`) ?? []) {
      const n = this.nodes.get(id)!;
      if (x >= n.x && x <= n.x + NODE_WIDTH && y >= n.y && y <= n.y + NODE_HEIGHT) return id;
    }
    // A node can stick out of the cell its corner is in.
    for (const n of this.nodes.values()) if (x >= n.x && x <= n.x + NODE_WIDTH && y >= n.y && y <= n.y + NODE_HEIGHT) return n.id;
    return undefined;
  }

  private target(event: MouseEvent): string | undefined {
    const element = (event.target as HTMLElement | null)?.closest<HTMLElement>('.node');
    return element?.dataset.id ?? (this.t.k < BOXES_BELOW ? this.nodeAt(event.clientX, event.clientY) : undefined);
  }

  private listen(): void {
    let drag: { x: number; y: number; t: ViewTransform; moved: boolean; pointer: number } | undefined;
    this.stage.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, t: this.transform, moved: false, pointer: e.pointerId };
    });
    this.stage.addEventListener('pointermove', (e) => {
      if (!drag || e.pointerId !== drag.pointer) return;
      const dx = e.clientX - drag.x;
      const dy = e.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      if (!drag.moved) this.stage.setPointerCapture(e.pointerId);
      drag.moved = true;
      this.stage.classList.add('panning');
      this.setTransform({ k: drag.t.k, x: drag.t.x + dx, y: drag.t.y + dy });
    });
    const end = (e: PointerEvent): void => {
      if (!drag || e.pointerId !== drag.pointer) return;
      const moved = drag.moved;
      drag = undefined;
      this.stage.classList.remove('panning');
      if (this.stage.hasPointerCapture(e.pointerId)) this.stage.releasePointerCapture(e.pointerId);
      if (!moved) {
        const id = this.target(e);
        this.select(id);
        if (id) this.nodes.get(id)?.element?.focus({ preventScroll: true });
      }
    };
    this.stage.addEventListener('pointerup', end);
    this.stage.addEventListener('pointercancel', end);
    this.stage.addEventListener('dblclick', (e) => {
      const id = this.target(e);
      if (id) this.events.open(id);
    });
    this.stage.addEventListener('wheel', (e) => {
      e.preventDefault();
      const rect = this.stage.getBoundingClientRect();
      this.zoomBy(Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015)), { x: e.clientX - rect.left, y: e.clientY - rect.top });
    }, { passive: false });
    this.stage.addEventListener('keydown', (e) => this.key(e));
  }

  private key(e: KeyboardEvent): void {
    const arrows: Record<string, Direction> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };
    const direction = arrows[e.key];
    if (direction) {
      e.preventDefault();
      const from = this.selectedId ? this.nodes.get(this.selectedId) : undefined;
      const next = from ? neighbour(from, direction, this.nodes, this.dependents) : this.first();
      if (next) this.focusNode(next);
      return;
    }
    if (e.key === 'Enter' && this.selectedId) return void (e.preventDefault(), this.events.open(this.selectedId));
    if (e.key === 'Escape') return this.select(undefined);
    if (e.key === '+' || e.key === '=') return this.zoomBy(1.25);
    if (e.key === '-') return this.zoomBy(0.8);
    if (e.key === '0') return this.fit();
  }

  /** The top-left task: where the keyboard starts. */
  private first(): string | undefined {
    let best: ViewNode | undefined;
    for (const n of this.nodes.values()) if (!best || n.x < best.x || (n.x === best.x && n.y < best.y)) best = n;
    return best?.id;
  }

  /** Running tasks' clocks move on. */
  private tick(): void {
    for (const id of this.mounted) {
      const node = this.nodes.get(id)!;
      if (node.data.status === 'running' && node.element) tickNode(node.element, node.data);
    }
  }
}
