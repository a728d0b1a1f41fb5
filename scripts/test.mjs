// The README's test command (`npm test`): installs what the tests need (the pinned agent CLIs, and
// Node 24 + code-server + Chromium for the real-VS-Code suite, Docker and the agent image for the
// container runs, all cached outside the repository),
// builds, type-checks, lints, then runs every mocha suite, and ends with one plain summary line.
import { spawnSync } from 'node:child_process';

const steps = [
  ['agent CLIs', ['node', 'scripts/installAgentClis.mjs']],
  ['VS Code (code-server) and Chromium', ['node', 'scripts/setupVscode.mjs']],
  ['Docker and the agent image (container runs)', ['node', 'scripts/setupDocker.mjs', '--clis', 'claude']],
  ['build', ['node', 'esbuild.mjs']],
  ['typecheck', ['npx', 'tsc', '-p', '.', '--noEmit']],
  ['typecheck (webviews)', ['npx', 'tsc', '-p', 'tsconfig.webview.json', '--noEmit']],
  ['lint', ['npx', 'eslint', 'src', 'test', 'scripts', 'bench']],
];
const suites = [
  ['unit', ['test/unit/**/*.test.ts']],
  ['integration', ['--timeout', '120000', 'test/integration/**/*.test.ts']],
  // The VS Code layer through the real API, inside code-server's extension host (one code-server for all of it).
  ['in-host (VS Code API)', ['--timeout', '300000', 'test/inhost/**/*.test.ts']],
  ['real VS Code (e2e)', ['--timeout', '300000', 'test/e2e/**/*.e2e.test.ts']],
];

function run(label, [command, ...args], capture = false) {
  console.log(`\n=== ${label}: ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: capture ? ['inherit', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (capture) process.stdout.write(result.stdout ?? '');
  return result;
}

for (const [label, command] of steps) {
  if (run(label, command).status !== 0) {
    console.log(`\n${label} failed`);
    process.exit(1);
  }
}

const totals = { passed: 0, failed: 0, skipped: 0 };
let failedSuites = 0;
// Mocha's account of each failure, repeated at the very end: a CI log is often read from its tail only.
const failures = [];
for (const [label, args] of suites) {
  const result = run(`${label} tests`, ['npx', 'mocha', ...args], true);
  const stdout = result.stdout ?? '';
  const count = (word) => Number(new RegExp(`(\\d+) ${word}`).exec(stdout)?.[1] ?? 0);
  totals.passed += count('passing');
  totals.failed += count('failing');
  totals.skipped += count('pending');
  if (result.status !== 0) {
    failedSuites++;
    const account = /^ {2}\d+ failing$[\s\S]*/m.exec(stdout)?.[0].trim();
    failures.push(`--- ${label} (exit ${result.status ?? result.signal}):\n${account ?? '(mocha printed no failures; see its output above)'}`);
  }
}
if (failures.length > 0) console.log(`\n=== failures\n${failures.join('\n\n')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSuites > 0 || totals.failed > 0 || totals.passed === 0 ? 1 : 0);
