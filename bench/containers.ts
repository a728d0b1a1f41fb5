/**
 * Container runs against local processes: the start overhead of one run (from `run` until its
 * first output byte, and until it has ended), median of a few, `--backend docker` vs local, and
 * `docker:<context>` over ssh:// (a real sshd on a loopback port, test/support/sshd.ts) where sshd can
 * run, its requests sharing one login (the default) and, for comparison, each logging in
 * (`-o ControlMaster=no` in containers.sshArgs); then 20 containerised agents started at once (time
 * until all are running, until all are done).
 * Needs docker and the agent image (scripts/setupDocker.mjs sets them up).
 * Usage: node --import tsx bench/containers.ts [rounds]
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunRegistry } from '../src/core/registry/registry';
import { StateMap } from '../src/core/state/stateMap';
import { median, openRegistry, ROOT, runBench, seconds, tempDir } from './support';
import { removeTempDirs } from '../test/support/harness';
import { sshdMissing, startSshd } from '../test/support/sshd';
import { parseSshHost, stopShared } from '../src/core/containers/sshDial';

const rounds = Number(process.argv[2] ?? 5);

async function firstByte(registry: RunRegistry, id: string, started: number): Promise<number> {
  const output = registry.runPaths(id).output;
  while (!(fs.existsSync(output) && fs.statSync(output).size > 0)) await new Promise((r) => setTimeout(r, 5));
  return Date.now() - started;
}

async function once(registry: RunRegistry, work: string, backend: string | undefined): Promise<{ first: number; done: number }> {
  const started = Date.now();
  const run = await registry.run({ runner: 'custom', prompt: 'hello', cwd: work, command: 'node -e "console.log(process.argv[1])" {prompt}', ...(backend ? { backend } : {}) });
  const first = await firstByte(registry, run.id, started);
  const { record } = await registry.wait(run.id, 120_000);
  if (record.status !== 'done') throw new Error(`run ${run.id} ended ${record.status}: ${record.lastError}`);
  return { first, done: Date.now() - started };
}

runBench(async () => {
  const setup = JSON.parse(execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'setupDocker.mjs'), '--clis', 'claude', '--json'], { encoding: 'utf8' }).trim()) as { ok: boolean; image?: string; reason?: string };
  if (!setup.ok) throw new Error(`docker is not available: ${setup.reason}`);
  const sshd = sshdMissing() ? undefined : await startSshd();
  if (sshd) {
    // The context lives in a Docker config of the bench's own.
    process.env.DOCKER_CONFIG = tempDir('sb-bench-docker-config-');
    execFileSync('docker', ['context', 'create', 'sb-bench-ssh', '--docker', `host=ssh://root@127.0.0.1:${sshd.port}`], { stdio: 'ignore' });
  }
  const containers = { image: setup.image!, network: 'bridge', env: [], files: [] };
  const registry = await openRegistry({ containers: { ...containers, ...(sshd ? { sshArgs: sshd.sshArgs } : {}) } });
  const work = tempDir('sb-bench-containers-');
  // The ways are measured round by round in turn, so that a busy machine weighs on each alike.
  const measure = async (ways: { label: string; on: RunRegistry; backend: string | undefined }[]): Promise<void> => {
    for (const way of ways) await once(way.on, work, way.backend); // warm-up
    const figures = ways.map(() => [] as { first: number; done: number }[]);
    for (let i = 0; i < rounds; i++) for (const [n, way] of ways.entries()) figures[n]!.push(await once(way.on, work, way.backend));
    for (const [n, way] of ways.entries()) {
      console.log(`${way.label}: first output ${seconds(median(figures[n]!.map((f) => f.first)))}, ended ${seconds(median(figures[n]!.map((f) => f.done)))} (median of ${rounds})`);
    }
  };
  const unshared = sshd ? await openRegistry({ containers: { ...containers, sshArgs: ['-o', 'ControlMaster=no', ...sshd.sshArgs] } }) : undefined;
  await measure([
    { label: 'local', on: registry, backend: undefined },
    { label: 'docker', on: registry, backend: 'docker' },
    ...(unshared ? [{ label: 'docker:sb-bench-ssh', on: registry, backend: 'docker:sb-bench-ssh' }, { label: 'docker:sb-bench-ssh, a login per request', on: unshared, backend: 'docker:sb-bench-ssh' }] : []),
  ]);
  unshared?.dispose();
  const started = Date.now();
  const runs = await Promise.all(Array.from({ length: 20 }, () => registry.run({ runner: 'custom', prompt: 'hi', cwd: work, command: 'node -e "setTimeout(() => console.log(process.argv[1]), 2000)" {prompt}', backend: 'docker' })));
  const running = Date.now() - started;
  const ended = await Promise.all(runs.map((run) => registry.wait(run.id, 300_000)));
  const done = Date.now() - started;
  const ok = ended.filter((e) => e.record.status === 'done' && fs.readFileSync(new StateMap(registry.stateDir).run(e.record.id).output, 'utf8') === 'hi\n').length;
  console.log(`20 containers at once: all started in ${seconds(running)}, all ended in ${seconds(done)} (each sleeps 2 s); ${ok}/20 done with their output whole`);
  if (sshd) await stopShared(parseSshHost(`ssh://root@127.0.0.1:${sshd.port}`, sshd.sshArgs), 'exit');
  await sshd?.stop();
  await removeTempDirs();
});
