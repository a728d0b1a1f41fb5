/** `switchboard steer | interrupt | kill | wait`: acting on a run (with --format json, the fields steer_agent, interrupt_agent and kill_agent answer). */
import { parseArgs } from 'node:util';
import type { SwitchboardError } from '../../core/errors';
import { formatKilled } from '../../core/render';
import { isFinished } from '../../core/runs/types';
import type { CliContext } from '../context';
import { printJson, usageError } from '../output';
import { oneId } from '../usage';
import { describeRun } from './describe';

const SOURCE = 'cli';

export async function steerCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const [id, ...words] = positionals;
  if (!id) throw usageError('steer', 'which run? give its id or name, then the message');
  if (words.length === 0) throw usageError('steer', 'the message is missing');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const run = registry.resolve(id);
    const result = await registry.steer(run.id, words.join(' '), SOURCE);
    if (ctx.out.format === 'json') printJson(ctx.out, { id: run.id, name: run.name, ...result });
    else ctx.out.stdout(result.delivery === 'live' ? 'delivered live on the agent\'s input' : 'interrupted the agent; it resumes its session with the message');
    return 0;
  });
}

export async function interruptCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  const id = oneId(positionals, 'interrupt');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const run = registry.resolve(id);
    const result = await registry.interrupt(run.id, SOURCE);
    if (ctx.out.format === 'json') printJson(ctx.out, { id: run.id, name: run.name, ...result });
    else ctx.out.stdout(result.delivered === 'protocol' ? 'interrupt sent through the agent\'s own protocol' : 'SIGINT sent to the agent');
    return 0;
  });
}

export async function killCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  const id = oneId(positionals, 'kill');
  let opened = false;
  let readOnly: string | undefined;
  const { run, result } = await ctx.withSwitchboard(async ({ runs: registry }) => {
    opened = true;
    const run = registry.resolve(id);
    return { run, result: await registry.kill(run.id, { force: values.force, source: SOURCE }) };
  }).catch(async (error: unknown) => {
    // A state folder this process cannot write: the run's supervisor can still stop it, and records it.
    if (opened || (error as SwitchboardError).code !== 'state_unwritable') throw error;
    readOnly = (error as SwitchboardError).message;
    const { killThroughSupervisor } = await import('../../core/registry/readOnlyKill.js');
    return killThroughSupervisor(ctx.stateDir, id, { force: values.force, source: SOURCE }, readOnly);
  });
  if (ctx.out.format === 'json') printJson(ctx.out, { id: run.id, name: run.name, ...result, ...(readOnly ? { stateUnwritable: readOnly } : {}) });
  else if (result.killed) ctx.out.stdout(`killed ${run.name} ${formatKilled(run, result.pid)}`);
  else if (result.finishing) ctx.out.stdout(`${result.finishing}; it ended ${result.status}, nothing to kill`);
  else if (isFinished(result.status)) ctx.out.stdout(`${run.name} had already finished (${result.status}); nothing to kill`);
  else {
    // Neither a supervisor that answers nor an agent process yet: a start under way elsewhere.
    ctx.out.stderr(`switchboard: ${run.name} could not be killed: it is ${result.status} with no agent process yet, and its supervisor does not answer. Try again in a moment; \`switchboard status ${run.name}\` shows it.`);
    return 1;
  }
  if (readOnly && result.killed && ctx.out.format !== 'json') ctx.out.stderr(`switchboard: ${readOnly} The kill went through the run's supervisor, which records it (nothing was written from here).`);
  return 0;
}

/** Exit codes: 0 the run ended done, 1 it ended otherwise, 3 the timeout came first (the run goes on). */
export async function waitCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { timeout: { type: 'string' } } });
  const id = oneId(positionals, 'wait');
  const seconds = values.timeout === undefined ? undefined : Number(values.timeout);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) throw usageError('wait', '--timeout must be a number of seconds, 0 or more');
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    const { record, timedOut } = await registry.wait(id, seconds === undefined ? undefined : seconds * 1000);
    if (ctx.out.format === 'json') printJson(ctx.out, { timedOut, run: record });
    else ctx.out.stdout(timedOut ? `timed out after ${seconds}s; ${record.name} is still ${record.status}` : describeRun(record));
    if (timedOut) return 3;
    return record.status === 'done' ? 0 : 1;
  });
}
