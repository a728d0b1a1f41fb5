/**
 * The DAG layout worker: a Node worker_thread of the extension host (no `vscode` import) that keeps
 * one ELK (elkjs, run in this thread) warm and lays out the graphs the host asks for, one at a time,
 * with the layout code the webview would use (src/shared/dagLayout.ts). Bundled by esbuild.mjs to
 * dist/dagLayoutWorker.js; started and fed by dagLayouts.ts.
 */
import { parentPort } from 'node:worker_threads';
import ELK from 'elkjs/lib/elk.bundled.js';
import { layoutTasks } from '../../shared/dagLayout';
import type { LayoutReply, LayoutRequest } from './dagLayouts';

const elk = new ELK();
const port = parentPort!;

port.on('message', (request: LayoutRequest) => {
  layoutTasks(elk, request.tasks).then(
    (layout) => port.postMessage({ shape: request.shape, layout } satisfies LayoutReply),
    (error: unknown) => port.postMessage({ shape: request.shape, error: error instanceof Error ? error.message : String(error) } satisfies LayoutReply),
  );
});
