/** `switchboard team run | status | shutdown` and `switchboard dag show`: teams of agents without VS Code. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { renderDag } from '../../core/dag/render';
import type { TaskSpec } from '../../core/dag/task';
import { SwitchboardError } from '../../core/errors';
import { isSameProcessAlive } from '../../core/proc/processTable';
import { Team } from '../../core/teams/team';
import { cancelUnfinished, loadTeam, requestShutdown, saveTeam, type TeamRecord } from '../../core/teams/teamStore';
import type { CliContext } from '../context';
import { printJson, table, UsageError } from '../output';

const USAGE = `usage: switchboard team run <spec> "<task>" [--name N] [--tasks FILE.json] [--cwd DIR] [--setup "<command>"]
       switchboard team status <name>
       switchboard team shutdown <name> [--force]`;

function readTasks(file: string): TaskSpec[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new SwitchboardError('invalid_argument', `Cannot read the tasks in ${file}: ${(error as Error).message}.`, 'Give a JSON array of {"id"?, "title", "description"?, "dependsOn"?}.');
  }
  if (!Array.isArray(parsed)) throw new SwitchboardError('invalid_argument', `${file} does not hold a JSON array of tasks.`, 'Give a JSON array of {"id"?, "title", "description"?, "dependsOn"?}.');
  return parsed as TaskSpec[];
}

function describeTeam(team: TeamRecord): string {
  const workers = table(['WORKER', 'ROLE', 'RUNNER', 'WORKS IN'], team.workers.map((w) => [w.name, w.role, w.runner, w.branch ?? w.cwd]));
  return [`team ${team.name}: ${team.status} — ${team.task}`, team.warning ? `warning: ${team.warning}` : '', '', workers, '', renderDag(team.tasks)].filter((l, i) => l !== '' || i > 1).join('\n');
}

export async function teamCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action === 'run') return run(ctx, rest);
  if (action === 'status' && rest.length === 1) {
    const team = loadTeam(ctx.stateDir, rest[0]!);
    if (ctx.out.format === 'json') printJson(ctx.out, team);
    else ctx.out.stdout(describeTeam(team));
    return 0;
  }
  if (action === 'shutdown') return shutdown(ctx, rest);
  throw new UsageError(USAGE);
}

export async function dagCommand(ctx: CliContext, argv: string[]): Promise<number> {
  if (argv[0] !== 'show' || argv.length !== 2) throw new UsageError('usage: switchboard dag show <team>');
  const team = loadTeam(ctx.stateDir, argv[1]!);
  if (ctx.out.format === 'json') printJson(ctx.out, { version: 1, team: team.name, tasks: team.tasks, ascii: renderDag(team.tasks) });
  else ctx.out.stdout(renderDag(team.tasks));
  return 0;
}

async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { name: { type: 'string' }, tasks: { type: 'string' }, cwd: { type: 'string' }, setup: { type: 'string' } } });
  const [spec, ...words] = positionals;
  if (!spec || words.length === 0) throw new UsageError(USAGE);
  const task = words.join(' ');
  return ctx.withRegistry(async (registry) => {
    const team = await Team.start(registry, {
      name: values.name ?? `team-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`,
      spec,
      task,
      tasks: values.tasks ? readTasks(values.tasks) : undefined,
      workspace: path.resolve(values.cwd ?? process.cwd()),
      setup: values.setup,
    });
    ctx.out.stderr(`team ${team.record.name} started with ${team.record.workers.length} worker(s); \`switchboard team status ${team.record.name}\` shows it, Ctrl-C shuts it down`);
    if (team.record.warning) ctx.out.stderr(`warning: ${team.record.warning}`);
    const onSigint = (): void => void team.shutdown({ force: false, graceMs: registry.config.killGraceMs });
    process.once('SIGINT', onSigint);
    try {
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => team.record.status !== 'running' && (clearInterval(timer), resolve()), 200);
      });
    } finally {
      process.off('SIGINT', onSigint);
      team.dispose();
    }
    if (ctx.out.format === 'json') printJson(ctx.out, team.record);
    else ctx.out.stdout(describeTeam(team.record));
    return team.record.status === 'done' ? 0 : 1;
  });
}

async function shutdown(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  const name = positionals[0]!;
  const team = loadTeam(ctx.stateDir, name);
  if (team.status !== 'running') {
    ctx.out.stdout(`team ${name} is already ${team.status}`);
    return 0;
  }
  if (isSameProcessAlive(team.owner)) {
    requestShutdown(ctx.stateDir, name, values.force);
    const deadline = Date.now() + 120_000;
    while (loadTeam(ctx.stateDir, name).status === 'running') {
      if (Date.now() > deadline) throw new SwitchboardError('internal', `Team ${name} did not shut down within 2 minutes.`, 'Try again with --force.');
      await new Promise((r) => setTimeout(r, 200));
    }
  } else {
    // Nobody runs its scheduler any more: stop what is left of its runs here.
    await ctx.withRegistry(async (registry) => {
      for (const run of registry.list({ team: name, status: 'running' })) await registry.kill(run.id, { source: `team ${name} shutdown`, force: values.force });
    });
    cancelUnfinished(team.tasks);
    saveTeam(ctx.stateDir, { ...team, status: 'interrupted', endedAt: Date.now() });
  }
  const final = loadTeam(ctx.stateDir, name);
  if (ctx.out.format === 'json') printJson(ctx.out, final);
  else ctx.out.stdout(`team ${name} is ${final.status}`);
  return 0;
}
