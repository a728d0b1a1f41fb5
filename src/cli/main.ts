/** The headless CLI: the same core and state directory as the extension, for terminals and CI. */
import type { SupervisorHost } from '../core/registry/supervisorHost';
import { asksHelp, takeFormat } from './commandLine';
import { createContext, type CliContext } from './context';
import { printJson, processOut, reportError, UsageError, type Out } from './output';
import { commandKey, commandUsage, topLevelHelp, VERSION } from './usage';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

/**
 * Each command's module is loaded when that command runs, not at start: `list` does not evaluate the MCP
 * server, the HTTP API, webhooks or the team/goal engines (bench/history.ts prints what start costs).
 */
export const COMMANDS: Record<string, () => Promise<Command>> = {
  run: async () => (await import('./commands/runCommand.js')).runCommand,
  list: async () => (await import('./commands/inspect.js')).listCommand,
  status: async () => (await import('./commands/inspect.js')).statusCommand,
  logs: async () => (await import('./commands/inspect.js')).logsCommand,
  steer: async () => (await import('./commands/control.js')).steerCommand,
  interrupt: async () => (await import('./commands/control.js')).interruptCommand,
  kill: async () => (await import('./commands/control.js')).killCommand,
  wait: async () => (await import('./commands/control.js')).waitCommand,
  rm: async () => (await import('./commands/inspect.js')).removeCommand,
  diff: async () => (await import('./commands/runWorktree.js')).diffCommand,
  merge: async () => (await import('./commands/runWorktree.js')).mergeCommand,
  cleanup: async () => (await import('./commands/runWorktree.js')).cleanupCommand,
  compare: async () => (await import('./commands/compare.js')).compareCommand,
  models: async () => (await import('./commands/models.js')).modelsCommand,
  doctor: async () => (await import('./commands/doctor.js')).doctorCommand,
  mcp: async () => (await import('./commands/mcp.js')).mcpCommand,
  pools: async () => (await import('./commands/pools.js')).poolsCommand,
  gates: async () => (await import('./commands/gates.js')).gatesCommand,
  goal: async () => (await import('./commands/goal.js')).goalCommand,
  discovery: async () => (await import('./commands/discovery.js')).discoveryCommand,
  team: async () => (await import('./commands/team.js')).teamCommand,
  dag: async () => (await import('./commands/team.js')).dagCommand,
  events: async () => (await import('./commands/events.js')).eventsCommand,
  metrics: async () => (await import('./commands/metrics.js')).metricsCommand,
  serve: async () => (await import('./commands/serve.js')).serveCommand,
  webhooks: async () => (await import('./commands/webhooks.js')).webhooksCommand,
  chat: async () => (await import('./commands/chat.js')).chatCommand,
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

/** Runs the command line; `runHost`: the supervisor host the CLI looked for as it started, for a run (runHost.ts). */
export async function main(argv: string[], runHost?: Promise<SupervisorHost | undefined>): Promise<number> {
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
    return await (await command())(createContext(out, runHost), args);
  } catch (error) {
    return reportError(out, asUsageError(error, key));
  }
}
