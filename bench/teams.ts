/**
 * Teams: 200 tasks in a seeded random DAG (each depends on 0-3 earlier tasks) worked by 8 workers
 * whose agent is a tiny scripted Node program (the custom runner) that sleeps the 50-400 ms its
 * task title names, writes `<task>.txt`, and in a repository commits it itself or leaves it to
 * Switchboard. Measured twice: in a plain folder the workers share, and in a git repository where
 * each worker has its own worktree (the real case: dependency branches merged in before a task,
 * leftovers committed after it).
 *
 * Prints the wall time, the lower bound (the longest chain by the agents' measured run times, and
 * their total work over 8 workers) and the ratio, then the dispatch overhead: how long a worker sat
 * idle between the agent run that freed its task (its last dependency, or its own previous task)
 * ending and its next agent being spawned, split into phases, each Switchboard's or git's.
 */
import childProcess from 'node:child_process';
import * as fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { mergeConfig } from '../src/core/config';
import { criticalPath } from '../src/core/dag/graph';
import type { Task, TaskSpec } from '../src/core/dag/task';
import type { RunRegistry } from '../src/core/registry/registry';
import { isFinished, type RunRecord } from '../src/core/runs/types';
import { Team } from '../src/core/teams/team';
import { isActiveTeam, type TeamRecord } from '../src/core/teams/teamStore';
import { makeRepo } from '../test/support/gitRepo';
import { removeTempDirs } from '../test/support/harness';
import { openRegistry, runBench, seconds, tempDir } from './support';

const TASKS = 200;
const WORKERS = 8;
const SEED = 0x5b1d;
const WAIT_MS = 300_000;

/** mulberry32: a small seeded PRNG, so every run of the bench works the same graph. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The graph: each task's sleep (50-400 ms), whether its agent commits, and 0-3 distinct earlier tasks it depends on. */
function graph(): TaskSpec[] {
  const random = prng(SEED);
  return Array.from({ length: TASKS }, (_, i) => {
    const sleep = 50 + Math.floor(random() * 351);
    const commits = random() < 0.5;
    const count = Math.min(i, Math.floor(random() * 4));
    const deps = new Set<string>();
    while (deps.size < count) deps.add(`T${1 + Math.floor(random() * i)}`);
    return { id: `T${i + 1}`, title: `sleep ${sleep} ms${commits ? ' and commit' : ''}`, dependsOn: [...deps] };
  });
}

/** The scripted agent; `--git` lets it commit when its title says so. */
const AGENT = `import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
const prompt = process.argv.at(-1);
const [, id, ms, commits] = /Your task \\((T\\d+)\\): sleep (\\d+) ms( and commit)?/.exec(prompt);
await new Promise((resolve) => setTimeout(resolve, Number(ms)));
writeFileSync(id + '.txt', id + '\\n');
if (commits && process.argv.includes('--git')) {
  execFileSync('git', ['add', id + '.txt']);
  execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', 'commit', '-q', '-m', id + ': done']);
}
`;

/** One git process Switchboard ran (src/core/git runs them all through execFile). */
interface GitCall {
  start: number;
  ms: number;
  cwd: string;
  sub: string;
}

type ExecFile = (file: string, args: readonly string[], options: childProcess.ExecFileOptions, done: (error: Error | null, stdout: string, stderr: string) => void) => childProcess.ChildProcess;

/** Records every git process this process starts, from now on. */
function traceGit(): GitCall[] {
  const calls: GitCall[] = [];
  const original = childProcess.execFile as unknown as ExecFile;
  const traced: ExecFile = (file, args, options, done) => {
    if (file !== 'git') return original(file, args, options, done);
    const start = Date.now();
    const t0 = performance.now();
    const sub = args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? '?';
    return original(file, args, options, (error, stdout, stderr) => {
      calls.push({ start, ms: performance.now() - t0, cwd: String(options.cwd), sub });
      done(error, stdout, stderr);
    });
  };
  (childProcess as { execFile: unknown }).execFile = traced;
  syncBuiltinESMExports();
  return calls;
}

/** When this process saw each step of a task's start and of a run's end. */
interface Marks {
  /** registry.run called / returned, by task id. */
  runCalled: Map<string, number>;
  runReturned: Map<string, number>;
  /** The registry reported the run finished, by run id. */
  endNoticed: Map<string, number>;
  /** How many change events reported each run finished (the team works on each one it hears). */
  endChanges: Map<string, number>;
}

