// The README's run command (`npm start`): builds, then runs the headless product. With no
// arguments it runs `switchboard doctor` and prints the usage; otherwise it runs the CLI with them
// (`npm start -- run custom "hello" --command "echo {prompt}"`).
import { spawnSync } from 'node:child_process';

const build = spawnSync(process.execPath, ['esbuild.mjs'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const args = process.argv.slice(2);
const cli = (argv) => spawnSync(process.execPath, ['dist/cli.js', ...argv], { stdio: 'inherit' }).status ?? 1;
if (args.length > 0) process.exit(cli(args));
cli(['doctor']);
console.log('');
cli(['--help']);
console.log('\nRun it with `node dist/cli.js ...` here, or `npm link` to put `switchboard` on your PATH.');
