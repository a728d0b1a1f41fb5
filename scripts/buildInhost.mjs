// Builds the in-host suite: test/vscode bundled with mocha into out/inhost-extension/suite.js (only
// `vscode` left to the extension host), beside the test-only extension that runs it
// (test/vscode/host). `@vscode/test-electron` loads suite.js as its extensionTestsPath; the
// code-server runner (test/inhost) installs the folder as an extension. Needs `npm run build` for dist/.
import * as esbuild from 'esbuild';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const INHOST_EXTENSION = path.join(root, 'out', 'inhost-extension');

export async function buildInhost() {
  rmSync(INHOST_EXTENSION, { recursive: true, force: true });
  mkdirSync(INHOST_EXTENSION, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(root, 'test', 'vscode', 'index.ts')],
    outfile: path.join(INHOST_EXTENSION, 'suite.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode'],
    logLevel: 'error',
  });
  for (const file of ['package.json', 'extension.js']) cpSync(path.join(root, 'test', 'vscode', 'host', file), path.join(INHOST_EXTENSION, file));
  return INHOST_EXTENSION;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildInhost();
