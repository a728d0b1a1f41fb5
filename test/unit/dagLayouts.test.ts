/**
 * The DAG layouts of the extension host: the real layout worker (dist/dagLayoutWorker.js, as built by
 * esbuild.mjs, in a real worker_thread with the real elkjs) laying out graphs with the same code and
 * options as the webview would, kept by shape (a status change reuses the layout, a new edge does
 * not), a panel's graph ahead of background ones, the worker ended when idle and started again, and a
 * worker that cannot start making the panels lay out themselves.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutTasks, NODE_WIDTH, shapeOf, type LayoutTask } from '../../src/shared/dagLayout';
import type { CachedLayout } from '../../src/shared/protocol/dagProtocol';
import { DagLayouts, isLayout } from '../../src/vscode/webviews/dagLayouts';
import { DIST, ensureBuilt, tempDir } from '../support/harness';

const SCRIPT = path.join(DIST, 'dagLayoutWorker.js');

/** `layers` × `width` tasks, each depending on one or two of the layer before. */
function layered(layers: number, width: number, prefix = 'T'): LayoutTask[] {
  const tasks: LayoutTask[] = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) tasks.push({ id: `${prefix}${l}-${i}`, dependsOn: l === 0 ? [] : [...new Set([`${prefix}${l - 1}-${i}`, `${prefix}${l - 1}-${(i * 7 + 3) % width}`])] });
  }
  return tasks;
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await wait(10);
  }
}

describe('DAG layouts in the host\'s layout worker', function () {
  this.timeout(120_000);
  let layouts: DagLayouts | undefined;

  before(() => ensureBuilt());
  afterEach(() => layouts?.dispose());

  it('lays a graph out left to right in the worker, exactly as the same code does with ELK in this thread', async () => {
    layouts = new DagLayouts(SCRIPT);
    const tasks = layered(4, 5);
    const layout = await layouts.layout(tasks);
    assert.ok(layouts.started, 'the worker started');
    assert.equal(layout.shape, shapeOf(tasks));
    assert.equal(layout.nodes.length, tasks.length);
    const x = new Map(layout.nodes.map(([id, nx]) => [id, nx]));
    for (const t of tasks) for (const d of t.dependsOn) assert.ok(x.get(d)! + NODE_WIDTH <= x.get(t.id)!, `${d} is left of ${t.id}`);
    assert.equal(layout.edges.length, tasks.reduce((n, t) => n + t.dependsOn.length, 0));
    assert.ok(layout.edges.every(([, , points]) => points.length >= 4), 'every edge has its route');
    assert.deepEqual(layout, await layoutTasks(new ELK(), tasks), 'the worker and the webview share one layout');
  });

  it('keeps a layout by the tasks and edges: a status or title change reuses it, a new edge lays out again', async () => {
    layouts = new DagLayouts(SCRIPT);
    const tasks = layered(3, 3).map((t) => ({ ...t, title: 'x', status: 'pending' }));
    const first = await layouts.layout(tasks);
    const statusChanged = tasks.map((t) => ({ ...t, title: 'y', status: 'done' }));
    assert.equal(layouts.known(statusChanged), first);
    assert.equal(await layouts.layout(statusChanged), first, 'the same layout, not laid out again');
    const moreEdges = tasks.map((t, i) => (i === tasks.length - 1 ? { ...t, dependsOn: [...t.dependsOn, tasks[0]!.id] } : t));
    assert.equal(layouts.known(moreEdges), undefined);
    const second = layouts.layout(moreEdges);
    assert.ok(layouts.pending(moreEdges));
    assert.equal(layouts.layout(moreEdges), second, 'asked twice, laid out once');
    assert.notEqual((await second).shape, first.shape);
  });

  it('lays out a panel\'s graph ahead of the background ones still waiting', async () => {
    layouts = new DagLayouts(SCRIPT);
    const done: string[] = [];
    const ask = (name: string, tasks: LayoutTask[], team?: string) => layouts!.layout(tasks, team).then(() => done.push(name));
    const all = [ask('bg1', layered(6, 8, 'a'), 'a'), ask('bg2', layered(3, 3, 'b'), 'b'), ask('bg3', layered(3, 3, 'c'), 'c'), ask('panel', layered(3, 3, 'd'))];
    // A background one asked for by a panel moves up too.
    all.push(ask('bg3 again', layered(3, 3, 'c')));
    // A newer graph of a team whose older one still waits takes its place.
    const replaced = layouts.layout(layered(3, 3, 'e'), 'e');
    all.push(ask('bg4', layered(3, 4, 'e'), 'e'));
    await assert.rejects(replaced, /newer graph of e/);
    await Promise.all(all);
    assert.deepEqual(done, ['bg1', 'panel', 'bg3', 'bg3 again', 'bg2', 'bg4']);
  });

  it('keeps the newest layouts, and those a webview sent', async () => {
    layouts = new DagLayouts(SCRIPT, { keep: 2 });
    const [a, b, c] = [layered(2, 2, 'a'), layered(2, 2, 'b'), layered(2, 2, 'c')];
    await layouts.layout(a);
    await layouts.layout(b);
    layouts.known(a); // used again: b is now the oldest
    await layouts.layout(c);
    assert.ok(layouts.known(a) && layouts.known(c));
    assert.equal(layouts.known(b), undefined);
    const sent: CachedLayout = { shape: shapeOf(b), width: 10, height: 10, nodes: b.map((t) => [t.id, 0, 0]), edges: [] };
    assert.ok(isLayout(sent));
    assert.ok(!isLayout({ shape: 'x', nodes: 'no' }));
    layouts.remember(sent);
    assert.equal(layouts.known(b), sent);
  });

  it('ends the worker when no panel holds it and nothing waits, and starts it again when wanted', async () => {
    layouts = new DagLayouts(SCRIPT, { idleMs: 50 });
    const held = layouts.hold();
    await layouts.layout(layered(2, 2, 'a'));
    await wait(200);
    assert.ok(layouts.started, 'kept while a panel holds it');
    held.dispose();
    held.dispose();
    await until(() => !layouts!.started, 5000, 'the idle worker to end');
    await layouts.layout(layered(2, 2, 'b'));
    assert.ok(layouts.available);
    await until(() => !layouts!.started, 5000, 'the worker to end again');
  });

  it('rejects what waits when the worker fails, and is no longer available (the webviews lay out themselves)', async () => {
    const broken = path.join(tempDir('sb-dag-layouts-'), 'broken.js');
    fs.writeFileSync(broken, "throw new Error('no ELK here');\n");
    const warnings: string[] = [];
    layouts = new DagLayouts(broken, { logger: { trace() {}, info() {}, warn: (m) => warnings.push(m), error() {} } });
    const waiting = [layouts.layout(layered(2, 2, 'a')), layouts.layout(layered(2, 2, 'b'), 'b')];
    for (const w of waiting) await assert.rejects(w, /no ELK here/);
    assert.equal(layouts.available, false);
    await assert.rejects(layouts.layout(layered(2, 2, 'c')), /not available/);
    assert.match(warnings.join('\n'), /the layout worker failed.*no ELK here/);
    const missing = new DagLayouts(path.join(path.dirname(broken), 'missing.js'));
    await assert.rejects(missing.layout(layered(2, 2, 'a')));
    assert.equal(missing.available, false);
    missing.dispose();
  });
});
