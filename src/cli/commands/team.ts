/** `switchboard team …` and `switchboard dag show`: teams of agents without VS Code. */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { readTaskFile } from '../../core/dag/taskJson';
import { errorMessage } from '../../core/errors';
import { TeamService } from '../../core/teams/teamService';
import { countsText, renderMergeStatus, renderTeamStatus } from '../../core/teams/teamText';
import type { CliContext } from '../context';
import { printJson, table, usageError } from '../output';
import { unknownSubcommand } from '../usage';
import { stderr } from '../stdio';
import { showTeamProgress } from '../teamProgress';
import type { RunRegistry } from '../../core/registry/registry';

/** Prints a value as JSON, or as the text `render` makes of it. */
function show<T>(ctx: CliContext, value: T, render: (v: T) => string): void {
  if (ctx.out.format === 'json') printJson(ctx.out, value);
  else ctx.out.stdout(render(value));
}

const withTeams = <T>(ctx: CliContext, work: (teams: TeamService, registry: RunRegistry) => Promise<T>): Promise<T> =>
  ctx.withSwitchboard(({ teams, runs }) => work(teams, runs));

export async function teamCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const one = (...names: string[]): string[] => {
    const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
    if (positionals.length < names.length) throw usageError(`team ${action}`, `${names.slice(positionals.length).join(' and ')} missing`);
    if (positionals.length > names.length) throw usageError(`team ${action}`, `unexpected "${positionals.slice(names.length).join(' ')}"`);
    return positionals;
  };
  switch (action) {
    case 'run':
      return run(ctx, rest);
    case 'list':
      one();
      return withTeams(ctx, async (teams) => {
        const list = teams.list().map((t) => teams.status(t.name));
        show(ctx, list, (views) =>
          views.length ? table(['TEAM', 'STATUS', 'WORKERS', 'TASKS', 'TASK'], views.map((v) => [v.team.name, v.owned ? v.team.status : `${v.team.status} (orphaned)`, String(v.team.workers.length), countsText(v.counts), v.team.task])) : 'No teams yet. Start one with: switchboard team run 2:executor "<task>"',
        );
        return 0;
      });
    case 'status': {
      const [name] = one('<name>');
      return withTeams(ctx, async (teams) => (show(ctx, teams.status(name!), renderTeamStatus), 0));
    }
    case 'shutdown':
      return shutdown(ctx, rest);
    case 'resume': {
      const [name] = one('<name>');
      return withTeams(ctx, async (teams, registry) => {
        const record = await teams.resume(name!);
        ctx.out.stderr(`team ${record.name} resumed in this process; Ctrl-C shuts it down`);
        return follow(ctx, teams, registry, record.name);
      });
    }
    case 'add-task':
      return addTask(ctx, rest);
    case 'cancel-task': {
      const [name, task] = one('<name>', '<task id>');
      return withTeams(ctx, async (teams) => (show(ctx, await teams.cancelTask(name!, task!), (t) => `${t.id} is ${t.status}`), 0));
    }
    case 'merge-status': {
      const [name] = one('<name>');
      return withTeams(ctx, async (teams) => (show(ctx, await teams.mergeStatus(name!), renderMergeStatus), 0));
    }
    case 'merge': {
      const [name, worker] = one('<name>', '<worker>');
      return withTeams(ctx, async (teams) => {
        const merged = await teams.mergeWorker(name!, worker!);
        show(ctx, merged, (m) => (m.alreadyMerged ? `${m.branch} was already merged into ${m.base}` : `merged ${m.branch} into ${m.base} as ${m.commit.slice(0, 12)} (${m.files.length} file(s))${m.removedWorktree ? '; its worktree was removed' : ''}`));
        return 0;
      });
    }
    case 'cleanup': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
      if (positionals.length !== 1) throw usageError('team cleanup', positionals.length ? `one team at a time` : '<name> missing');
      return withTeams(ctx, async (teams) => {
        const removed = await teams.removeWorktrees(positionals[0]!, { force: values.force });
        show(ctx, removed, (list) => (list.length ? list.map((r) => (r.removed ? `${r.worker}: removed` : `${r.worker}: kept — ${r.reason}`)).join('\n') : 'no worktrees'));
        return removed.every((r) => r.removed) ? 0 : 1;
      });
    }
    default:
      throw unknownSubcommand('team', action);
  }
}

export async function dagCommand(ctx: CliContext, argv: string[]): Promise<number> {
  if (argv[0] !== 'show') throw unknownSubcommand('dag', argv[0]);
  const { positionals } = parseArgs({ args: argv.slice(1), allowPositionals: true, options: {} });
  if (positionals.length !== 1) throw usageError('dag show', positionals.length ? 'one team at a time' : '<team> missing');
  return withTeams(ctx, async (teams) => (show(ctx, teams.dag(positionals[0]!), (d) => d.ascii), 0));
}

async function run(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: 'string' }, tasks: { type: 'string' }, cwd: { type: 'string' }, setup: { type: 'string' }, copy: { type: 'string', multiple: true } },
  });
  const [spec, ...words] = positionals;
  if (!spec || words.length === 0) throw usageError('team run', spec ? 'the task is missing' : '<spec> and the task missing');
  return withTeams(ctx, async (teams, registry) => {
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
    return follow(ctx, teams, registry, record.name);
  });
}

/**
 * Stays with a team run here until it ends (Ctrl-C shuts it down gracefully, a second one at once),
 * showing its progress on stderr, then prints its status.
 */
async function follow(ctx: CliContext, teams: TeamService, registry: RunRegistry, name: string): Promise<number> {
  const progress = showTeamProgress({ isTTY: stderr.isTTY, columns: process.stderr.columns, write: (text) => stderr.put(text) }, () => teams.status(name), (changed) => [
    teams.onDidChange((team) => void (team.name === name && changed())),
    registry.onDidChange(({ run }) => void (run.links.team === name && changed())),
  ]);
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    progress.say(signals === 1 ? `shutting down team ${name} (interrupting its workers; Ctrl-C again kills them at once)` : `killing the workers of team ${name}`);
    teams.shutdown(name, signals > 1).catch((error: unknown) => progress.say(`switchboard: ${errorMessage(error)}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await teams.finished(name);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.dispose();
  }
  const view = teams.status(name);
  show(ctx, view, renderTeamStatus);
  return view.team.status === 'done' ? 0 : 1;
}

async function shutdown(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { force: { type: 'boolean', default: false } } });
  if (positionals.length !== 1) throw usageError('team shutdown', positionals.length ? 'one team at a time' : '<name> missing');
  return withTeams(ctx, async (teams) => (show(ctx, await teams.shutdown(positionals[0]!, values.force), (t) => `team ${t.name} is ${t.status}`), 0));
}

async function addTask(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { description: { type: 'string' }, 'depends-on': { type: 'string' }, role: { type: 'string' } } });
  const [name, ...title] = positionals;
  if (!name || title.length === 0) throw usageError('team add-task', name ? 'the title is missing' : '<name> and the title missing');
  const dependsOn = values['depends-on']?.split(',').map((d) => d.trim()).filter(Boolean);
  return withTeams(ctx, async (teams) => {
    const [task] = await teams.addTasks(name, [{ title: title.join(' '), description: values.description, dependsOn, role: values.role }]);
    show(ctx, task!, (t) => `added ${t.id} (${t.status})${t.dependsOn.length ? ` after ${t.dependsOn.join(', ')}` : ''}`);
    return 0;
  });
}
