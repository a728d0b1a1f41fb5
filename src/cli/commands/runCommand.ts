/** `switchboard run <runner> "<prompt>"`: start an agent, then follow it (or return at once with --detach). */
import { parseArgs } from 'node:util';
import type { CliContext } from '../context';
import { printOutput } from '../follow';
import { printJson, UsageError } from '../output';
import { describeRun } from './describe';

export async function runCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      cwd: { type: 'string' },
      command: { type: 'string' },
      resume: { type: 'string' },
      detach: { type: 'boolean', default: false },
      raw: { type: 'boolean', default: false },
    },
  });
  const [runner, ...rest] = positionals;
  if (!runner) throw new UsageError('usage: switchboard run <runner> "<prompt>" [--name N] [--cwd DIR] [--command "<template>"] [--resume SESSION] [--detach]');
  const prompt = rest.join(' ');
  return ctx.withRegistry(async (registry) => {
    const run = await registry.run({ runner, prompt, name: values.name, cwd: values.cwd, command: values.command, resumeSessionId: values.resume });
    if (values.detach) {
      if (ctx.out.format === 'json') printJson(ctx.out, run);
      else ctx.out.stdout(`${run.id}  ${run.name}  pid ${run.agent?.pid ?? '?'}  (detached; follow with: switchboard logs ${run.name} --follow)`);
      return 0;
    }
    ctx.out.stderr(`started ${run.name} (${run.id}), pid ${run.agent?.pid ?? '?'}; Ctrl-C stops it`);
    let interrupted = false;
    const onSigint = (): void => {
      if (interrupted) return;
      interrupted = true;
      ctx.out.stderr(`stopping ${run.name}…`);
      void registry.kill(run.id, { source: 'cli (Ctrl-C)' });
    };
    process.on('SIGINT', onSigint);
    const json = ctx.out.format === 'json';
    const final = await printOutput(registry, run, { raw: values.raw, follow: true, write: json ? () => {} : (t) => process.stdout.write(t) });
    process.off('SIGINT', onSigint);
    if (json) printJson(ctx.out, final);
    else ctx.out.stderr(describeRun(final));
    if (interrupted) return 130;
    return final.status === 'done' ? 0 : 1;
  });
}
