/**
 * `switchboard discovery list | promote | dismiss`: work the agents found that nobody planned, kept
 * under its goal or team; promoted into a task of that graph (the process running it schedules it)
 * or dismissed with a reason.
 */
import { parseArgs } from 'node:util';
import { DISCOVERY_STATUSES, type Discovery, type DiscoveryStatus } from '../../core/discoveries/discoveryStore';
import type { DiscoveryScope } from '../../core/discoveries/discoveryService';
import { discoveryLine, toDiscoveryShape } from '../../ops/discoveryOps';
import { taskShape } from '../../ops/teamSchemas';
import { toShape } from '../../ops/schemas';
import type { CliContext } from '../context';
import { printJson, table, usageError } from '../output';
import { unknownSubcommand } from '../usage';

const SCOPE = { goal: { type: 'string' }, team: { type: 'string' } } as const;

function scopeOf(values: { goal?: string; team?: string }, command: string): DiscoveryScope {
  if (values.goal !== undefined && values.team !== undefined) throw usageError(command, 'give --goal or --team, not both');
  return { ...(values.goal ? { goal: values.goal } : {}), ...(values.team ? { team: values.team } : {}) };
}

function oneDiscovery(positionals: string[], command: string): string {
  if (positionals.length !== 1) throw usageError(command, positionals.length ? `one discovery at a time, not ${positionals.join(' ')}` : 'which discovery? give its id (switchboard discovery list)');
  return positionals[0]!;
}

const ownerOfRow = (d: Discovery): string => (d.goal ? d.goal : `team ${d.team}`);
const source = (d: Discovery): string => [d.sourceTaskId, d.sourceRun && `run ${d.sourceRun}`].filter(Boolean).join(', ') || '-';
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ');

function render(discoveries: Discovery[], markdown: boolean): string {
  const rows = discoveries.map((d) => [d.id, ownerOfRow(d), d.status + (d.promotedTask ? ` as ${d.promotedTask}` : d.reason ? `: ${d.reason}` : ''), d.title, source(d)]);
  if (markdown) return ['| discovery | of | status | title | from |', '| --- | --- | --- | --- | --- |', ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
  return discoveries.length ? table(['DISCOVERY', 'OF', 'STATUS', 'TITLE', 'FROM'], rows) : 'No discoveries. Agents of a team or goal report them (report_discovery, or a ```switchboard-discovery block).';
}

export async function discoveryCommand(ctx: CliContext, argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const json = ctx.out.format === 'json';
  switch (action) {
    case 'list': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...SCOPE, status: { type: 'string' } } });
      if (positionals.length) throw usageError('discovery list', `unexpected ${positionals.join(' ')}`);
      const status = values.status as DiscoveryStatus | undefined;
      if (status !== undefined && !DISCOVERY_STATUSES.includes(status)) throw usageError('discovery list', `--status must be one of ${DISCOVERY_STATUSES.join(', ')}, not "${status}"`);
      const scope = scopeOf(values, 'discovery list');
      return ctx.withSwitchboard(async (sb) => {
        const found = sb.discoveries.list(scope, status);
        if (json) printJson(ctx.out, { count: found.length, discoveries: found.map(toDiscoveryShape) });
        else ctx.out.stdout(render(found, ctx.out.format === 'md'));
        return 0;
      });
    }
    case 'promote': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...SCOPE, 'depends-on': { type: 'string' } } });
      const id = oneDiscovery(positionals, 'discovery promote');
      const scope = scopeOf(values, 'discovery promote');
      const dependsOn = values['depends-on']?.split(',').map((d) => d.trim()).filter(Boolean) ?? [];
      return ctx.withSwitchboard(async (sb) => {
        const { discovery, task } = await sb.discoveries.promote(id, scope, dependsOn);
        if (json) printJson(ctx.out, { discovery: toDiscoveryShape(discovery), task: toShape(taskShape, task) });
        else ctx.out.stdout(`promoted ${discoveryLine(discovery)}: task ${task.id} is ${task.status}${task.dependsOn.length ? ` after ${task.dependsOn.join(', ')}` : ''}`);
        return 0;
      });
    }
    case 'dismiss': {
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { ...SCOPE, reason: { type: 'string' } } });
      const id = oneDiscovery(positionals, 'discovery dismiss');
      if (!values.reason?.trim()) throw usageError('discovery dismiss', 'say why with --reason "…"');
      const scope = scopeOf(values, 'discovery dismiss');
      return ctx.withSwitchboard(async (sb) => {
        const discovery = await sb.discoveries.dismiss(id, scope, values.reason!);
        if (json) printJson(ctx.out, toDiscoveryShape(discovery));
        else ctx.out.stdout(`dismissed ${discoveryLine(discovery)}`);
        return 0;
      });
    }
    default:
      throw unknownSubcommand('discovery', action);
  }
}
