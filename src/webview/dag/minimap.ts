/**
 * The minimap of a large graph: every task as a dot of its status's colour, and a frame around the
 * part in view; a click or a drag there moves the view. The dots are drawn again only when the
 * graph or a status changes; moving the view redraws only the frame.
 */
import { el } from '../shared/dom';
import type { GraphView } from './graphView';
import { NODE_HEIGHT, NODE_WIDTH } from './layout';
import { readPalette } from './statusLook';

const WIDTH = 220;
const HEIGHT = 140;

export class Minimap {
  readonly element: HTMLCanvasElement;
  private dots: HTMLCanvasElement | undefined;
  private scale = 1;
  private palette = readPalette();
  private later = 0;

  constructor(private readonly view: GraphView) {
    this.element = el('canvas', { class: 'minimap', attrs: { role: 'img', 'aria-label': 'Minimap of the task graph; click to move the view there' } });
    const dpr = window.devicePixelRatio || 1;
    this.element.width = WIDTH * dpr;
    this.element.height = HEIGHT * dpr;
    let dragging = false;
    const move = (e: PointerEvent): void => {
      const rect = this.element.getBoundingClientRect();
      this.view.centerOn((e.clientX - rect.left) / this.scale, (e.clientY - rect.top) / this.scale);
    };
    this.element.addEventListener('pointerdown', (e) => {
      dragging = true;
      this.element.setPointerCapture(e.pointerId);
      move(e);
    });
    this.element.addEventListener('pointermove', (e) => dragging && move(e));
    this.element.addEventListener('pointerup', () => (dragging = false));
  }

  /** The graph or a status changed: the dots are drawn again a little later (the graph itself first). */
  invalidate(): void {
    this.dots = undefined;
    this.later ||= window.setTimeout(() => {
      this.later = 0;
      this.draw();
    }, 100);
  }

  themeChanged(): void {
    this.palette = readPalette();
    this.invalidate();
  }

  draw(): void {
    if (this.element.hidden) return;
    const { width, height } = this.view.bounds;
    if (!width || !height) return;
    this.scale = Math.min(WIDTH / width, HEIGHT / height);
    const dpr = window.devicePixelRatio || 1;
    const palette = this.palette;
    if (!this.dots) {
      this.dots = document.createElement('canvas');
      this.dots.width = this.element.width;
      this.dots.height = this.element.height;
      const ctx = this.dots.getContext('2d')!;
      ctx.scale(dpr * this.scale, dpr * this.scale);
      const byStatus = new Map<string, Path2D>();
      for (const node of this.view.allNodes()) {
        let path = byStatus.get(node.data.status);
        if (!path) byStatus.set(node.data.status, (path = new Path2D()));
        path.rect(node.x, node.y, Math.max(NODE_WIDTH, 2 / this.scale), Math.max(NODE_HEIGHT, 2 / this.scale));
      }
      for (const [status, path] of byStatus) {
        ctx.fillStyle = palette.status[status as keyof typeof palette.status];
        ctx.fill(path);
      }
    }
    const ctx = this.element.getContext('2d')!;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, this.element.width, this.element.height);
    ctx.drawImage(this.dots, 0, 0);
    const r = this.view.viewRect();
    ctx.setTransform(dpr * this.scale, 0, 0, dpr * this.scale, 0, 0);
    ctx.strokeStyle = palette.viewport;
    ctx.lineWidth = 1.5 / this.scale;
    ctx.strokeRect(r.x, r.y, r.width, r.height);
  }
}
