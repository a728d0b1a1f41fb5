/**
 * The DAG panel's webview: the toolbar (Fit, zoom, search by id or title, minimap), the graph, the
 * details of the selected task. The first graph comes embedded in the page, with its layout (or it
 * follows when the host's layout worker is done); then the host sends a new graph with its layout
 * when tasks or edges change (drawn again, pan and zoom kept) or only changed nodes (updated in
 * place). Only when the host has no layout worker does the page lay graphs out itself. The pan,
 * zoom, selection and layout are kept across Reload Window.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './dag.css';
import type { CachedLayout, DagHeader, DagInitial, DagNode, DagPanelState, DagProtocol } from '../../shared/protocol/dagProtocol';
import { shapeOf } from '../../shared/dagLayout';
import { Channel, initialState } from '../shared/vscodeApi';
import { custom, el, onThemeChange } from '../shared/dom';
import { Details } from './details';
import { GraphView, type ViewTransform } from './graphView';
import { fromCached, layoutHere, type Layout } from './layout';
import { afterPaint, metrics } from '../shared/metrics';
import { Minimap } from './minimap';

interface DagState extends DagPanelState {
  view?: ViewTransform;
  selected?: string;
}

const first = initialState<DagInitial>();
let header: DagHeader = first.content;
// (setHeader below keeps it current; the graph messages and the node updates both carry it.)
const data = new Map<string, DagNode>(first.content.nodes.map((n) => [n.id, n]));
/** Graphs waiting to be laid out (only the newest counts). */
let pendingGraph: DagInitial | undefined;
/** The layout on screen (kept in the state for the next time), and whether it is drawn. */
let shownLayout: CachedLayout | undefined;
let drawnShape: string | undefined;
let laying = false;
let laidOut = false;

const channel = new Channel<DagProtocol, DagState>((message) => {
  const received = performance.now();
  if (message.method === 'graph') {
    setHeader(message.params);
    data.clear();
    for (const n of message.params.nodes) data.set(n.id, n);
    return void relayout(message.params);
  }
  const { header: next, nodes } = message.params;
  const activeBefore = header.active;
  setHeader(next);
  for (const n of nodes) data.set(n.id, n);
  view.setMeta(next);
  view.update(nodes);
  metrics.applyMs.push(performance.now() - received);
  minimap.invalidate();
  // The details again only when they show a task that changed (or what can be done changed).
  if (view.selected && (activeBefore !== next.active || nodes.some((n) => n.id === view.selected))) refreshDetails();
  afterPaint((at) => {
    metrics.updateMs.push(at - received);
    metrics.lastPaintedAt = Date.now();
  });
});
const saved = channel.state;

const dependentsOf = (id: string): string[] => [...data.values()].filter((n) => n.dependsOn.includes(id)).map((n) => n.id);

const details = new Details({
  act: (action, task) => channel.command('act', { action, task }),
  goTo: (task) => view.focusNode(task),
  output: async (task) => (await channel.request('details', { task })).outputTail,
});

let persist = 0;
const view = new GraphView({
  select: () => {
    refreshDetails();
    save();
  },
  open: (id) => channel.command('act', { action: 'openOutput', task: id }),
  moved: () => {
    minimap.draw();
    save();
  },
});
const minimap = new Minimap(view);

function save(): void {
  // Written at most every 200 ms while panning.
  persist ||= window.setTimeout(() => {
    persist = 0;
    channel.state = { key: first.key, view: view.transform, ...(view.selected ? { selected: view.selected } : {}), ...(shownLayout ? { layout: shownLayout } : {}) };
  }, 200);
}

function refreshDetails(): void {
  const id = view.selected;
  details.show(id ? data.get(id) : undefined, header, id ? dependentsOf(id) : []);
}

