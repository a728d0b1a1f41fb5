/**
 * Codex over its app-server beside `codex exec --json`: the real pinned CLI against the scripted
 * Responses provider on 127.0.0.1, through the registry and its supervisors, agents at normal priority.
 * Prints, for each protocol, the median over N runs of: a one-answer run from `run` to done; and a
 * steering message sent 0.5 s into a 2-second command, from `steer` to the model call that has it (over
 * the app-server the command finishes first and the message joins the turn; over exec the command is
 * interrupted and a new process resumes the session with it).
 *
 *   node --import tsx bench/codexProtocols.ts [N=5]
 */
import { performance } from 'node:perf_hooks';
import type { RunnerProtocol } from '../src/core/runners/types';
import { agentCliBinary, offlineCli } from '../test/support/agentClis';
import type { ProviderRequestInfo } from '../test/support/providers/types';
import { median, openRegistry, runBench, seconds, tempDir } from './support';

const N = Number(process.argv[2] ?? 5);

async function measure(protocol: RunnerProtocol): Promise<{ run: number[]; steer: number[] }> {
  const seen = new Map<string, number>();
  const script = (r: ProviderRequestInfo) => {
    const token = /banana-\d+/.exec(r.lastUserText)?.[0];
    if (token) {
      if (!seen.has(token)) seen.set(token, performance.now());
      return { kind: 'text', text: 'steered' } as const;
    }
    if (r.lastUserText.startsWith('Answer')) return { kind: 'text', text: 'hi' } as const;
    return r.afterToolResult ? ({ kind: 'text', text: 'slept' } as const) : ({ kind: 'shell', command: 'sleep 2' } as const);
  };
  const cli = await offlineCli('codex', tempDir('sb-bench-codex-home-'), script);
  try {
    const registry = await openRegistry({ agentNiceness: 0, runners: { codex: { binary: agentCliBinary('codex'), protocol } } }, cli.env);
    const work = tempDir('sb-bench-codex-work-');
    const run: number[] = [];
    const steer: number[] = [];
    for (let i = 0; i < N; i++) {
      const start = performance.now();
      const answered = await registry.run({ runner: 'codex', prompt: 'Answer hi', cwd: work });
      const { record } = await registry.wait(answered.id, 120_000);
      if (record.status !== 'done') throw new Error(`${protocol}: the run ended ${record.status}: ${record.lastError}`);
      run.push(performance.now() - start);

      const sleeping = await registry.run({ runner: 'codex', prompt: 'Sleep a while', cwd: work });
      while (!registry.events(sleeping.id).some((e) => e.type === 'tool_call')) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, 500));
      const sent = performance.now();
      await registry.steer(sleeping.id, `then say banana-${i}`, 'bench');
      const steered = await registry.wait(sleeping.id, 120_000);
      const at = seen.get(`banana-${i}`);
      if (at === undefined) throw new Error(`${protocol}: the steering message never reached the model (${steered.record.status})`);
      steer.push(at - sent);
    }
    return { run, steer };
  } finally {
    await cli.provider.close();
  }
}

runBench(async () => {
  for (const protocol of ['app-server', 'json'] as const) {
    const { run, steer } = await measure(protocol);
    const all = (values: number[]): string => values.map((v) => seconds(v)).join(', ');
    console.log(`codex ${protocol}: one-answer run ${seconds(median(run))} (median of ${N}: ${all(run)}); steer to the model ${seconds(median(steer))} (${all(steer)})`);
  }
});
