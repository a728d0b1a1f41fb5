/**
 * Goals: the loop's own overhead per iteration (its wall time less the agents' and the gates' own
 * time: team and worktrees, merges, records, the feed), over iterations whose gate keeps failing;
 * and how soon a goal stops its agent once it crosses a budget: its tokens or dollars (from the
 * usage report that crossed it, as the run's events time it), or its time (from the moment the time
 * ran out), to the stop reaching the agent's supervisor.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { mergeConfig } from '../src/core/config';
import { Switchboard } from '../src/core/switchboard';
import { cleanup, ROOT, runBench, SUPERVISOR, tempDir } from './support';

const FAKE_AGENT = path.join(ROOT, 'test', 'fixtures', 'fakeAgent.mjs');
const WORKER = path.join(ROOT, 'test', 'fixtures', 'gitWorker.mjs');
const pct = (values: number[], p: number): number => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? NaN;

function repo(): string {
  const dir = tempDir('sb-bench-goal-repo-');
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 'bench');
  git('config', 'user.email', 'bench@example.invalid');
  fs.writeFileSync(path.join(dir, 'README.md'), 'bench\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}

async function open(runners: Record<string, { binary?: string; command?: string }>): Promise<Switchboard> {
  // The fake agent's model at $10,000 per million input tokens: its first report (100 tokens) costs $1.
  const prices = { 'fake-model': { inputPerMTok: 10_000, outputPerMTok: 10_000 } };
  return Switchboard.open({ stateDir: tempDir('sb-bench-goal-state-'), config: mergeConfig({ runners, prices, maxWorkers: 64, pools: { default: { maxWorkers: 64 } } }), supervisorScript: SUPERVISOR });
}

async function loopOverhead(iterations: number): Promise<void> {
  const sb = await open({ custom: { command: `'${process.execPath}' '${WORKER}' {prompt}` } });
  try {
    const started = Date.now();
    const created = await sb.goals.create({ objective: 'never done', workspace: repo(), tasks: [{ title: 'a part' }], runner: 'custom', untilReady: true, maxIterations: iterations, maxAgents: 1, gates: [{ name: 'never', command: 'false' }] });
    const goal = await sb.goals.settled(created.id);
    const wall = Date.now() - started;
    const runs = sb.runs.list({ goal: goal.id });
    const agents = runs.reduce((sum, r) => sum + ((r.endedAt ?? 0) - (r.startedAt ?? r.createdAt)), 0);
    const gates = goal.iterations.flatMap((i) => i.gates ?? []).reduce((sum, g) => sum + g.durationMs, 0);
    const overhead = (wall - agents - gates) / goal.iterations.length;
    console.log(`goals loop: ${goal.iterations.length} iterations (status ${goal.status}) in ${(wall / 1000).toFixed(2)} s: agents ${(agents / 1000).toFixed(2)} s, gates ${(gates / 1000).toFixed(2)} s -> the loop's own overhead ${overhead.toFixed(0)} ms per iteration (team and worktrees, merges, records, feed)`);
  } finally {
    sb.dispose();
  }
}

/** Each budget, and how it is crossed. */
const BUDGETS = {
  tokens: { budget: { budgetTokens: 50 }, how: 'token budget crossed by the first usage report' },
  usd: { budget: { budgetUsd: 0.5 }, how: 'dollar budget crossed by the first usage report, estimated from the price table' },
  time: { budget: { budgetTime: '3s' }, how: 'time budget of 3 s running out while the agent works' },
} as const;

async function enforcement(kind: keyof typeof BUDGETS, rounds: number): Promise<void> {
  const bin = path.join(tempDir('sb-bench-goal-claude-'), 'claude');
  fs.writeFileSync(bin, `#!/bin/sh\nexec "${process.execPath}" "${FAKE_AGENT}" --format claude --sleep 60000\n`, { mode: 0o755 });
  const sb = await open({ claude: { binary: bin } });
  const latencies: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const created = await sb.goals.create({ objective: `spend ${i}`, workspace: repo(), tasks: [{ title: 'spend' }], runner: 'claude', gates: [], maxAgents: 1, ...BUDGETS[kind].budget });
      const goal = await sb.goals.settled(created.id);
      const run = sb.runs.list({ goal: created.id })[0];
      if (!run) continue;
      const events = sb.runs.events(run.id);
      const crossed = kind === 'time' ? goal.createdAt + goal.budgetTimeMs! : events.find((e) => e.type === 'usage')?.ts;
      const stopped = events.find((e) => e.type === 'control')?.ts;
      if (crossed !== undefined && stopped !== undefined) latencies.push(stopped - crossed);
    }
    console.log(`goals budget enforcement (${latencies.length} goals, ${BUDGETS[kind].how}): crossing -> stop reaching the agent's supervisor p50 ${pct(latencies, 50)} ms, p99 ${pct(latencies, 99)} ms, max ${Math.max(...latencies)} ms`);
  } finally {
    sb.dispose();
  }
}

runBench(async () => {
  await loopOverhead(5);
  for (const kind of ['tokens', 'usd', 'time'] as const) await enforcement(kind, 10);
  await cleanup();
});
