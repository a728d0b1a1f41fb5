/**
 * dist/webview/dagElk.js: elkjs's layout worker as text, for the DAG page to start from a blob when
 * it must lay a graph out itself (the host's layout worker not available). A bundle of its own, loaded
 * only then (layout.ts), so that the page every DAG panel loads stays small.
 */
import workerSource from 'elk-worker-source';

(window as { switchboardElkWorker?: string }).switchboardElkWorker = workerSource;
