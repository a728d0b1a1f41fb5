/**
 * The discovery tools: an agent reports work nobody planned (report_discovery, filed under the goal
 * or team of the run that calls), and a person lists, promotes (into a task of that graph) or
 * dismisses (with a reason) what was found. The shape a discovery has in JSON is defined here once,
 * for MCP and the CLI's `--format json`.
 */
import { z } from 'zod';
import { DISCOVERY_STATUSES, ownerName, ownerOf, type Discovery } from '../core/discoveries/discoveryStore';
import { MAX_DESCRIPTION, MAX_TITLE, type DiscoveryScope } from '../core/discoveries/discoveryService';
import { toShape } from './schemas';
import { taskShape } from './teamSchemas';
import { defineOperation } from './operation';

const time = z.string().describe('ISO 8601');

export const discoveryShape = z.object({
  id: z.string().describe('DSC-001, DSC-002… within its goal or team'),
  title: z.string(),
  description: z.string(),
  source_task_id: z.string().nullable().describe('The task it came up in'),
  source_run: z.string().nullable().describe('The run that reported it'),
  status: z.enum(DISCOVERY_STATUSES),
  reason: z.string().nullable().describe('Why it was dismissed'),
  created_at: time,
  goal_id: z.string().nullable().describe('The goal it belongs to (else a team)'),
  team: z.string().nullable().describe('The team it belongs to, when not a goal'),
  promoted_task_id: z.string().nullable().describe('The task it became, once promoted'),
});
export type DiscoveryShape = z.output<typeof discoveryShape>;

export function toDiscoveryShape(d: Discovery): DiscoveryShape {
  return discoveryShape.parse({
    id: d.id,
    title: d.title,
    description: d.description,
    source_task_id: d.sourceTaskId ?? null,
    source_run: d.sourceRun ?? null,
    status: d.status,
    reason: d.reason ?? null,
    created_at: new Date(d.createdAt).toISOString(),
    goal_id: d.goal ?? null,
    team: d.team ?? null,
    promoted_task_id: d.promotedTask ?? null,
  });
}

export const discoveryListShape = z.object({ count: z.number(), discoveries: z.array(discoveryShape) });
export const promotionShape = z.object({ discovery: discoveryShape, task: taskShape.describe('The task it became (its id is the discovery\'s)') });

/** `goal-…/DSC-001 "title" pending`. */
export const discoveryLine = (d: Discovery): string => `${ownerName(ownerOf(d))}/${d.id} "${d.title}" ${d.status}${d.promotedTask ? ` (task ${d.promotedTask})` : ''}${d.reason ? ` — ${d.reason}` : ''}`;

const scopeFields = {
  goal: z.string().min(1).optional().describe('A goal id: where the discovery belongs, or where to look (ids repeat from one goal or team to another)'),
  team: z.string().min(1).optional().describe('A team name (a team of a goal stands for its goal)'),
};
const discoveryId = z.string().trim().min(1).describe('DSC-001 (with goal or team when several have one), or <goal or team>/DSC-001');
const scopeOf = (args: { goal?: string; team?: string }): DiscoveryScope => ({ ...(args.goal ? { goal: args.goal } : {}), ...(args.team ? { team: args.team } : {}) });

const reportDiscovery = defineOperation({
  name: 'report_discovery',
  title: 'Report a discovery',
  description:
    'Report work you found that nobody planned and that is outside your task (a missing config, a bug elsewhere, a test nobody wrote), instead of doing it: a person promotes it into a task or dismisses it. ' +
    'An agent that Switchboard started in a team or goal needs only title and description (its run, task and goal or team are known); any other client passes goal or team.',
  input: z.strictObject({
    title: z.string().trim().min(1, 'must say in a few words what work was found').max(MAX_TITLE),
    description: z.string().trim().min(1, 'must say what is wrong or missing, and where').max(MAX_DESCRIPTION),
    source_task_id: z.string().trim().min(1).optional().describe('The task it came up in (default: the calling run\'s task)'),
    ...scopeFields,
  }),
  output: discoveryShape,
  annotations: { destructiveHint: false, idempotentHint: false },
  async handle(args, ctx) {
    const d = await ctx.sb.discoveries.report({ title: args.title, description: args.description, sourceTaskId: args.source_task_id, run: ctx.callerRun, ...scopeOf(args) });
    return { structured: toDiscoveryShape(d), summary: `Recorded ${discoveryLine(d)}; a person will promote or dismiss it. Go on with your task.` };
  },
});

const discoveryList = defineOperation({
  name: 'discovery_list',
  title: 'List discoveries',
  description: 'The discoveries of one goal or team, or of all of them, oldest first: pending ones wait for a person to promote or dismiss them.',
  input: z.strictObject({ ...scopeFields, status: z.enum(DISCOVERY_STATUSES).optional() }),
  output: discoveryListShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const found = ctx.sb.discoveries.list(scopeOf(args), args.status);
    return { structured: { count: found.length, discoveries: found.map(toDiscoveryShape) }, summary: found.length ? found.map(discoveryLine).join('; ') : 'No discoveries.' };
  },
});

const discoveryPromote = defineOperation({
  name: 'discovery_promote',
  title: 'Promote a discovery',
  description:
    "Make a pending discovery a task of its goal's or team's graph (the task's id is the discovery's), after the tasks depends_on names: a team at work schedules it at once; a goal's team at work takes it, else the goal's next team. " +
    'Refused, and left pending, when the graph cannot take it (an unknown dependency, a cycle, a team that has ended).',
  input: z.strictObject({ id: discoveryId, ...scopeFields, depends_on: z.array(z.string().trim().min(1)).max(100).optional().describe('Task ids that must be done first') }),
  output: promotionShape,
  annotations: { destructiveHint: false, idempotentHint: false },
  async handle(args, ctx) {
    ctx.host.guard('start');
    const { discovery, task } = await ctx.sb.discoveries.promote(args.id, scopeOf(args), args.depends_on);
    return { structured: { discovery: toDiscoveryShape(discovery), task: toShape(taskShape, task) }, summary: `Promoted ${discoveryLine(discovery)}: task ${task.id} is ${task.status}${task.dependsOn.length ? `, after ${task.dependsOn.join(', ')}` : ''}.` };
  },
});

const discoveryDismiss = defineOperation({
  name: 'discovery_dismiss',
  title: 'Dismiss a discovery',
  description: 'Dismiss a pending discovery, saying why (the reason is kept with it).',
  input: z.strictObject({ id: discoveryId, ...scopeFields, reason: z.string().trim().min(1, 'must say why the work is not wanted') }),
  output: discoveryShape,
  annotations: { destructiveHint: false, idempotentHint: false },
  async handle(args, ctx) {
    const d = await ctx.sb.discoveries.dismiss(args.id, scopeOf(args), args.reason);
    return { structured: toDiscoveryShape(d), summary: `Dismissed ${discoveryLine(d)}.` };
  },
});

export const DISCOVERY_OPS = [reportDiscovery, discoveryList, discoveryPromote, discoveryDismiss];
