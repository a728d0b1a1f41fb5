/** The headless CLI: the same core and state directory as the extension, for terminals and CI. */
import { createContext, type CliContext } from './context';
import { doctorCommand } from './commands/doctor';
import { mcpCommand } from './commands/mcp';
import { poolsCommand } from './commands/pools';
import { dagCommand, teamCommand } from './commands/team';
import { interruptCommand, killCommand, steerCommand, waitCommand } from './commands/control';
import { listCommand, logsCommand, removeCommand, statusCommand } from './commands/inspect';
import { runCommand } from './commands/runCommand';
import { processOut, reportError, UsageError, type Format } from './output';

type Command = (ctx: CliContext, argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  list: listCommand,
  status: statusCommand,
  logs: logsCommand,
  steer: steerCommand,
  interrupt: interruptCommand,
  kill: killCommand,
  wait: waitCommand,
  rm: removeCommand,
  doctor: doctorCommand,
  mcp: mcpCommand,
  pools: poolsCommand,
  team: teamCommand,
  dag: dagCommand,
};

const HELP = `switchboard — run, watch, steer and kill CLI coding agents

usage: switchboard <command> [options] [--format table|json]

  run <runner> "<prompt>"   start an agent (runners: claude, codex, gemini, qwen, custom)
        [--name N] [--cwd DIR] [--command "<template with {prompt}>"] [--resume SESSION] [--pool P] [--detach] [--raw]
                            waits in line (queued) when its pool is full
  list [--status S] [--runner R]
  status <id>               details and the output tail
  logs <id> [--follow] [--raw]
  steer <id> "<message>"    live on the agent's input, or interrupt + resume
  interrupt <id>
  kill <id> [--force]       the whole process tree; graceful first unless --force
  wait <id> [--timeout S]   exit 0 done, 1 failed/killed/orphaned, 3 timed out
  rm <id>                   remove a finished run and its logs
  doctor                    installed agent CLIs and the state directory
  pools status | cleanup    who runs and who waits in each pool; free what dead processes left
  team run <spec> "<task>"  a team (spec N:role[:runner], e.g. 2:executor) in worktrees, working a task graph
        [--name N] [--tasks FILE.json] [--cwd DIR] [--setup "<command>"]
  team status <name> | team shutdown <name> [--force]
  dag show <team>           the team's tasks by layer, with the critical path
  mcp --stdio               serve the MCP tools on stdin/stdout (for clients that start servers)
  mcp --http [--port N]     serve them on http://127.0.0.1:N/mcp with a bearer token
  mcp config <client>       what claude, codex, gemini or cursor needs to reach that server

<id> is a run id, its name, or a unique id prefix. State lives in $SWITCHBOARD_HOME
(or the per-user state folder); the VS Code extension shares it.`;

/** Pulls the global --format option out of argv wherever it appears. */
function takeFormat(argv: string[]): { format: Format; rest: string[] } {
  const rest: string[] = [];
  let format: string = 'table';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--format') format = argv[++i] ?? '';
    else if (arg.startsWith('--format=')) format = arg.slice('--format='.length);
    else rest.push(arg);
  }
  if (format !== 'table' && format !== 'json') throw new UsageError(`--format must be table or json, not "${format}"`);
  return { format, rest };
}

export async function main(argv: string[]): Promise<number> {
  let out = processOut('table');
  try {
    const { format, rest } = takeFormat(argv);
    out = processOut(format);
    const [name, ...args] = rest;
    if (!name || name === 'help' || name === '--help' || name === '-h') {
      out.stdout(HELP);
      return name ? 0 : 2;
    }
    const command = COMMANDS[name];
    if (!command) throw new UsageError(`unknown command "${name}"; run \`switchboard --help\` for the list`);
    return await command(createContext(out), args);
  } catch (error) {
    if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      return reportError(out, new UsageError(error.message));
    }
    return reportError(out, error);
  }
}
