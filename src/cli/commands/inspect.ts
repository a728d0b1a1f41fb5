/** `switchboard list`, `status <id>`, `logs <id> [--follow]`, `rm <id>`: looking at runs. */
import { parseArgs } from 'node:util';
import { RUN_STATUSES, type RunStatus } from '../../core/runs/types';
import type { CliContext } from '../context';
import { printOutput } from '../follow';
import { printJson, table, UsageError } from '../output';
import { RUN_HEADERS, runDetails, runRow } from './describe';

function oneId(positionals: string[], usage: string): string {
  if (positionals.length !== 1) throw new UsageError(`usage: ${usage}`);
  return positionals[0]!;
}

export async function listCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { status: { type: 'string' }, runner: { type: 'string' } } });
  if (values.status && !RUN_STATUSES.includes(values.status as RunStatus)) {
    throw new UsageError(`--status must be one of ${RUN_STATUSES.join(', ')}`);
  }
  return ctx.withRegistry(async (registry) => {
    const runs = registry.list({ status: values.status as RunStatus | undefined, runner: values.runner });
    if (ctx.out.format === 'json') printJson(ctx.out, { version: 1, runs });
    else ctx.out.stdout(runs.length ? table(RUN_HEADERS, runs.map(runRow)) : 'No runs yet. Start one with: switchboard run <runner> "<prompt>"');
    return 0;
  });
}

export async function statusCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'switchboard status <id>');
  return ctx.withRegistry(async (registry) => {
    const run = registry.resolve(id);
    const tail = registry.tail(run.id, 2000);
    if (ctx.out.format === 'json') printJson(ctx.out, { ...run, outputTail: tail });
    else ctx.out.stdout(runDetails(run, tail));
    return 0;
  });
}

export async function logsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { follow: { type: 'boolean', short: 'f', default: false }, raw: { type: 'boolean', default: false } },
  });
  const id = oneId(positionals, 'switchboard logs <id> [--follow] [--raw]');
  return ctx.withRegistry(async (registry) => {
    const run = registry.resolve(id);
    if (ctx.out.format === 'json') {
      const print = (): void => {};
      await printOutput(registry, run, { raw: values.raw, follow: values.follow, write: print });
      printJson(ctx.out, { version: 1, id: run.id, events: registry.events(run.id) });
      return 0;
    }
    await printOutput(registry, run, { raw: values.raw, follow: values.follow, write: (t) => process.stdout.write(t) });
    return 0;
  });
}

export async function removeCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'switchboard rm <id>');
  return ctx.withRegistry(async (registry) => {
    const run = registry.remove(id);
    if (ctx.out.format === 'json') printJson(ctx.out, { removed: run.id });
    else ctx.out.stdout(`removed ${run.name} (${run.id}) and its logs`);
    return 0;
  });
}
