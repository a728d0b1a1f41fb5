/**
 * `switchboard mcp --stdio | --http [--port N]`: the MCP server without VS Code, over the same
 * state directory; `switchboard mcp config <client>`: what a client needs to reach a running one.
 */
import { parseArgs } from 'node:util';
import { runDoctor } from '../../core/doctor';
import { SwitchboardError } from '../../core/errors';
import { CLIENT_IDS, clientConfig, type ClientId } from '../../mcp/clientConfigs';
import { liveEndpoint, loadOrCreateToken, tokenFile } from '../../mcp/credentials';
import { McpService } from '../../mcp/mcpService';
import { TeamService } from '../../core/teams/teamService';
import type { CliContext } from '../context';
import { printJson, UsageError } from '../output';

const USAGE = 'usage: switchboard mcp --stdio | --http [--port N] | config <claude|codex|gemini|cursor>';

export async function mcpCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { stdio: { type: 'boolean', default: false }, http: { type: 'boolean', default: false }, port: { type: 'string' } },
  });
  if (positionals[0] === 'config') return configCommand(ctx, positionals.slice(1));
  if (positionals.length > 0 || values.stdio === values.http) throw new UsageError(USAGE);
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) throw new UsageError(`--port must be a port number (0-65535), not "${values.port}"`);
  const registry = await ctx.openRegistry();
  const teams = new TeamService(registry);
  const service = new McpService({
    registry,
    teams,
    logger: ctx.logger,
    doctor: () => runDoctor(registry.stateDir, registry.config),
    defaultCwd: () => process.cwd(),
    guard: () => {},
  });
  try {
    if (values.stdio) {
      await service.serveStdio();
      return 0;
    }
    const host = await service.startHttp(port);
    ctx.out.stderr(`Switchboard MCP server on ${host.url} (bearer token in ${tokenFile(registry.stateDir)}); Ctrl+C stops it.`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    return 0;
  } finally {
    await service.dispose();
    teams.dispose();
    registry.dispose();
  }
}

async function configCommand(ctx: CliContext, args: string[]): Promise<number> {
  const client = args[0] as ClientId | undefined;
  if (!client || !CLIENT_IDS.includes(client) || args.length > 1) throw new UsageError(`usage: switchboard mcp config <${CLIENT_IDS.join('|')}>`);
  const endpoint = liveEndpoint(ctx.stateDir);
  if (!endpoint) {
    throw new SwitchboardError('not_running', 'No Switchboard MCP server is serving this state directory over HTTP.', 'Start one with `switchboard mcp --http` (or open VS Code with the extension), then ask again.');
  }
  const config = clientConfig(client, endpoint.url, loadOrCreateToken(ctx.stateDir));
  if (ctx.out.format === 'json') printJson(ctx.out, config);
  else {
    ctx.out.stdout(config.text);
    ctx.out.stderr(`# ${config.displayName}: ${config.where}`);
  }
  return 0;
}
