/** The gate tools: the circuit breakers of a workspace's verification gates, and resetting them. */
import { z } from 'zod';
import { SwitchboardError } from '../core/errors';
import { Breakers } from '../core/gates/breakers';
import { breakersStatusShape, resetShape, toBreakersStatus } from '../core/gates/gateShapes';
import { resetGates } from '../core/gates/resetGates';
import { unheldBlockedGoals, unheldBlockedHints } from '../core/goals/blockedGoals';
import { defineOperation, type OpContext } from './operation';
import { absoluteFolder } from './schemas';

const workspaceField = absoluteFolder.optional().describe('The workspace whose gates these are: an absolute folder (default: the workspace folder)');

function workspaceOf(given: string | undefined, ctx: OpContext): string {
  const workspace = given ?? ctx.host.defaultCwd();
  if (!workspace) throw new SwitchboardError('bad_cwd', '`workspace` is required: there is no workspace folder to default to.', 'Pass the absolute folder whose gates you mean.');
  return workspace;
}

const gatesStatus = defineOperation({
  name: 'gates_status',
  title: 'Gates status',
  description:
    "The circuit breakers of a workspace's verification gates (commands such as npm test): for each gate that has run there, its state (Closed; Open after 5 failures in a row, when the gate fails at once without running; HalfOpen once the recovery time has passed, letting trial runs through), failures in a row, the last failure, the recovery time and the trial runs left.",
  input: z.strictObject({ workspace: workspaceField }),
  output: breakersStatusShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const workspace = workspaceOf(args.workspace, ctx);
    const breakers = new Breakers(ctx.sb.stateDir, workspace);
    const views = breakers.status();
    const notClosed = views.filter((b) => b.state !== 'Closed');
    const summary = views.length
      ? `${views.length} gate breaker(s) in ${workspace}: ${notClosed.length ? notClosed.map((b) => `"${b.gateName}" ${b.state}`).join(', ') : 'all Closed'}.`
      : `No gate has run in ${workspace} yet: no breakers.`;
    return { structured: toBreakersStatus(views), summary: [summary, ...breakers.warnings].join(' ') };
  },
});

const gatesReset = defineOperation({
  name: 'gates_reset',
  title: 'Reset gate breakers',
  description: "Resets a workspace's gate circuit breakers to Closed, so the gates run again: one gate's (`gate`, by its name) or every one that is not Closed (`all`). Says which were reset.",
  input: z.strictObject({
    workspace: workspaceField,
    gate: z.string().min(1).optional().describe('The gate whose breaker to reset, by its name (as gates_status lists it)'),
    all: z.boolean().optional().describe('Reset every breaker of the workspace that is not Closed'),
  }),
  output: resetShape,
  annotations: { destructiveHint: false, idempotentHint: true },
  async handle(args, ctx) {
    if ((args.gate === undefined) === !args.all) {
      throw new SwitchboardError('invalid_argument', args.all ? 'Give `gate` or `all`, not both.' : 'Which breaker? Give `gate` (its name) or `all: true`.');
    }
    const workspace = workspaceOf(args.workspace, ctx);
    const breakers = new Breakers(ctx.sb.stateDir, workspace, { feed: ctx.sb.feed });
    const { summary, ...structured } = await resetGates(breakers, args.gate !== undefined ? { gate: args.gate } : { all: true });
    const hints = structured.reset.length ? unheldBlockedHints(unheldBlockedGoals(ctx.sb.stateDir, workspace)) : [];
    return { structured, summary: [summary, ...breakers.warnings, ...hints].join(' ') };
  },
});

export const GATE_OPS = [gatesStatus, gatesReset];