/** Wraps the registry's run() and listens to its changes, to time each step. */
function instrument(registry: RunRegistry): Marks {
  const marks: Marks = { runCalled: new Map(), runReturned: new Map(), endNoticed: new Map(), endChanges: new Map() };
  const run = registry.run.bind(registry);
  registry.run = async (options) => {
    const task = options.links?.task ?? '';
    marks.runCalled.set(task, Date.now());
    const record = await run(options);
    marks.runReturned.set(task, Date.now());
    return record;
  };
  // Registered before the team's own listener, so this mark precedes the team's work on the end.
  registry.onDidChange(({ run: r }) => {
    if (!isFinished(r.status)) return;
    if (!marks.endNoticed.has(r.id)) marks.endNoticed.set(r.id, Date.now());
    marks.endChanges.set(r.id, (marks.endChanges.get(r.id) ?? 0) + 1);
  });
  return marks;
}

/**
 * A dispatch, in order: the freeing run's exit reaches this process; the team commits its leftovers
 * and reads its result (git); the scheduler picks the task (waiting behind other tasks' starts);
 * the team saves its record and merges the dependency branches in (git); registry.run spawns the agent.
 */
const PHASES = ['end noticed', 'leftovers + result', 'scheduler queue', 'record save + bring-in', 'registry.run to spawn'] as const;
type Phase = (typeof PHASES)[number];
/** Whose time each phase is. */
const OWNER: Record<Phase, 'switchboard' | 'git'> = {
  'end noticed': 'switchboard',
  'leftovers + result': 'git',
  'scheduler queue': 'switchboard',
  'record save + bring-in': 'git',
  'registry.run to spawn': 'switchboard',
};

interface Dispatch {
  task: string;
  /** What freed it: the later of its last dependency's run and its worker's previous run. */
  trigger: string;
  phases: Record<Phase, number>;
  total: number;
}

interface Measured {
  label: string;
  wallMs: number;
  setupMs: number;
  team: TeamRecord;
  runs: Map<string, RunRecord>;
  marks: Marks;
  git: GitCall[];
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

const stats = (values: readonly number[], unit = ' ms'): string =>
  `p50 ${percentile(values, 50).toFixed(0)} p95 ${percentile(values, 95).toFixed(0)} max ${Math.max(...values).toFixed(0)} mean ${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(1)}${unit}`;

async function runTeam(label: string, workspace: string, agent: string, git: boolean, gitCalls: GitCall[]): Promise<Measured> {
  const registry = await openRegistry();
  const command = `'${process.execPath}' '${agent}'${git ? ' --git' : ''} {prompt}`;
  registry.updateConfig(mergeConfig({ ...registry.config, maxWorkers: 64, pools: { default: { maxWorkers: 64 }, teams: { maxWorkers: WORKERS } }, runners: { custom: { command } } }));
  const marks = instrument(registry);
  const tracedFrom = gitCalls.length;
  const start = Date.now();
  const team = await Team.start({ registry }, { name: `bench-${label}`, spec: `${WORKERS}:executor:custom`, task: 'the benchmark graph', tasks: graph(), workspace, maxAttempts: 1 });
  const ended = new Promise<void>((resolve) => {
    const listener = team.onDidChange((record) => void (!isActiveTeam(record.status) && (listener.dispose(), resolve())));
  });
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, WAIT_MS).unref());
  await Promise.race([ended, timeout]);
  const wallMs = Date.now() - start;
  if (isActiveTeam(team.record.status)) await team.shutdown({ force: true });
  team.dispose();
  const runs = new Map(registry.list({ team: team.record.name }).map((r) => [r.id, r]));
  const firstStart = Math.min(...team.record.tasks.map((t) => t.startedAt ?? Infinity));
  return { label, wallMs, setupMs: firstStart - start, team: team.record, runs, marks, git: gitCalls.slice(tracedFrom) };
}

/** The agent's own run time (spawn to exit), as the supervisor recorded it. */
const agentMs = (run: RunRecord): number => run.endedAt! - run.startedAt!;

/** The tasks as the critical path sees them: each lasting what its agent ran. */
function asAgentTimes(tasks: readonly Task[], runs: Map<string, RunRecord>): Task[] {
  return tasks.map((t) => {
    const run = runs.get(t.runId!)!;
    return { ...t, startedAt: run.startedAt, endedAt: run.endedAt };
  });
}

