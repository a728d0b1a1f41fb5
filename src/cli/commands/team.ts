/** `switchboard team …` and `switchboard dag show`: teams of agents without VS Code. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTaskFile } from '../../core/dag/taskJson';
import { errorMessage } from '../../core/errors';
import { TeamService } from '../../core/teams/teamService';
import { countsText, renderMergeStatus, renderTeamStatus } from '../../core/teams/teamText';
import type { CliContext } from '../context';
import { printJson, table, UsageError } from '../output';

const USAGE = `usage: switchboard team run <spec> "<task>" [--name N] [--tasks FILE.json] [--cwd DIR] [--setup "<command>"] [--copy FILE]...
       switchboard team list
       switchboard team status <name>
       switchboard team shutdown <name> [--force]
       switchboard team resume <name>        (take over a team whose process exited)
       switchboard team add-task <name> "<title>" [--description TEXT] [--depends-on T1,T2] [--role ROLE]
       switchboard team cancel-task <name> <task id>
       switchboard team merge-status <name>
       switchboard team merge <name> <worker>
       switchboard team cleanup <name> [--force]
<spec> is N:role[:runner] joined with commas (2:executor, 1:planner,2:executor:codex). Without --tasks, a
planner worker turns the task into a task list; a team without a planner works the task as one task.`;

/** Prints a value as JSON, or as the text `render` makes of it. */
function show<T>(ctx: CliContext, value: T, render: (v: T) => string): void {
  if (ctx.out.format === 'json') printJson(ctx.out, value);
  else ctx.out.stdout(render(value));
}

const withTeams = <T>(ctx: CliContext, work: (teams: TeamService) => Promise<T>): Promise<T> =>
  ctx.withRegistry(async (registry) => {
    const teams = new TeamService(registry);
    try {
      return await work(teams);
    } finally {
      teams.dispose();
    }
  });

export async function teamCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const one = (count: number): string[] => {
    if (rest.length !== count) throw new UsageError(USAGE);
    return rest;
  };
  switch (action) {
    case 'run':
      return run(ctx, rest);
    case 'list':
      one(0);
      return withTeams(ctx, async (teams) => {
        const list = teams.list().map((t) => teams.status(t.name));
        show(ctx, list, (views) =>
          views.length ? table(['TEAM', 'STATUS', 'WORKERS', 'TASKS', 'TASK'], views.map((v) => [v.team.name, v.owned ? v.team.status : `${v.team.status} (orphaned)`, String(v.team.workers.length), countsText(v.counts), v.team.task])) : 'No teams yet. Start one with: switchboard team run 2:executor "<task>"',
        );
        return 0;
      });
    case 'status': {
      const [name] = one(1);
      return withTeams(ctx, async (teams) => (show(ctx, teams.status(name!), renderTeamStatus), 0));
    }
    case 'shutdown':
      return shutdown(ctx, rest);
    case 'resume': {
      const [name] = one(1);
      return withTeams(ctx, async (teams) => {
        const record = await teams.resume(name!);
        ctx.out.stderr(`team ${record.name} resumed in this process; Ctrl-C shuts it down`);
        return follow(ctx, teams, record.name);
      });
    }
    case 'add-task':
      return addTask(ctx, rest);
    case 'cancel-task': {
      const [name, task] = one(2);
      return withTeams(ctx, async (teams) => (show(ctx, await teams.cancelTask(name!, task!), (t) => `${t.id} is ${t.status}`), 0));
    }
    case 'merge-status': {
      const [name] = one(1);
      return withTeams(ctx, async (teams) => (show(ctx, await teams.mergeStatus(name!), renderMergeStatus), 0));
    }
    case 'merge': {
      const [name, worker] = one(2);
      return withTeams(ctx, async (teams) => {
        const merged = await teams.mergeWorker(name!, worker!);
        show(ctx, merged, (m) => (m.alreadyMerged ? `${m.branch} was already merged into ${m.base}` : `merged ${m.branch} into ${m.base} as ${m.commit.slice(0, 12)} (${m.files.length} file(s))${m.removedWorktree ? '; its worktree was removed' : ''}`));
        return 0;
      });
    }
    case 'cleanup': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
      if (positionals.length !== 1) throw new UsageError(USAGE);
      return withTeams(ctx, async (teams) => {
        const removed = await teams.removeWorktrees(positionals[0]!, { force: values.force });
        show(ctx, removed, (list) => (list.length ? list.map((r) => (r.removed ? `${r.worker}: removed` : `${r.worker}: kept — ${r.reason}`)).join('\n') : 'no worktrees'));
        return removed.every((r) => r.removed) ? 0 : 1;
      });
    }
    default:
      throw new UsageError(USAGE);
  }
}

export async function dagCommand(ctx: CliContext, argv: string[]): Promise<number> {
  if (argv[0] !== 'show' || argv.length !== 2) throw new UsageError('usage: switchboard dag show <team>');
  return withTeams(ctx, async (teams) => (show(ctx, teams.dag(argv[1]!), (d) => d.ascii), 0));
}

async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, tasks: { type: 'string' }, cwd: { type: 'string' }, setup: { type: 'string' }, copy: { type: 'string', multiple: true } },
  });
  const [spec, ...words] = positionals;
  if (!spec || words.length === 0) throw new UsageError(USAGE);
  return withTeams(ctx, async (teams) => {
    const record = await teams.run({
      name: values.name,
      spec,
      task: words.join(' '),
      tasks: values.tasks ? readTaskFile(values.tasks) : undefined,
      workspace: path.resolve(values.cwd ?? process.cwd()),
      setup: values.setup,
      copyFiles: values.copy,
    });
    ctx.out.stderr(`team ${record.name} started with ${record.workers.length} worker(s)${record.status === 'planning' ? ', planning' : ''}; \`switchboard team status ${record.name}\` shows it, Ctrl-C shuts it down`);
    if (record.warning) ctx.out.stderr(`warning: ${record.warning}`);
    return follow(ctx, teams, record.name);
  });
}

/** Stays with a team run here until it ends (Ctrl-C shuts it down gracefully, a second one at once), then prints its status. */
async function follow(ctx: CliContext, teams: TeamService, name: string): Promise<number> {
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    ctx.out.stderr(signals === 1 ? `shutting down team ${name} (interrupting its workers; Ctrl-C again kills them at once)` : `killing the workers of team ${name}`);
    teams.shutdown(name, signals > 1).catch((error: unknown) => ctx.out.stderr(`switchboard: ${errorMessage(error)}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await teams.finished(name);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const view = teams.status(name);
  show(ctx, view, renderTeamStatus);
  return view.team.status === 'done' ? 0 : 1;
}

async function shutdown(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw new UsageError(USAGE);
  return withTeams(ctx, async (teams) => (show(ctx, await teams.shutdown(positionals[0]!, values.force), (t) => `team ${t.name} is ${t.status}`), 0));
}

async function addTask(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { description: { type: 'string' }, 'depends-on': { type: 'string' }, role: { type: 'string' } } });
  const [name, ...title] = positionals;
  if (!name || title.length === 0) throw new UsageError(USAGE);
  const dependsOn = values['depends-on']?.split(',').map((d) => d.trim()).filter(Boolean);
  return withTeams(ctx, async (teams) => {
    const [task] = await teams.addTasks(name, [{ title: title.join(' '), description: values.description, dependsOn, role: values.role }]);
    show(ctx, task!, (t) => `added ${t.id} (${t.status})${t.dependsOn.length ? ` after ${t.dependsOn.join(', ')}` : ''}`);
    return 0;
  });
}
