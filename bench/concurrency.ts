/**
 * Concurrency: 100 agents started at once, each printing 1 MiB. Once with `head -c` (the cheapest
 * agent there is) and once with the test suite's Node fake agent (`--flood`, closer to a real CLI).
 * Prints start and finish times, how many ended `done`, whether every log is complete, and the
 * registry process's loop lag and RSS.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { StateMap } from '../src/core/state/stateMap';
import type { RunOptions } from '../src/core/registry/launch';
import type { RunRecord } from '../src/core/runs/types';
import { fakeCommand } from '../test/support/harness';
import { formatLoad, MiB, openRegistry, runBench, seconds, sha256File, tempDir, watchThisProcess, writeTextFile } from './support';

const AGENTS = 100;
const WAIT_MS = 120_000;

interface Agent {
  label: string;
  options: RunOptions;
  /** What every output.log must hold, byte for byte. */
  expected: Buffer;
}

/** Exactly what `fakeAgent.mjs --flood <bytes> --text <text>` prints (its 100-byte line, repeated; then the text). */
function fakeAgentOutput(bytes: number, text: string): Buffer {
  const line = '0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrst\n';
  return Buffer.from(line.repeat(Math.ceil(bytes / line.length)).slice(0, bytes) + `${text}\n`);
}

/** What is left of a run that did not end `done`: its error, output size, the supervisor host's last log line and the run's files. */
function describe(stateDir: string, record: RunRecord): string {
  const paths = new StateMap(stateDir).run(record.id);
  const hostLog = path.join(stateDir, 'supervisor.log');
  const log = fs.existsSync(hostLog) ? fs.readFileSync(hostLog, 'utf8').trim().split('\n').pop() : undefined;
  const files = fs.existsSync(paths.dir) ? fs.readdirSync(paths.dir).join(' ') : 'none';
  return `${record.id} ${record.status} (${record.lastError ?? 'no error'}) | output.log ${fs.existsSync(paths.output) ? fs.statSync(paths.output).size : 'missing'} B | supervisor.log: ${log || '(empty)'} | files: ${files}`;
}

async function measure(agent: Agent): Promise<void> {
  const registry = await openRegistry();
  // For reference: one agent alone, no contention.
  const soloStart = performance.now();
  const solo = await registry.run(agent.options);
  const soloStartedMs = performance.now() - soloStart;
  await registry.wait(solo.id, WAIT_MS);
  const soloFinishedMs = performance.now() - soloStart;
  registry.remove(solo.id);

  const expectedHash = crypto.createHash('sha256').update(agent.expected).digest('hex');
  const watch = await watchThisProcess();
  const start = performance.now();
  const pending = Array.from({ length: AGENTS }, () => registry.run(agent.options));
  const syncMs = performance.now() - start;
  const starts = await Promise.allSettled(pending);
  const startedMs = performance.now() - start;
  // Every run the registry lists is waited for, including those whose run() rejected.
  const ends = await Promise.all(registry.list().map((run) => registry.wait(run.id, WAIT_MS)));
  const finishedMs = performance.now() - start;
  const load = watch.stop();

  const records: RunRecord[] = ends.map((e) => e.record);
  let complete = 0;
  let exact = 0;
  for (const record of records) {
    const log = new StateMap(registry.stateDir).run(record.id).output;
    if (fs.existsSync(log) && fs.statSync(log).size === agent.expected.length) complete++;
    if (fs.existsSync(log) && sha256File(log) === expectedHash) exact++;
  }
  const count = (status: string): number => records.filter((r) => r.status === status).length;
  const size = agent.expected.length === MiB ? '1 MiB' : `1 MiB + ${agent.expected.length - MiB} B`;
  console.log(
    `concurrency ${AGENTS} x 1 MiB (${agent.label}): all started ${seconds(startedMs)} | all finished ${seconds(finishedMs)} | ` +
      `done ${count('done')}/${AGENTS} | listed ${records.length}/${AGENTS} | log size ${size} ${complete}/${AGENTS} | byte-exact ${exact}/${AGENTS} | ${formatLoad(load)}`,
  );
  console.log(`  one ${agent.label} agent alone: started ${seconds(soloStartedMs)}, finished ${seconds(soloFinishedMs)}; the ${AGENTS} run() calls held this process's loop ${seconds(syncMs)} before their first await`);
  const rejected = starts.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => s.reason as Error & { details?: { id?: string } });
  if (rejected.length > 0) {
    const after = rejected.map((e) => records.find((r) => r.id === e.details?.id)?.status ?? 'not listed');
    console.log(`  ${rejected.length} run() call(s) rejected (runs then ended: ${after.join(', ')}), e.g.: ${rejected[0]!.message}`);
  }
  for (const record of records.filter((r) => r.status !== 'done').slice(0, 3)) console.log(`  not done: ${describe(registry.stateDir, record)}`);
  const timedOut = ends.filter((e) => e.timedOut).length;
  if (timedOut > 0) console.log(`  ${timedOut} run(s) had not finished after ${WAIT_MS / 1000} s`);
}

async function main(): Promise<void> {
  const dir = tempDir('sb-bench-concurrency-');
  const file = path.join(dir, 'one-mib.txt');
  writeTextFile(file, 1);
  await measure({ label: 'head -c', options: { runner: 'custom', command: `head -c ${MiB} {prompt}`, prompt: file, cwd: dir }, expected: fs.readFileSync(file) });
  await measure({ label: 'node fake agent --flood', options: { runner: 'custom', command: fakeCommand('--flood', String(MiB)), prompt: 'done', cwd: dir }, expected: fakeAgentOutput(MiB, 'done') });
  console.log('  targets: all started < 5 s, done 100/100, every log complete and byte-exact (lag figures include the 10 ms sampling interval)');
  console.log('  for scale, a peer on this kind of machine kept about 20% of a 50 MiB output and lost 49 of 50 registry entries with 50 concurrent agents');
}

runBench(main);
