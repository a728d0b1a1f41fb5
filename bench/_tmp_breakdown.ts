import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergeConfig } from '/work/main/src/core/config';
import { RunRegistry } from '/work/main/src/core/registry/registry';
import { statePaths } from '/work/main/src/core/paths';
import { writeTextFile } from './support';
async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sbexp-'));
  const big = path.join(dir, 'big.txt');
  writeTextFile(big, 200);
  const env: NodeJS.ProcessEnv = { ...process.env };
  
  const registry = await RunRegistry.open({ stateDir: path.join(dir, 'state'), config: mergeConfig({}), supervisorScript: '/work/main/dist/supervisor.js', nodePath: process.env.NODEPATH, env });
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now(); const w0 = Date.now();
    const run = await registry.run({ runner: 'custom', command: process.env.CMD ?? 'cat {prompt}', prompt: big, cwd: dir });
    const t1 = performance.now();
    const { record } = await registry.wait(run.id);
    const t2 = performance.now();
    const idx = fs.readFileSync(statePaths(registry.stateDir).run(run.id).outputIndex, 'utf8').trim().split('\n');
    console.log(`run() ${(t1 - t0).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms; created->started ${record.startedAt! - record.createdAt} ms, started->ended ${record.endedAt! - record.startedAt!} ms, ended->seen ${Date.now() - record.endedAt!} ms; launch at +${record.createdAt - w0} ms; chunks ${idx.length} avg ${(200*1048576/idx.length/1024).toFixed(1)} KiB; status ${record.status}`);
    registry.remove(run.id);
  }
  registry.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
}
void main();
