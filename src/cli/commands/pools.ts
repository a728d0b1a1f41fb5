/** `switchboard pools status | cleanup`: who runs and who waits in each pool, and tidying what dead processes left. */
import { parseArgs } from 'node:util';
import type { CliContext } from '../context';
import { printJson, table } from '../output';
import { unknownSubcommand } from '../usage';

export async function poolsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  if (action !== 'status' && action !== 'cleanup') throw unknownSubcommand('pools', action);
  parseArgs({ args: rest, options: {} });
  return ctx.withSwitchboard(async ({ runs: registry }) => {
    if (action === 'cleanup') {
      const cleaned = await registry.poolsCleanup();
      if (ctx.out.format === 'json') printJson(ctx.out, { version: 1, ...cleaned });
      else ctx.out.stdout(`freed ${cleaned.slots.length} slot(s) of runs that ended; removed ${cleaned.queue.length} place(s) in line whose process is gone`);
      return 0;
    }
    const status = await registry.poolsStatus();
    if (ctx.out.format === 'json') return printJson(ctx.out, { version: 1, ...status }), 0;
    const name = (id: string): string => registry.list().find((r) => r.id === id)?.name ?? id;
    const rows = status.pools.map((p) => [p.name, `${p.running.length}/${p.maxWorkers}`, String(p.waiting.length), String(p.admitted), String(p.queued), String(p.rejected), p.waiting.map(name).join(' ')]);
    ctx.out.stdout(table(['POOL', 'RUNNING', 'WAITING', 'ADMITTED', 'QUEUED', 'REJECTED', 'IN LINE'], rows));
    ctx.out.stdout(`\nall pools: ${status.running}/${status.maxWorkers} running, ${status.waiting} waiting`);
    return 0;
  });
}
