// End-to-end tests in a real VS Code: sets up Node 24, code-server and chromium (cached outside the
// repository; minutes the first time), then runs test/e2e/**/*.e2e.test.ts with mocha.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = (command, args) => spawnSync(command, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

const setup = run(process.execPath, [path.join(root, 'scripts', 'setupVscode.mjs')]);
if (setup !== 0) process.exit(setup);
process.exit(run('npx', ['mocha', '--timeout', '300000', ...process.argv.slice(2), 'test/e2e/**/*.e2e.test.ts']));