/** Each task's dispatch, phase by phase, from the run that freed it to its own agent's spawn (the first wave, freed by nothing, is left out). */
function dispatches(m: Measured): Dispatch[] {
  const { tasks } = m.team;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const run = (t: Task): RunRecord => m.runs.get(t.runId!)!;
  const out: Dispatch[] = [];
  for (const task of tasks) {
    const previous = tasks.filter((t) => t.worker === task.worker && t.startedAt! < task.startedAt!).sort((a, b) => b.startedAt! - a.startedAt!)[0];
    const freers = [...task.dependsOn.map((d) => byId.get(d)!), ...(previous ? [previous] : [])];
    if (freers.length === 0) continue;
    const trigger = freers.reduce((a, b) => (run(b).endedAt! > run(a).endedAt! ? b : a));
    const ran = run(trigger);
    const noticed = m.marks.endNoticed.get(ran.id)!;
    const called = m.marks.runCalled.get(task.id)!;
    const phases: Record<Phase, number> = {
      'end noticed': noticed - ran.endedAt!,
      'leftovers + result': trigger.endedAt! - noticed,
      'scheduler queue': task.startedAt! - trigger.endedAt!,
      'record save + bring-in': called - task.startedAt!,
      'registry.run to spawn': run(task).startedAt! - called,
    };
    out.push({ task: task.id, trigger: trigger.id, phases, total: run(task).startedAt! - ran.endedAt! });
  }
  return out;
}

/** How much of the time line the intervals cover together. */
function covered(intervals: readonly [number, number][]): number {
  let total = 0;
  let reached = -Infinity;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (b > reached) total += b - Math.max(a, reached);
    reached = Math.max(reached, b);
  }
  return total;
}

/** How long each task, once freed, waited while other tasks' starts were in progress (a scheduler that starts one task at a time). */
function behindOthers(m: Measured, d: Dispatch): number {
  const task = m.team.tasks.find((t) => t.id === d.task)!;
  const from = m.team.tasks.find((t) => t.id === d.trigger)!.endedAt!;
  let overlap = 0;
  for (const other of m.team.tasks) {
    if (other.id === task.id) continue;
    const a = Math.max(from, other.startedAt!);
    const b = Math.min(task.startedAt!, m.marks.runReturned.get(other.id) ?? other.startedAt!);
    if (b > a) overlap += b - a;
  }
  return overlap;
}

/** The headline: wall time against the lower bound; false when the team did not get every task done. */
function summary(m: Measured): boolean {
  const { tasks } = m.team;
  const done = tasks.filter((t) => t.status === 'done').length;
  const heard = [...m.marks.endChanges.values()];
  // commitLeftovers asks `git status` once per call; nothing else in a task's start or end does.
  const leftovers = m.git.filter((c) => c.sub === 'status').length;
  const ends =
    `  change events reporting a run finished: ${stats(heard, '')} per run (${heard.filter((n) => n > 1).length}/${heard.length} runs more than once)` +
    (m.team.workers[0]?.branch ? ` | commitLeftovers ran ${leftovers} times for ${m.runs.size} runs` : '');
  if (done !== tasks.length) {
    const bad = tasks.find((t) => t.status !== 'done');
    console.log(`teams ${m.label}: team ${m.team.status} after ${seconds(m.wallMs)}, done ${done}/${tasks.length}; e.g. ${bad?.id} ${bad?.status}: ${bad?.reason ?? ''}`);
    console.log(ends);
    return false;
  }
  const runs = tasks.map((t) => m.runs.get(t.runId!)!);
  const work = runs.reduce((sum, r) => sum + agentMs(r), 0);
  const chain = criticalPath(asAgentTimes(tasks, m.runs));
  const slept = criticalPath(tasks.map((t) => ({ ...t, startedAt: undefined, endedAt: undefined, expectedMs: Number(/sleep (\d+)/.exec(t.title)![1]) })));
  const bound = Math.max(chain.durationMs, work / WORKERS);
  const commits = tasks.filter((t) => t.result?.commit).length;
  console.log(
    `teams ${m.label} (${TASKS} tasks, ${WORKERS} workers): wall ${seconds(m.wallMs)} (setup ${seconds(m.setupMs)}) | lower bound ${seconds(bound)} ` +
      `(critical path ${seconds(chain.durationMs)} over ${chain.ids.length} tasks; work/${WORKERS} ${seconds(work / WORKERS)}) | ratio ${(m.wallMs / bound).toFixed(2)} ` +
      `(${((m.wallMs - m.setupMs) / bound).toFixed(2)} without setup) | done ${done}/${TASKS} on ${new Set(tasks.map((t) => t.worker)).size} workers, team ${m.team.status}`,
  );
  console.log(`  agents ran ${stats(runs.map(agentMs))} (slept 50-400 ms; critical path by the sleeps alone ${seconds(slept.durationMs)})${m.team.workers[0]?.branch ? `; ${commits} tasks with a commit` : ''}`);
  console.log(ends);
  return true;
}

