// Builds the bundles: the extension (Node/CJS, `vscode` external), the headless CLI, the detached
// supervisor, the DAG layout worker (a worker_thread of the extension host, with elkjs), and the
// webview bundles for the browser (one per panel, with its CSS, in dist/webview/; and elkjs's layout
// worker as text in dagElk.js, which the DAG's page loads only when the host's worker is not available); then
// writes the JSON Schemas of config.json and task files (dist/schemas/) from their zod schemas.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  external: ['vscode'],
  logLevel: 'warning',
};

const builds = [
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extensionBundle.js' },
  // The extension's main: a few lines that run dist/extensionBundle.js from a V8 code cache.
  { ...node, entryPoints: ['src/extensionBin.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cliMain.ts'], outfile: 'dist/cliBundle.js' },
  // The bin: a few lines that run dist/cliBundle.js from a V8 code cache (src/codeCache.ts).
  { ...node, entryPoints: ['src/cliBin.ts'], outfile: 'dist/cli.js' },
  // What the bin runs for `run` before that bundle: a cold supervisor host started (src/cli/coldHost.ts).
  { ...node, entryPoints: ['src/cli/coldHost.ts'], outfile: 'dist/coldHost.js' },
  { ...node, entryPoints: ['src/supervisorMain.ts'], outfile: 'dist/supervisorBundle.js' },
  { ...node, entryPoints: ['src/supervisorBin.ts'], outfile: 'dist/supervisor.js' },
  { ...node, entryPoints: ['src/vscode/webviews/dagLayoutWorker.ts'], outfile: 'dist/dagLayoutWorker.js' },
].filter((b) => existsSync(b.entryPoints[0]));

/** `import source from 'elk-worker-source'`: elkjs's worker script as a string (the webview starts it from a blob when it lays out itself). */
const elkWorkerSource = {
  name: 'elk-worker-source',
  setup(build) {
    build.onResolve({ filter: /^elk-worker-source$/ }, () => ({ path: join(process.cwd(), 'node_modules', 'elkjs', 'lib', 'elk-worker.min.js'), namespace: 'elk-worker' }));
    build.onLoad({ filter: /.*/, namespace: 'elk-worker' }, async (args) => ({ contents: await readFile(args.path, 'utf8'), loader: 'text' }));
  },
};

builds.push({
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  entryPoints: { dag: 'src/webview/dag/main.ts', dagElk: 'src/webview/dag/elkWorkerScript.ts', budget: 'src/webview/budget/main.ts' },
  outdir: 'dist/webview',
  plugins: [elkWorkerSource],
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
});

/** Bundles src/schemaFiles.ts into a throwaway script and runs it: the schemas come from the code itself. */
async function writeSchemas() {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-schemas-'));
  try {
    const outfile = join(dir, 'schemas.cjs');
    const contents = "import { writeSchemaFiles } from './src/schemaFiles'; writeSchemaFiles(process.argv[2]);";
    await esbuild.build({ ...node, sourcemap: false, minify: false, stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, outfile });
    execFileSync(process.execPath, [outfile, join('dist', 'schemas')], { stdio: 'inherit' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Escapes the characters outside ASCII that esbuild leaves in the Node bundles (in comments: it
 * escapes those of strings and regular expressions itself), so that codeCache.ts reads a bundle as
 * one-byte text. `\\uXXXX` means the same character wherever JavaScript allows one.
 */
function asciiOnly(files) {
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (ascii !== text) writeFileSync(file, ascii);
  }
}

/**
 * `import * as fs from 'node:fs'` becomes `__toESM(require("node:fs"))` in every module that has it: a
 * copy of the module's exports as getters (fs has a hundred), made again for each importing module.
 * A `switchboard run` made 75 of them, some 5 ms of its start and one young-generation GC more; the
 * extension's 64 copies of `vscode` cost its activation the same. Node's builtins and the externals
 * (`vscode`) never change their exports: each gets one copy, shared by its importers. The helper goes
 * on the `"use strict";` line, so that the source maps' lines stay right.
 */
function shareNamespaces(files) {
  const shared = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...node.external]);
  const helper = 'var __sharedESM = ((copies) => (name, mode) => copies.get(name + mode) ?? copies.set(name + mode, __toESM(require(name), mode)).get(name + mode))(new Map());';
  for (const file of files) {
    const text = readFileSync(file, 'latin1');
    let count = 0;
    const out = text.replace(/__toESM\(require\("([^"]+)"\)(, 1)?\)/g, (call, name, mode) => (shared.has(name) ? (count++, `__sharedESM(${JSON.stringify(name)}, ${mode ? 1 : 0})`) : call));
    if (count === 0) continue;
    const strict = out.indexOf('"use strict";\n');
    if (strict < 0 || strict > 30) throw new Error(`${file}: no "use strict" line at the top to put __sharedESM on`);
    const at = strict + '"use strict";'.length;
    writeFileSync(file, `${out.slice(0, at)} ${helper}${out.slice(at)}`, 'latin1');
  }
}

if (watch) {
  await writeSchemas();
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  asciiOnly(builds.filter((b) => b.outfile).map((b) => b.outfile));
  shareNamespaces(builds.filter((b) => b.outfile && b.platform === 'node').map((b) => b.outfile));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
  // Node looks up the nearest package.json of every script it starts: this small one spares each
  // CLI and supervisor process the parse of the 120 KB manifest (the extension's contributions).
  writeFileSync('dist/package.json', '{ "type": "commonjs" }\n');
  await writeSchemas();
}
