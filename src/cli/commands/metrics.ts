/** `switchboard metrics`: the counters every process of the state folder adds to, since it was made. */
import { parseArgs } from 'node:util';
import { COUNTER_NAMES, COUNTERS, countersRestartedWhy, readCounters } from '../../core/metrics/counters';
import type { CliContext } from '../context';
import { printJson, table } from '../output';

export async function metricsCommand(ctx: CliContext, argv: string[]): Promise<number> {
  parseArgs({ args: argv, options: {} });
  const metrics = readCounters(ctx.state);
  if (ctx.out.format === 'json') return printJson(ctx.out, { metrics }), 0;
  ctx.out.stdout(table(['COUNTER', 'VALUE', 'WHAT'], COUNTER_NAMES.map((name) => [name, String(metrics[name]), COUNTERS[name]])));
  ctx.out.stdout(`\ncounted since ${metrics.created_at}; last change ${metrics.updated_at}`);
  if (metrics.set_aside) ctx.out.stdout(`the counters restarted then: ${countersRestartedWhy(metrics.set_aside)}`);
  return 0;
}
