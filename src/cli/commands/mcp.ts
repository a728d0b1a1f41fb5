/**
 * `switchboard mcp --stdio | --http [--port N]`: the MCP server without VS Code, over the same
 * state directory; `switchboard mcp config <client>`: what a client needs to reach a running one.
 * Teams started through the server run in its process: when the stdio client goes, the process
 * stays until they end; SIGINT or SIGTERM shuts them down gracefully first (a second one: at once).
 * Over HTTP the same listener serves the HTTP API at /api/v1; `switchboard serve` hosts it the same way.
 * A long-lived process, it also delivers the state folder's webhooks (when no other process does).
 */
import { parseArgs } from 'node:util';
import { runDoctor } from '../../core/doctor';
import { setV8Flags } from '../../v8Flags';
import { errorMessage, SwitchboardError } from '../../core/errors';
import { CLIENT_IDS, clientConfig, type ClientId } from '../../mcp/clientConfigs';
import { apiUrlOf } from '../../http/api/apiPath';
import { liveEndpoint, loadOrCreateToken, tokenFile } from '../../http/credentials';
import { McpService } from '../../mcp/mcpService';
import { TeamService } from '../../core/teams/teamService';
import { isActiveTeam } from '../../core/teams/teamStore';
import type { Switchboard } from '../../core/switchboard';
import type { CliContext } from '../context';
import { printJson, usageError } from '../output';
import { headlessDeliverer } from './webhooks';

export async function mcpCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stdio: { type: 'boolean', default: false }, http: { type: 'boolean', default: false }, port: { type: 'string' } },
  });
  if (positionals[0] === 'config') return configCommand(ctx, positionals.slice(1));
  if (positionals.length > 0) throw usageError('mcp', `unknown mcp command "${positionals[0]}"`);
  if (values.stdio === values.http) throw usageError('mcp', values.stdio ? '--stdio or --http, not both' : '--stdio or --http?');
  const port = parsePort('mcp', values.port);
  return host(ctx, async (service, sb, signals) => {
    if (values.stdio) return Promise.race([service.serveStdio().then(() => undefined), signals.next()]);
    const served = await service.startHttp(port);
    ctx.out.stderr(`Switchboard MCP server on ${served.url} (bearer token in ${tokenFile(sb.stateDir)}); Ctrl+C stops it.`);
    return signals.next();
  });
}

/** `--port N`: a port number (0: any free one). */
export function parsePort(command: string, value: string | undefined): number | undefined {
  const port = value === undefined ? undefined : Number(value);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw usageError(command, `--port must be a port number (0-65535), not "${value}"`);
  return port;
}

/**
 * Hosts the MCP service (and with HTTP the API) over the state folder until `serve` resolves: with
 * a signal, or with nothing when the client has gone. Then the teams it runs end (see endTeams).
 */
export async function host(ctx: CliContext, serve: (service: McpService, sb: Switchboard, signals: Signals) => Promise<NodeJS.Signals | undefined>): Promise<number> {
  keepOldGenerationSmall();
  const sb = await ctx.openSwitchboard();
  const teams = sb.teams;
  const service = new McpService({
    switchboard: sb,
    logger: ctx.logger,
    doctor: () => runDoctor(sb.stateDir, sb.config),
    defaultCwd: () => process.cwd(),
    guard: () => {},
  });
  const webhooks = headlessDeliverer(sb, ctx.logger);
  const signals = watchSignals();
  try {
    await endTeams(ctx, teams, signals, await serve(service, sb, signals));
    return 0;
  } finally {
    signals.dispose();
    webhooks.dispose();
    await service.dispose();
    sb.dispose();
  }
}

/**
 * A server answers call after call, and some of each call's garbage (the MCP SDK's and zod's, held by
 * weak references through a young-generation collection) reaches V8's old generation, which V8 then
 * lets grow to about four times what is live (25 MB live: 100 MB) before a full collection: the
 * process swung by 40-60 MB over 10,000 calls. Growing it by a tenth instead keeps the server within
 * a few MB of its level; its full collections come more often and are short (bench/mcp.ts measures
 * both). This process only: the extension host is not ours to tune. (A code cache is not saved
 * after it: see v8Flags.ts.)
 */
function keepOldGenerationSmall(): void {
  setV8Flags('--heap-growing-percent=10');
}

export interface Signals {
  /** Resolves with the next SIGINT or SIGTERM. */
  next(): Promise<NodeJS.Signals>;
  dispose(): void;
}

/** Takes SIGINT and SIGTERM over for as long as the server lives, so that its teams are not killed silently. */
function watchSignals(): Signals {
  let waiting: ((signal: NodeJS.Signals) => void)[] = [];
  const on = (signal: NodeJS.Signals): void => {
    for (const resolve of waiting.splice(0)) resolve(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return {
    next: () => new Promise((resolve) => waiting.push(resolve)),
    dispose: () => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      waiting = [];
    },
  };
}

/**
 * Before the process ends, the teams it runs end too: waited for when the client has gone (no
 * signal), shut down gracefully on a signal, and at once on a second one.
 */
async function endTeams(ctx: CliContext, teams: TeamService, signals: Signals, signal: NodeJS.Signals | undefined): Promise<void> {
  const live = teams.list().filter((t) => isActiveTeam(t.status) && teams.team(t.name));
  if (!live.length) return;
  const names = live.map((t) => t.name).join(', ');
  const ended = Promise.all(live.map((t) => teams.finished(t.name))).then(() => undefined);
  const say = (text: string): void => ctx.out.stderr(`switchboard mcp: ${text}`);
  if (!signal) {
    for (const t of live) say(`the client has gone; waiting for team ${t.name} (${t.status}) to finish. SIGINT or SIGTERM shuts it down.`);
    signal = await Promise.race([ended, signals.next()]);
    if (!signal) return;
  }
  const shutdown = (force: boolean): void => {
    for (const t of live) teams.shutdown(t.name, force).catch((error: unknown) => say(`shutting down team ${t.name} failed: ${errorMessage(error)}`));
  };
  say(`${signal}: shutting down team(s) ${names}, giving their runs the grace time (again: at once).`);
  shutdown(false);
  const again = await Promise.race([ended, signals.next()]);
  if (again) {
    say(`${again}: killing the runs of team(s) ${names} now.`);
    shutdown(true);
  }
  await ended;
}

async function configCommand(ctx: CliContext, args: string[]): Promise<number> {
  const client = args[0] as ClientId | undefined;
  if (!client) throw usageError('mcp config', `which client? one of ${CLIENT_IDS.join(', ')}`);
  if (!CLIENT_IDS.includes(client) || args.length > 1) throw usageError('mcp config', `"${args.join(' ')}" is not one of ${CLIENT_IDS.join(', ')}`);
  const endpoint = liveEndpoint(ctx.stateDir);
  if (!endpoint) {
    throw new SwitchboardError('not_running', 'No Switchboard MCP server is serving this state directory over HTTP.', 'Start one with `switchboard mcp --http` (or open VS Code with the extension), then ask again.');
  }
  const config = clientConfig(client, endpoint.url, loadOrCreateToken(ctx.stateDir));
  if (ctx.out.format === 'json') printJson(ctx.out, { ...config, apiUrl: apiUrlOf(endpoint.url) });
  else {
    ctx.out.stdout(config.text);
    ctx.out.stderr(`# ${config.displayName}: ${config.where}`);
    ctx.out.stderr(`# The HTTP API is at ${apiUrlOf(endpoint.url)} with the same bearer token.`);
  }
  return 0;
}
