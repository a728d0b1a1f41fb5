/**
 * Shared bench plumbing: temp folders, a registry over the built supervisor, an event-loop and
 * RSS monitor for the registry's own process, and cleanup that leaves no process or folder behind.
 * Benches print figures; they never assert timings.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { mergeConfig, type SwitchboardConfig } from '../src/core/config';
import { RunRegistry } from '../src/core/registry/registry';
import { killEverything } from '../test/support/harness';

export const ROOT = path.resolve(__dirname, '..');
export const SUPERVISOR = path.join(ROOT, 'dist', 'supervisor.js');
export const MiB = 1024 * 1024;

const tempDirs: string[] = [];
const registries: RunRegistry[] = [];

export function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A registry over dist/supervisor.js in a fresh temp state folder, with default settings; `env` is added to the agents'. */
export async function openRegistry(more: Partial<SwitchboardConfig> = {}, env?: NodeJS.ProcessEnv): Promise<RunRegistry> {
  if (!fs.existsSync(SUPERVISOR)) throw new Error(`${SUPERVISOR} is missing: run \`node esbuild.mjs\` first (npm run bench does).`);
  // The benches start a hundred runs at once: no pool holds them back.
  const registry = await RunRegistry.open({ stateDir: tempDir('sb-bench-state-'), config: mergeConfig({ maxWorkers: 1000, pools: { default: { maxWorkers: 1000 }, docker: { maxWorkers: 1000 } }, ...more }), supervisorScript: SUPERVISOR, ...(env ? { env: { ...process.env, ...env } } : {}) });
  registries.push(registry);
  return registry;
}

/** Closes every registry, kills whatever their runs left alive, and removes every temp folder. */
export async function cleanup(): Promise<void> {
  for (const registry of registries.splice(0)) registry.dispose();
  for (const dir of tempDirs.splice(0)) {
    await killEverything(dir);
    // BENCH_KEEP=1 keeps the folders (logs, state) to look at after a bench.
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs a bench's main, always cleaning up; a failure sets the exit code (it is a crash, not a slow figure). */
export function runBench(main: () => Promise<void>): void {
  const stop = (): void => void cleanup().finally(() => process.exit(130));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  main()
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    })
    .finally(() => cleanup());
}

export interface ProcessLoad {
  lagP50: number;
  lagP99: number;
  lagMax: number;
  rssGrowthMB: number;
}

/**
 * Watches this process: event-loop delay (10 ms resolution) and RSS every 50 ms against the RSS at
 * start. It waits a few ticks after enabling the histogram, whose first tick only sets its clock:
 * without that, a block that starts in the same tick (100 synchronous run() calls) goes unseen.
 */
export async function watchThisProcess(): Promise<{ stop(): ProcessLoad }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  return {
    stop() {
      histogram.disable();
      clearInterval(sampler);
      peak = Math.max(peak, process.memoryUsage().rss);
      const ms = (ns: number): number => ns / 1e6;
      return { lagP50: ms(histogram.percentile(50)), lagP99: ms(histogram.percentile(99)), lagMax: ms(histogram.max), rssGrowthMB: (peak - baseline) / 1e6 };
    },
  };
}

export function formatLoad(load: ProcessLoad): string {
  return `loop lag p50 ${load.lagP50.toFixed(1)} ms p99 ${load.lagP99.toFixed(1)} ms max ${load.lagMax.toFixed(0)} ms | rss +${load.rssGrowthMB.toFixed(1)} MB`;
}

/** The worst of several measurements, figure by figure. */
export function worstLoad(loads: ProcessLoad[]): ProcessLoad {
  const worst = (key: keyof ProcessLoad): number => Math.max(...loads.map((l) => l[key]));
  return { lagP50: worst('lagP50'), lagP99: worst('lagP99'), lagMax: worst('lagMax'), rssGrowthMB: worst('rssGrowthMB') };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export function sha256File(file: string): string {
  const hash = crypto.createHash('sha256');
  const fd = fs.openSync(file, 'r');
  const buffer = Buffer.alloc(4 * MiB);
  try {
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0; ) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest('hex');
}

/** Writes `mib` MiB of random base64 text in 64-byte lines (so nothing compresses or dedups to zeros). */
export function writeTextFile(file: string, mib: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    for (let i = 0; i < mib; i++) {
      const block = Buffer.from(crypto.randomBytes((MiB / 4) * 3).toString('base64'));
      for (let at = 63; at < block.length; at += 64) block[at] = 0x0a;
      fs.writeSync(fd, block);
    }
  } finally {
    fs.closeSync(fd);
  }
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
export const mbPerSecond = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

/**
 * CPU time (user + system, ms) that this process's finished and waited-for children used so far
 * (/proc/self/stat's cutime and cstime, in 10 ms ticks): on a machine shared with other work, what a
 * child process costs shows better in its CPU time than in its wall time. Undefined off Linux.
 */
export function childrenCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command's closing parenthesis: field 3 (state) is fields[0], so cutime (16) and cstime (17) are fields[13] and fields[14].
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return undefined;
  }
}
