/**
 * Ingest: one agent printing 200 MiB as fast as it can (`cat` of a text file), against plain
 * `cat big > out`. Prints throughput, byte-exactness, and the registry process's loop lag and RSS.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { StateMap } from '../src/core/state/stateMap';
import type { RunRegistry } from '../src/core/registry/registry';
import { formatLoad, median, mbPerSecond, MiB, openRegistry, runBench, seconds, sha256File, tempDir, watchThisProcess, worstLoad, writeTextFile, type ProcessLoad } from './support';

const SIZE_MIB = 200;
const REPS = 3;

/** The baseline: `cat big > out`, stdout straight into a file descriptor; also how long an fsync of `out` then takes. */
async function timeCat(big: string, out: string): Promise<{ ms: number; fsyncMs: number }> {
  const fd = fs.openSync(out, 'w');
  const start = performance.now();
  const child = spawn('cat', [big], { stdio: ['ignore', fd, 'inherit'] });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const ms = performance.now() - start;
  fs.fsyncSync(fd);
  const fsyncMs = performance.now() - start - ms;
  fs.closeSync(fd);
  if (code !== 0) throw new Error(`cat exited with ${code}`);
  fs.rmSync(out);
  return { ms, fsyncMs };
}

/** The supervisor's peak RSS (VmHWM) and CPU seconds so far, from /proc; undefined once it is gone. */
function supervisorStats(pid: number): { peakMB: number; cpuSeconds: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const peakKB = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return { peakMB: (peakKB * 1024) / 1e6, cpuSeconds: (Number(fields[11]) + Number(fields[12])) / 100 };
  } catch {
    return undefined;
  }
}

interface SwitchboardRep {
  ms: number;
  /** From just before run() until it resolved (the supervisor is up and the agent has a pid). */
  startMs: number;
  /** From the agent's spawn to the run's recorded end (the supervisor's clock). */
  streamMs: number;
  exact: boolean;
  load: ProcessLoad;
  /** The supervising host's peak RSS so far, and the CPU it spent on this run. */
  supervisor?: { peakMB: number; cpuSeconds: number };
}

async function timeSwitchboard(registry: RunRegistry, big: string, bigHash: string): Promise<SwitchboardRep> {
  const watch = await watchThisProcess();
  const start = performance.now();
  const run = await registry.run({ runner: 'custom', command: 'cat {prompt}', prompt: big, cwd: path.dirname(big) });
  const startMs = performance.now() - start;
  let supervisor = run.supervisor ? supervisorStats(run.supervisor.pid) : undefined;
  // One host supervises every run of the registry: this run's CPU is what the host spent since it began.
  const cpuBefore = supervisor?.cpuSeconds ?? 0;
  const poll = setInterval(() => (supervisor = (run.supervisor && supervisorStats(run.supervisor.pid)) || supervisor), 50);
  const { record, timedOut } = await registry.wait(run.id, 120_000);
  const ms = performance.now() - start;
  clearInterval(poll);
  const load = watch.stop();
  if (timedOut || record.status !== 'done') throw new Error(`the run ended ${timedOut ? 'timed out' : record.status}: ${record.lastError ?? ''}`);
  const exact = sha256File(new StateMap(registry.stateDir).run(run.id).output) === bigHash;
  registry.remove(run.id);
  if (supervisor) supervisor = { ...supervisor, cpuSeconds: supervisor.cpuSeconds - cpuBefore };
  return { ms, startMs, streamMs: (record.endedAt ?? 0) - (record.startedAt ?? 0), exact, load, supervisor };
}

async function main(): Promise<void> {
  const dir = tempDir('sb-bench-ingest-');
  const big = path.join(dir, 'big.txt');
  writeTextFile(big, SIZE_MIB);
  const bytes = SIZE_MIB * MiB;
  const bigHash = sha256File(big);

  const cats: { ms: number; fsyncMs: number }[] = [];
  for (let i = 0; i < REPS; i++) cats.push(await timeCat(big, path.join(dir, 'out.txt')));
  const catRate = mbPerSecond(bytes, median(cats.map((c) => c.ms)));

  const registry = await openRegistry();
  const reps: SwitchboardRep[] = [];
  for (let i = 0; i < REPS; i++) reps.push(await timeSwitchboard(registry, big, bigHash));
  const sbRate = mbPerSecond(bytes, median(reps.map((r) => r.ms)));
  const peaks = reps.flatMap((r) => (r.supervisor ? [r.supervisor] : []));

  console.log(
    `ingest ${SIZE_MIB} MiB: cat ${catRate.toFixed(0)} MB/s (median of ${REPS}) | switchboard ${sbRate.toFixed(0)} MB/s (${(sbRate / catRate).toFixed(2)}x cat) | ` +
      `byte-exact ${reps.every((r) => r.exact) ? 'yes' : 'no'} | ${formatLoad(worstLoad(reps.map((r) => r.load)))} (worst of ${REPS})`,
  );
  const list = (values: number[]): string => values.map((ms) => seconds(ms)).join(', ');
  console.log(`  cat runs: ${list(cats.map((c) => c.ms))}; an fsync of its output then takes ${list(cats.map((c) => c.fsyncMs))}`);
  console.log(`  switchboard runs: ${list(reps.map((r) => r.ms))}; of which run() until the agent had a pid: ${list(reps.map((r) => r.startMs))}`);
  console.log(`  agent spawn to recorded end (streaming, log close and fsync): ${list(reps.map((r) => r.streamMs))} = ${mbPerSecond(bytes, median(reps.map((r) => r.streamMs))).toFixed(0)} MB/s (median)`);
  if (peaks.length > 0) {
    const peak = Math.max(...peaks.map((p) => p.peakMB));
    const cpu = median(peaks.map((p) => p.cpuSeconds));
    console.log(`  supervisor: peak rss ${peak.toFixed(1)} MB, cpu ${cpu.toFixed(2)} s per run (median; the host serves all runs, so its CPU before each run is taken off)`);
  }
  console.log('  targets: >= 0.5x cat, loop lag p99 <= 20 ms, rss growth <= 32 MB (lag figures include the 10 ms sampling interval)');
}

runBench(main);
