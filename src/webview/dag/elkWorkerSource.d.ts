/** elkjs's layout worker (elkjs/lib/elk-worker.min.js) as text, put into dagElk.js by esbuild.mjs. */
declare module 'elk-worker-source' {
  const source: string;
  export = source;
}
