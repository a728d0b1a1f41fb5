/** `switchboard run <runner> "<prompt>"`: start an agent, then follow it (or return at once with --detach). */
import type { CliContext } from '../context';
import { printOutput } from '../follow';
import { printJson } from '../output';
import { onStopSignals } from '../stopSignals';
import { describeRun, worktreeNote } from './describe';
import { readRunArgs } from './runArgs';
import { isFinished } from '../../core/runs/types';

/** All of stdin, as text: a prompt longer than a command line may be (some 128 KiB an argument on Linux). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, runner, prompt: given, limits } = readRunArgs(argv);
  const prompt = given === '-' ? await readStdin() : given;
  return ctx.withRuns(async (registry) => {
    let run = await registry.run({
      runner,
      prompt,
      name: values.name,
      cwd: values.cwd,
      command: values.command,
      resumeSessionId: values.resume,
      pool: values.pool,
      ...(values.backend ? { backend: values.backend } : {}),
      ...(values.model !== undefined ? { model: values.model } : {}),
      ...(values.worktree ? { worktree: true } : {}),
      ...(limits ? { limits } : {}),
    });
    const note = worktreeNote(run);
    if (note) ctx.out.stderr(note);
    // A supervisor host keeps its place in line and starts it when a slot frees, whether or not this process is still there.
    if (run.status === 'queued') ctx.out.stderr(`${run.name} (${run.id}) waits for a slot in pool ${run.pool}; it starts by itself when one frees (switchboard pools status)`);
    if (values.detach) {
      if (ctx.out.format === 'json') printJson(ctx.out, run);
      else ctx.out.stdout(`${run.id}  ${run.name}  ${run.status === 'queued' ? 'queued' : `pid ${run.agent?.pid ?? '?'}`}  (detached; follow with: switchboard logs ${run.name} --follow)`);
      return 0;
    }
    const signals = onStopSignals(() => {
      ctx.out.stderr(`stopping ${run.name}…`);
      void registry.kill(run.id, { source: signals.source() });
    });
    if (run.status === 'queued') run = await registry.whenStarted(run.id);
    if (!isFinished(run.status)) ctx.out.stderr(`started ${run.name} (${run.id}), pid ${run.agent?.pid ?? '?'}; Ctrl-C stops it`);
    const json = ctx.out.format === 'json';
    let final = json ? (await registry.wait(run.id)).record : await printOutput(registry, run, { raw: values.raw, follow: true, json: false, out: ctx.out });
    // A stop asked for is seen through, even when the output can no longer be written (its terminal closed).
    if (signals.signal && !isFinished(final.status)) final = (await registry.wait(run.id)).record;
    signals.dispose();
    if (!isFinished(final.status)) {
      // Stdout's reader went away (`… | head`): the run goes on, as if detached.
      ctx.out.stderr(`${final.name} (${final.id}) goes on; switchboard logs ${final.name} --follow shows it`);
      return 0;
    }
    if (json) printJson(ctx.out, final);
    else ctx.out.stderr(describeRun(final));
    if (!json && final.worktree) ctx.out.stderr(`its work is on ${final.worktree.branch}: switchboard diff ${final.name}, switchboard merge ${final.name}, switchboard cleanup ${final.name}`);
    const stopped = signals.exitCode();
    if (stopped !== undefined) return stopped;
    return final.status === 'done' ? 0 : 1;
  }, { launchSoon: true });
}
