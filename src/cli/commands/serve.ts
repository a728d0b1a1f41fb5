/** `switchboard serve [--port N]`: MCP at /mcp and the HTTP API at /api/v1 on one loopback port, headless. */
import { parseArgs } from 'node:util';
import { tokenFile } from '../../http/credentials';
import type { CliContext } from '../context';
import { usageError } from '../output';
import { host, parsePort } from './mcp';

export async function serveCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { port: { type: 'string' } } });
  if (positionals.length) throw usageError('serve', `unexpected ${positionals.join(' ')}`);
  const port = parsePort('serve', values.port);
  return host(ctx, async (service, sb, signals) => {
    const served = await service.startHttp(port);
    ctx.out.stderr(`Switchboard on ${served.listener.origin}: MCP at ${served.url}, the HTTP API at ${served.apiUrl} (bearer token in ${tokenFile(sb.stateDir)}); Ctrl+C stops it.`);
    return signals.next();
  });
}
