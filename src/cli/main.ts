/** The headless CLI: the same core and state directory as the extension, for terminals and CI. */
import { createContext, type CliContext } from './context';
import { doctorCommand } from './commands/doctor';
import { mcpCommand } from './commands/mcp';
import { poolsCommand } from './commands/pools';
import { eventsCommand } from './commands/events';
import { gatesCommand } from './commands/gates';
import { goalCommand } from './commands/goal';
import { discoveryCommand } from './commands/discovery';
import { dagCommand, teamCommand } from './commands/team';
import { interruptCommand, killCommand, steerCommand, waitCommand } from './commands/control';
import { listCommand, logsCommand, removeCommand, statusCommand } from './commands/inspect';
import { runCommand } from './commands/runCommand';
import { cleanupCommand, diffCommand, mergeCommand } from './commands/runWorktree';
import { compareCommand } from './commands/compare';
import { modelsCommand } from './commands/models';
import { metricsCommand } from './commands/metrics';
import { serveCommand } from './commands/serve';
import { webhooksCommand } from './commands/webhooks';
import { chatCommand } from './commands/chat';
import { printJson, processOut, reportError, UsageError, type Format, type Out } from './output';
import { commandKey, commandUsage, topLevelHelp, VERSION } from './usage';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

export const COMMANDS: Record<string, Command> = {
  run: runCommand,
  list: listCommand,
  status: statusCommand,
  logs: logsCommand,
  steer: steerCommand,
  interrupt: interruptCommand,
  kill: killCommand,
  wait: waitCommand,
  rm: removeCommand,
  diff: diffCommand,
  merge: mergeCommand,
  cleanup: cleanupCommand,
  compare: compareCommand,
  models: modelsCommand,
  doctor: doctorCommand,
  mcp: mcpCommand,
  pools: poolsCommand,
  gates: gatesCommand,
  goal: goalCommand,
  discovery: discoveryCommand,
  team: teamCommand,
  dag: dagCommand,
  events: eventsCommand,
  metrics: metricsCommand,
  serve: serveCommand,
  webhooks: webhooksCommand,
  chat: chatCommand,
};

/** Pulls the global --format option out of argv wherever it appears (before a `--`). */
function takeFormat(argv: string[]): { format: Format; rest: string[] } {
  const rest: string[] = [];
  let format: string = 'table';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      rest.push(...argv.slice(i));
      break;
    }
    if (arg === '--format') format = argv[++i] ?? '';
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else rest.push(arg);
  }
  if (format === 'text') format = 'table';
  if (format !== 'table' && format !== 'json' && format !== 'md') throw new UsageError(`--format must be table (or text), json or md, not "${format}"`);
  return { format, rest };
}

/** Whether the options (before a `--`) ask for help. */
const asksHelp = (args: string[]): boolean => {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
};

/** `help`, `help <command> [sub]`, `<command> … --help`: the usage, on stdout. */
function help(out: Out, name: string | undefined, args: string[]): number {
  if (!name) return out.stdout(topLevelHelp()), 0;
  if (!COMMANDS[name]) throw new UsageError(`unknown command "${name}"; run \`switchboard --help\` for the list`);
  out.stdout(commandUsage(commandKey(name, args))!);
  return 0;
}

/** Turns node:util parseArgs errors into usage errors of the command (exit 2, with its usage). */
function asUsageError(error: unknown, key: string): unknown {
  if (!(error instanceof TypeError) || !(error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) return error;
  const unknown = /^Unknown option '([^']+)'/.exec(error.message);
  const message = unknown ? `unknown option ${unknown[1]} (a value that starts with - goes after --)` : error.message;
  return new UsageError(`${key}: ${message}`, key);
}

export async function main(argv: string[]): Promise<number> {
  let out = processOut('table');
  let key = '';
  try {
    const { format, rest } = takeFormat(argv);
    out = processOut(format);
    const [name, ...args] = rest;
    if (name === '--version' || name === '-V' || name === 'version') {
      if (format === 'json') printJson(out, { version: VERSION });
      else out.stdout(VERSION);
      return 0;
    }
    if (name === 'help') return help(out, args[0], args.slice(1));
    if (name === '--help' || name === '-h') return help(out, undefined, []);
    if (!name) {
      out.stderr(topLevelHelp());
      return 2;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; run \`switchboard --help\` for the list`);
    if (asksHelp(args)) return help(out, name, args);
    key = commandKey(name, args);
    return await command(createContext(out), args);
  } catch (error) {
    return reportError(out, asUsageError(error, key));
  }
}