// The toolbar.
const title = el('h1', { class: 'title' });
const statusText = el('span', { class: 'team-status', attrs: { role: 'status' } });
const note = el('p', { class: 'note', attrs: { role: 'status' } });
const search = custom('vscode-textfield', { placeholder: 'Find a task by id or title', 'aria-label': 'Find a task by id or title', type: 'search' }) as HTMLElement & { value: string };
const found = el('span', { class: 'found', attrs: { 'aria-live': 'polite' } });
const button = (label: string, aria: string, run: () => void): HTMLElement => {
  const b = custom('vscode-button', { secondary: '', 'aria-label': aria, title: aria }, label);
  b.addEventListener('click', run);
  return b;
};
const minimapToggle = button('Minimap', 'Show or hide the minimap', () => {
  minimap.element.hidden = !minimap.element.hidden;
  minimap.invalidate();
});
const toolbar = el(
  'header',
  { class: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Graph tools' } },
  title,
  statusText,
  el('span', { class: 'spacer' }),
  search,
  found,
  button('Fit', 'Fit the graph in view (0)', () => view.fit()),
  button('−', 'Zoom out (-)', () => view.zoomBy(0.8)),
  button('+', 'Zoom in (+)', () => view.zoomBy(1.25)),
  minimapToggle,
);

let matchIndex = -1;
let matchIds: string[] = [];
search.addEventListener('input', () => {
  const text = search.value.trim().toLowerCase();
  matchIds = text ? [...data.values()].filter((n) => n.id.toLowerCase() === text || n.id.toLowerCase().includes(text) || n.title.toLowerCase().includes(text)).map((n) => n.id) : [];
  // An exact id first.
  matchIds.sort((a, b) => Number(b.toLowerCase() === text) - Number(a.toLowerCase() === text));
  matchIndex = -1;
  view.setMatches(matchIds);
  found.textContent = text ? `${matchIds.length} found` : '';
});
search.addEventListener('keydown', (e) => {
  if ((e as KeyboardEvent).key !== 'Enter' || !matchIds.length) return;
  matchIndex = (matchIndex + 1) % matchIds.length;
  found.textContent = `${matchIndex + 1} of ${matchIds.length}`;
  view.focusNode(matchIds[matchIndex]!);
});

function setHeader(next: DagHeader): void {
  header = next;
  title.textContent = next.title;
  statusText.textContent = `${next.status}${next.critical.length ? ` · critical path ${next.critical.join(' → ')}` : ''}`;
  note.textContent = next.note ?? '';
  note.hidden = !next.note;
}

/**
 * The layout of `graph`: the host's, or one kept for the same tasks and edges; none yet while the
 * host lays it out (it sends the graph again); else (the host has no layout worker) this page's own.
 */
async function layoutOf(graph: DagInitial): Promise<CachedLayout | undefined> {
  const shape = shapeOf(graph.nodes);
  if (graph.layout?.shape === shape) {
    metrics.layoutFrom ??= graph === first.content ? 'embedded in the page' : 'sent by the host when laid out';
    return graph.layout;
  }
  const known = [shownLayout, saved?.layout].find((l) => l?.shape === shape);
  if (known) metrics.layoutFrom ??= 'kept by the page';
  if (known || graph.layoutPending) return known;
  const started = performance.now();
  const placed = await layoutHere(graph.nodes);
  metrics.layoutMs.push(performance.now() - started);
  metrics.layoutFrom ??= 'laid out by the page';
  channel.command('layout', placed);
  return placed;
}

async function relayout(graph: DagInitial): Promise<void> {
  pendingGraph = graph;
  if (laying) return;
  laying = true;
  try {
    while (pendingGraph) {
      const next = pendingGraph;
      pendingGraph = undefined;
      let cached: CachedLayout | undefined;
      try {
        cached = await layoutOf(next);
      } catch (error) {
        note.textContent = `The graph could not be laid out: ${(error as Error).message ?? String(error)}`;
        note.hidden = false;
        continue;
      }
      if (!cached) {
        if (!drawnShape) {
          note.textContent = `Laying out ${next.nodes.length.toLocaleString('en')} tasks…`;
          note.hidden = false;
        }
        continue;
      }
      // Changes that came while it was laid out apply on top.
      const nodes = next.nodes.map((n) => data.get(n.id) ?? n);
      shownLayout = cached;
      if (drawnShape === cached.shape) {
        // The graph already drawn (sent again): its nodes updated in place.
        view.setMeta(header);
        view.update(nodes);
      } else {
        view.setGraph(nodes, fromCached(cached) satisfies Layout, header);
        drawnShape = cached.shape;
      }
      if (!laidOut) {
        laidOut = true;
        if (saved?.view) view.setTransform(saved.view);
        else view.fit();
        if (saved?.selected) view.select(saved.selected);
        afterPaint((at) => {
          metrics.firstRenderAt = at;
          metrics.firstRenderWallAt = Date.now();
        });
      }
      minimap.element.hidden = next.nodes.length < 30 && minimap.element.hidden !== false;
      minimap.invalidate();
      refreshDetails();
      save();
    }
  } finally {
    laying = false;
  }
}

document.body.append(el('div', { class: 'dag' }, toolbar, note, el('div', { class: 'main' }, el('div', { class: 'canvas-wrap' }, view.stage, minimap.element), details.element)));
setHeader(header);
minimap.element.hidden = first.content.nodes.length < 30;
onThemeChange(() => {
  view.themeChanged();
  minimap.themeChanged();
});
void relayout(first.content);
channel.command('ready', {});
