// Builds the bundles for production and packages the extension as out/switchboard-<version>.vsix.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const out = `out/switchboard-${version}.vsix`;
execFileSync(process.execPath, ['esbuild.mjs', '--production'], { stdio: 'inherit' });
mkdirSync('out', { recursive: true });
// Everything is bundled into dist/, so no node_modules go into the package.
execFileSync('npx', ['vsce', 'package', '--no-dependencies', '--allow-missing-repository', '--out', out], { stdio: 'inherit' });
console.log(out);
