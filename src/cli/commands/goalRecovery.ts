/** `switchboard goal diagnose|recover|checkpoints|rollback`: a goal that goes in circles, told and set right. */
import { parseArgs } from 'node:util';
import { toCheckpointsShape, toDiagnosisShape, toRecoveryShape, toRollbackShape } from '../../ops/recoveryShapes';
import { renderCheckpoints, renderDiagnosis, renderRecovery, renderRollback } from '../../ops/recoveryText';
import type { CliContext } from '../context';
import { printJson, usageError } from '../output';

export const RECOVERY_ACTIONS = ['diagnose', 'recover', 'checkpoints', 'rollback'] as const;

export async function goalRecoveryCommand(ctx: CliContext, action: (typeof RECOVERY_ACTIONS)[number], argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { apply: { type: 'boolean', default: false }, to: { type: 'string' } } });
  if (positionals.length !== 1) throw usageError(`goal ${action}`, positionals.length ? `one goal at a time, not ${positionals.join(' ')}` : 'which goal? give its id (switchboard goal list)');
  if (values.apply && action !== 'recover') throw usageError(`goal ${action}`, '--apply belongs to goal recover');
  if (values.to !== undefined && action !== 'rollback') throw usageError(`goal ${action}`, '--to belongs to goal rollback');
  const id = positionals[0]!;
  const md = ctx.out.format === 'md';
  return ctx.withSwitchboard(async (sb) => {
    if (action === 'diagnose') {
      const d = toDiagnosisShape(sb.goals.diagnose(id));
      if (ctx.out.format === 'json') printJson(ctx.out, d);
      else ctx.out.stdout(renderDiagnosis(d, md));
      // Like grep: 0 when something was found (stagnant), 1 when not.
      return d.stagnant ? 0 : 1;
    }
    if (action === 'recover') {
      const r = toRecoveryShape(await sb.goals.recover(id, values.apply, 'cli'));
      if (ctx.out.format === 'json') printJson(ctx.out, r);
      else ctx.out.stdout(renderRecovery(r, md));
      return 0;
    }
    if (action === 'checkpoints') {
      const c = toCheckpointsShape(sb.goals.get(id));
      if (ctx.out.format === 'json') printJson(ctx.out, c);
      else ctx.out.stdout(renderCheckpoints(c, md));
      return 0;
    }
    const r = toRollbackShape(await sb.goals.rollback(id, values.to, 'cli'));
    if (ctx.out.format === 'json') printJson(ctx.out, r);
    else ctx.out.stdout(renderRollback(r));
    return 0;
  });
}
