/**
 * What a run's start costs over starting the agent CLI directly: the time from spawning
 * `switchboard run custom --detach` to the agent's first instruction, beside the time from spawning
 * the same agent directly. Cold: a fresh state folder (the CLI starts a supervisor host); warm: a
 * host of that folder is already up (it stays 60 s after its last run). The agent is
 * `sh -c 'date +%s%N > marker'`: the wall clock (ns) at which it ran. The state folders set
 * agentNiceness 0, so that the agent runs at the priority of the direct one: at the default 19 a
 * loaded machine makes it wait for idle CPU, which is that policy's cost, not Switchboard's. Also
 * prints what the CLI process took in all, `node -e 0` as the floor of any Node process (and the start
 * beyond it: what is Switchboard's own in a CLI process), and the same
 * start from a process that already has the folder open (the MCP server, the extension): `runs.run()`
 * to the agent's first instruction.
 * `node --import tsx bench/startOverhead.ts [rounds] [cli.js]` (another cli.js: a baseline build).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergeConfig } from '../src/core/config';
import { RunRegistry } from '../src/core/registry/registry';
import { childrenCpuMs, median, ROOT, runBench, SUPERVISOR, tempDir } from './support';

const ROUNDS = Number(process.argv[2] ?? 7);
const CLI = path.resolve(process.argv[3] ?? path.join(ROOT, 'dist', 'cli.js'));

/** Wall clock in ms with sub-ms precision (the same clock `date +%s%N` reads). */
const wallMs = (): number => performance.timeOrigin + performance.now();

/** Spawns `command`, waits for it to exit, and returns when it started (wall ms) and how long it ran. */
function spawnAndWait(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ start: number; took: number; cpu: number }> {
  const cpuBefore = childrenCpuMs() ?? 0;
  const start = wallMs();
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve({ start, took: wallMs() - start, cpu: (childrenCpuMs() ?? 0) - cpuBefore }) : reject(new Error(`${command} ${args.join(' ')} exited with ${code}`))));
  });
}

/** Waits for the agent's marker and returns the wall ms at which the agent ran. */
async function agentRanAt(marker: string): Promise<number> {
  for (let i = 0; i < 2000; i++) {
    const text = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
    if (text) return Number(BigInt(text) / 1000n) / 1000;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`the agent never wrote ${marker}`);
}

const agentArgs = (marker: string): string[] => ['-c', 'date +%s%N > "$0"', marker];

const ms = (v: number): string => `${v.toFixed(0)} ms`;

/** A fresh state folder whose agents run at normal priority. */
function stateFolder(): string {
  const dir = tempDir('sb-bench-start-state-');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ agentNiceness: 0 }));
  return dir;
}

runBench(async () => {
  const markers = tempDir('sb-bench-start-');
  let n = 0;
  const direct: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  const coldCli: number[] = [];
  const warmCli: number[] = [];
  const nodeFloor: number[] = [];
  const cliCpu: number[] = [];
  const nodeCpu: number[] = [];
  /** node -e 0 without NODE_EXTRA_CA_CERTS, where it is set: Node parses that certificate bundle as it starts. */
  const nodeNoCerts: number[] = [];
  const viaSwitchboard = async (stateDir: string, into: number[], cliTook: number[]): Promise<void> => {
    const marker = path.join(markers, `m${n++}`);
    const command = `sh -c 'date +%s%N > "$0"' ${marker}`;
    const run = await spawnAndWait(process.execPath, [CLI, 'run', 'custom', '--detach', '--command', command, 'bench'], { ...process.env, SWITCHBOARD_HOME: stateDir });
    into.push((await agentRanAt(marker)) - run.start);
    cliTook.push(run.took);
    if (into === warm) cliCpu.push(run.cpu);
  };
  // The first CLI process writes the code cache (when there is one): not counted.
  await viaSwitchboard(stateFolder(), [], []);
  for (let round = 0; round < ROUNDS; round++) {
    const marker = path.join(markers, `m${n++}`);
    const d = await spawnAndWait('sh', agentArgs(marker), process.env);
    direct.push((await agentRanAt(marker)) - d.start);
    const bare = await spawnAndWait(process.execPath, ['-e', '0'], process.env);
    nodeFloor.push(bare.took);
    nodeCpu.push(bare.cpu);
    if (process.env.NODE_EXTRA_CA_CERTS) {
      const { NODE_EXTRA_CA_CERTS: _certs, ...env } = process.env;
      nodeNoCerts.push((await spawnAndWait(process.execPath, ['-e', '0'], env)).took);
    }
    const stateDir = stateFolder();
    await viaSwitchboard(stateDir, cold, coldCli);
    await viaSwitchboard(stateDir, warm, warmCli);
  }
  // In-process: what an MCP server or the extension pays (no CLI start, no folder to open).
  const inProcessWarm: number[] = [];
  const inProcessCold: number[] = [];
  const command = (marker: string): string => `sh -c 'date +%s%N > "$0"' ${marker}`;
  for (let round = 0; round < ROUNDS; round++) {
    const registry = await RunRegistry.open({ stateDir: stateFolder(), config: mergeConfig({ agentNiceness: 0 }), supervisorScript: SUPERVISOR });
    try {
      for (const into of [inProcessCold, inProcessWarm]) {
        const marker = path.join(markers, `m${n++}`);
        const start = wallMs();
        await registry.run({ runner: 'custom', prompt: 'bench', cwd: markers, command: command(marker) });
        into.push((await agentRanAt(marker)) - start);
      }
    } finally {
      registry.dispose();
    }
  }
  const base = median(direct);
  console.log(`start overhead (${ROUNDS} rounds, medians; ${path.relative(ROOT, CLI)}): agent directly ${ms(base)} after its spawn`);
  console.log(`start overhead: via switchboard run --detach, host warm: agent ran ${ms(median(warm))} after the CLI's spawn (+${ms(median(warm) - base)} over direct), CLI exited after ${ms(median(warmCli))}`);
  console.log(`start overhead: via switchboard run --detach, host cold: agent ran ${ms(median(cold))} after the CLI's spawn (+${ms(median(cold) - base)} over direct), CLI exited after ${ms(median(coldCli))}`);
  console.log(`start overhead: in-process runs.run() (MCP server, extension), host warm: agent ran ${ms(median(inProcessWarm))} after the call (+${ms(median(inProcessWarm) - base)}); host cold ${ms(median(inProcessCold))} (+${ms(median(inProcessCold) - base)})`);
  console.log(`start overhead: node -e 0 ${ms(median(nodeFloor))} (any Node process's floor) | CPU time: the warm run --detach CLI process ${ms(median(cliCpu))}, node -e 0 ${ms(median(nodeCpu))} (10 ms ticks)`);
  // What is Switchboard's own beyond starting one Node process (a CLI process cannot start faster than node -e 0 runs).
  const floor = median(nodeFloor);
  console.log(`start overhead: beyond the Node floor (agent ran after the CLI's spawn, less node -e 0): host warm +${ms(median(warm) - floor)}, host cold +${ms(median(cold) - floor)}${nodeNoCerts.length ? ` | node -e 0 without NODE_EXTRA_CA_CERTS (set here; a CLI process pays it, a supervisor host does not) ${ms(median(nodeNoCerts))}` : ''}`);
});
