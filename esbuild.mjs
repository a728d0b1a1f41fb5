// Builds the bundles: the extension (Node/CJS, `vscode` external), the headless CLI, the detached
// supervisor, and (when it exists) the webview bundle for the browser; then writes the JSON Schemas
// of config.json and task files (dist/schemas/) from their zod schemas.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

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
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js' },
  { ...node, entryPoints: ['src/cliMain.ts'], outfile: 'dist/cli.js' },
  { ...node, entryPoints: ['src/supervisorMain.ts'], outfile: 'dist/supervisor.js' },
  { bundle: true, platform: 'browser', format: 'iife', target: 'es2022', entryPoints: ['src/webview/main.ts'], outfile: 'dist/webview.js', sourcemap: !production, minify: production },
].filter((b) => existsSync(b.entryPoints[0]));

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

if (watch) {
  await writeSchemas();
  for (const b of builds) await (await esbuild.context(b)).watch();
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  if (existsSync('dist/cli.js')) chmodSync('dist/cli.js', 0o755);
  await writeSchemas();
}
