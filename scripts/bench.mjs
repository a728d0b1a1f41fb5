// `npm run bench`: builds dist/ (the registry starts dist/supervisor.js), then runs each benchmark
// under tsx and passes its figures through. Benchmarks print numbers; they never fail on a slow one.
import { execFileSync, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const benches = ['bench/ingest.ts', 'bench/concurrency.ts', 'bench/mcp.ts', 'bench/agentsView.ts', 'bench/teams.ts', 'bench/feed.ts', 'bench/goals.ts', 'bench/history.ts', 'bench/startOverhead.ts', 'bench/sse.ts', 'bench/webviews.ts', 'bench/burst.ts', 'bench/faults.ts'];
const nproc = () => {
  try {
    return execFileSync('nproc', { encoding: 'utf8' }).trim();
  } catch {
    return String(os.availableParallelism());
  }
};

console.log(`switchboard bench | ${new Date().toISOString()} | node ${process.version} | nproc ${nproc()} | ${os.platform()} ${os.arch()}`);
const direct = [path.basename(process.execPath), ...process.argv.slice(1).map((a) => path.relative(root, a) || a)].join(' ');
const command = process.env.npm_lifecycle_event === 'bench' ? `npm run bench (${direct})` : direct;
console.log(`command: ${command} in ${root}; builds with node esbuild.mjs, then runs each of ${benches.join(', ')} with node --import tsx`);
execFileSync(process.execPath, ['esbuild.mjs'], { cwd: root, stdio: 'inherit' });

let failed = 0;
for (const bench of benches) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', bench], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    failed++;
    console.log(`${bench} crashed (${result.signal ?? `exit code ${result.status}`})`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
