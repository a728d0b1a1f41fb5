/**
 * A burst of starts: 100 runs asked for at once, from 100 `switchboard run --detach` processes over
 * one state folder (a 200-slot pool, then the default pools), and from one MCP server (100
 * concurrent `run_agent` calls over HTTP). Prints the time until all 100 run, the start latency
 * p50/p99 (from the request to the agent's start), what each run became (none may be lost or
 * orphaned), CLIs that failed, and how many supervisor host processes the burst cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { readRecord } from '../src/core/runs/recordFile';
import type { RunRecord } from '../src/core/runs/types';
import { StateMap } from '../src/core/state/stateMap';
import { readEndpoint } from '../src/http/credentials';
import { fakeCommand } from '../test/support/harness';
import { ROOT, runBench, tempDir } from './support';

const RUNS = Number(process.env.BURST_RUNS) || 100;
const CLI = path.join(ROOT, 'dist', 'cli.js');
const WAIT_MS = 180_000;
const children: ChildProcess[] = [];

interface CliOutcome {
  code: number;
  stderr: string;
  exitedAt: number;
}

function startCli(stateDir: string, args: string[]): Promise<CliOutcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, SWITCHBOARD_HOME: stateDir }, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    child.on('error', (error) => resolve({ code: -1, stderr: error.message, exitedAt: Date.now() }));
    child.on('close', (code) => resolve({ code: code ?? -1, stderr, exitedAt: Date.now() }));
  });
}

function records(stateDir: string): RunRecord[] {
  const map = new StateMap(stateDir);
  const ids = fs.existsSync(map.runs) ? fs.readdirSync(map.runs) : [];
  return ids.flatMap((id) => {
    const read = readRecord(map.run(id));
    return read.kind === 'ok' ? [read.value] : [];
  });
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const secs = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

/** Waits until every run has started (or ended), then prints what the burst cost. */
async function report(label: string, stateDir: string, t0: number, failures: string[]): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  let runs = records(stateDir);
  while (Date.now() < deadline && (runs.length < RUNS - failures.length || runs.some((r) => r.status === 'queued'))) {
    await new Promise((r) => setTimeout(r, 100));
    runs = records(stateDir);
  }
  const latencies = runs.filter((r) => r.startedAt).map((r) => r.startedAt! - t0).sort((a, b) => a - b);
  const count = (status: string): number => runs.filter((r) => r.status === status).length;
  const hosts = new Set(runs.flatMap((r) => (r.supervisor ? [r.supervisor.pid] : []))).size;
  const lost = RUNS - runs.filter((r) => r.startedAt).length;
  console.log(
    `burst ${label}: all ${latencies.length} started ${secs(latencies.at(-1) ?? NaN)} | start latency p50 ${secs(percentile(latencies, 50))} p99 ${secs(percentile(latencies, 99))} | ` +
      `records ${runs.length}/${RUNS} (running ${count('running')}, done ${count('done')}, queued ${count('queued')}, failed ${count('failed')}, orphaned ${count('orphaned')}) | never started ${lost} | refused or crashed ${failures.length} | supervisor hosts ${hosts}`,
  );
  for (const failure of [...new Set(failures)].slice(0, 3)) console.log(`  e.g. ${failure}`);
  for (const run of runs.filter((r) => r.status === 'failed' || r.status === 'orphaned').slice(0, 3)) console.log(`  ${run.status}: ${run.lastError}`);
}

async function fromCliProcesses(label: string, config: object | undefined, sleepMs: number): Promise<void> {
  const stateDir = tempDir('sb-bench-burst-');
  if (config) fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify(config));
  const command = fakeCommand('--sleep', String(sleepMs));
  const t0 = Date.now();
  const outcomes = await Promise.all(Array.from({ length: RUNS }, (_, i) => startCli(stateDir, ['run', 'custom', `burst-${i}`, '--command', command, '--detach'])));
  const failures = outcomes.filter((o) => o.code !== 0).map((o) => `exit ${o.code}: ${o.stderr.trim().split('\n').slice(-3).join(' / ')}`);
  const uncaught = outcomes.filter((o) => /uncaught|    at /i.test(o.stderr)).length;
  await report(`${RUNS} CLI processes, ${label}`, stateDir, t0, failures);
  console.log(`  CLIs: last exited ${secs(Math.max(...outcomes.map((o) => o.exitedAt)) - t0)}; ${uncaught} printed a stack trace`);
}

/**
 * For scale, as many CLI processes at once doing everything a run does before the pool (start,
 * open the state folder, check the request) and then refused: the burst's cost beyond these is
 * the pool, the lock and the supervisor host.
 */
async function cliBaselines(): Promise<void> {
  for (const [label, args] of [
    ['`switchboard list`', ['list']],
    ['`switchboard run` refused (its command is not installed)', ['run', 'custom', 'x', '--command', 'no-such-agent-cli {prompt}', '--detach']],
  ] as const) {
    const stateDir = tempDir('sb-bench-burst-base-');
    const t0 = Date.now();
    const outcomes = await Promise.all(Array.from({ length: RUNS }, () => startCli(stateDir, [...args])));
    const times = outcomes.map((o) => o.exitedAt - t0).sort((a, b) => a - b);
    console.log(`  baseline: ${RUNS} ${label} processes at once: all exited ${secs(times.at(-1)!)} (p50 ${secs(percentile(times, 50))})`);
  }
}

async function fromMcpServer(): Promise<void> {
  const stateDir = tempDir('sb-bench-burst-mcp-');
  fs.writeFileSync(path.join(stateDir, 'config.json'), JSON.stringify({ maxWorkers: 200, pools: { default: { maxWorkers: 200 } } }));
  const server = spawn(process.execPath, [CLI, 'mcp', '--http'], { env: { ...process.env, SWITCHBOARD_HOME: stateDir }, stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(server);
  const deadline = Date.now() + 20_000;
  while (!readEndpoint(stateDir) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  const url = readEndpoint(stateDir)!.url;
  const token = fs.readFileSync(new StateMap(stateDir).mcpToken, 'utf8').trim();
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
  const command = fakeCommand('--sleep', '5000');
  const t0 = Date.now();
  const results = await Promise.allSettled(Array.from({ length: RUNS }, (_, i) => client.callTool({ name: 'run_agent', arguments: { runner: 'custom', prompt: `burst-${i}`, command, cwd: stateDir } })));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [String(r.reason)] : r.value.isError ? [JSON.stringify(r.value.content).slice(0, 200)] : []));
  await report(`${RUNS} run_agent calls to one MCP server, 200-slot pool`, stateDir, t0, failures);
  await client.close();
}

runBench(async () => {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`node esbuild.mjs\` first (npm run bench does).`);
  try {
    // The agents sleep long enough that all 100 run at once when the pool has room for them.
    await cliBaselines();
    await fromCliProcesses('200-slot pool', { maxWorkers: 200, pools: { default: { maxWorkers: 200 } } }, 5000);
    // 8 at a time: the rest wait in line and start as slots free, each started by its own CLI.
    await fromCliProcesses('default pools (8 at once)', undefined, 300);
    await fromMcpServer();
  } finally {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