/** From a run's end to the next agent's spawn: by the task's dependencies alone, then phase by phase. */
function dispatchReport(m: Measured): void {
  const { tasks } = m.team;
  const runOf = (id: string): RunRecord => m.runs.get(tasks.find((t) => t.id === id)!.runId!)!;
  const byDeps = tasks.filter((t) => t.dependsOn.length > 0).map((t) => runOf(t.id).startedAt! - Math.max(...t.dependsOn.map((d) => runOf(d).endedAt!)));
  console.log(`  last dependency's agent exit -> task's agent spawn (${byDeps.length} tasks, includes waiting for a free worker): ${stats(byDeps)}`);
  const all = dispatches(m);
  console.log(`  dispatch overhead, the run that freed the task exiting -> its agent spawned (${all.length} tasks): ${stats(all.map((d) => d.total))}`);
  for (const phase of PHASES) console.log(`    ${`${phase} (${OWNER[phase]})`.padEnd(38)} ${stats(all.map((d) => d.phases[phase]))}`);
  const share = (owner: 'switchboard' | 'git'): number[] => all.map((d) => PHASES.filter((p) => OWNER[p] === owner).reduce((sum, p) => sum + d.phases[p], 0));
  console.log(`    switchboard in all: ${stats(share('switchboard'))} | git in all: ${stats(share('git'))}`);
  console.log(`    of the scheduler queue, waiting behind other tasks' starts (one at a time): ${stats(all.map((d) => behindOthers(m, d)))}`);
  console.log(`    registry.run returning after the spawn: ${stats(tasks.map((t) => m.marks.runReturned.get(t.id)! - runOf(t.id).startedAt!))}`);
  // A scheduler that awaits each start (bring-in, registry.run) before the next cannot finish sooner than their sum.
  const starts = tasks.map((t): [number, number] => [t.startedAt!, m.marks.runReturned.get(t.id)!]);
  const sum = starts.reduce((total, [a, b]) => total + b - a, 0);
  const busy = covered(starts);
  console.log(
    `    starts (task picked -> registry.run returned): ${seconds(sum)} in all, ${(sum / TASKS).toFixed(0)} ms per task; ` +
      `some start in progress ${seconds(busy)} of the ${seconds(m.wallMs)} wall (${busy > 0.99 * sum ? 'the sum: one start at a time' : 'starts overlap'})`,
  );
}

/** The git processes of each task's start (bring-in) and end (leftovers, result), by subcommand. */
function gitReport(m: Measured): void {
  const cwdOf = new Map(m.team.workers.map((w) => [w.name, w.cwd]));
  const sides: Record<string, (t: Task) => [number, number]> = {
    'before the run (bringInBranches, rev-parse HEAD)': (t) => [t.startedAt!, m.marks.runCalled.get(t.id)!],
    'after the run (commitLeftovers, rev-parse, diff)': (t) => [m.marks.endNoticed.get(t.runId!)!, t.endedAt!],
  };
  for (const [side, window] of Object.entries(sides)) {
    const calls = m.team.tasks.filter((t) => t.status === 'done').flatMap((t) => {
      const [from, to] = window(t);
      return m.git.filter((c) => c.cwd === cwdOf.get(t.worker!) && c.start >= from && c.start <= to);
    });
    const subs = [...new Set(calls.map((c) => c.sub))].map((sub) => {
      const of = calls.filter((c) => c.sub === sub);
      return `${sub} ${(of.length / TASKS).toFixed(2)} x ${(of.reduce((a, c) => a + c.ms, 0) / of.length).toFixed(1)} ms`;
    });
    const ms = calls.reduce((a, c) => a + c.ms, 0);
    console.log(`    git ${side}: ${(calls.length / TASKS).toFixed(1)} processes, ${(ms / TASKS).toFixed(1)} ms per task: ${subs.join(', ')}`);
  }
  console.log(`    git processes in all: ${m.git.length} (${(m.git.length / TASKS).toFixed(1)} per task), ${(m.git.reduce((a, c) => a + c.ms, 0) / 1000).toFixed(1)} s of git run time`);
}

async function main(): Promise<void> {
  const gitCalls = traceGit();
  try {
    const plain = tempDir('sb-bench-teams-plain-');
    const agent = path.join(tempDir('sb-bench-teams-agent-'), 'agent.mjs');
    fs.writeFileSync(agent, AGENT);
    const plainFolder = await runTeam('plain-folder', plain, agent, false, gitCalls);
    if (summary(plainFolder)) dispatchReport(plainFolder);
    const worktrees = await runTeam('worktrees', makeRepo({ 'README.md': '# bench\n' }), agent, true, gitCalls);
    if (summary(worktrees)) dispatchReport(worktrees);
    gitReport(worktrees);
    console.log('  target: ratio near 1; dispatch overhead well under 100 ms per task');
  } finally {
    // The repository came from the test helpers' temp folders.
    await removeTempDirs();
  }
}

runBench(main);
