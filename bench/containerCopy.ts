/**
 * Copy mode (`containers.copyWorktree`) against a mounted worktree, on the local engine: how long a
 * container run takes from `run` until it has ended (its worktree uploaded before, and downloaded
 * and applied after, when copied), median of a few, for an empty worktree and for one of many
 * small files; the agent changes one file.
 * Needs docker and the agent image (scripts/setupDocker.mjs sets them up).
 * Usage: node --import tsx bench/containerCopy.ts [rounds] [files] [KiB each]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRegistry } from '../src/core/registry/registry';
import { median, openRegistry, ROOT, runBench, seconds, tempDir } from './support';
import { removeTempDirs } from '../test/support/harness';

const rounds = Number(process.argv[2] ?? 5);
const files = Number(process.argv[3] ?? 2000);
const kib = Number(process.argv[4] ?? 4);

async function once(registry: RunRegistry, work: string): Promise<number> {
  const started = Date.now();
  const run = await registry.run({ runner: 'custom', prompt: 'hello', cwd: work, command: `node -e "require('fs').writeFileSync('changed.txt', String(Date.now()))"`, backend: 'docker' });
  const { record } = await registry.wait(run.id, 300_000);
  if (record.status !== 'done') throw new Error(`run ${run.id} ended ${record.status}: ${record.lastError}`);
  return Date.now() - started;
}

runBench(async () => {
  const setup = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'setupDocker.mjs'), '--clis', 'claude', '--json'], { encoding: 'utf8' }).trim()) as { ok: boolean; image?: string; reason?: string };
  if (!setup.ok) throw new Error(`docker is not available: ${setup.reason}`);
  const containers = { image: setup.image!, network: 'bridge', env: [], files: [] };
  const mounted = await openRegistry({ containers: { ...containers, copyWorktree: 'never' } });
  const copied = await openRegistry({ containers: { ...containers, copyWorktree: 'always' } });
  const empty = tempDir('sb-bench-copy-empty-');
  const full = tempDir('sb-bench-copy-full-');
  for (let i = 0; i < files; i++) {
    const dir = path.join(full, `d${i % 50}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `f${i}.txt`), Buffer.alloc(kib * 1024, 97));
  }
  const ways = [
    { label: 'empty worktree, mounted', on: mounted, work: empty },
    { label: 'empty worktree, copied', on: copied, work: empty },
    { label: `${files} files of ${kib} KiB, mounted`, on: mounted, work: full },
    { label: `${files} files of ${kib} KiB, copied`, on: copied, work: full },
  ];
  // Round by round in turn, so that a busy machine weighs on each alike.
  for (const way of ways) await once(way.on, way.work); // warm-up
  const figures = ways.map(() => [] as number[]);
  for (let i = 0; i < rounds; i++) for (const [n, way] of ways.entries()) figures[n]!.push(await once(way.on, way.work));
  for (const [n, way] of ways.entries()) console.log(`${way.label}: ended after ${seconds(median(figures[n]!))} (median of ${rounds})`);
  await removeTempDirs();
});
