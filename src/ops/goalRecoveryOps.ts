/** A stuck goal's operations: diagnose it, plan (and apply) its recovery, list its recovery checkpoints, roll it back to one. */
import { z } from 'zod';
import { defineOperation } from './operation';
import { goalId } from './goalOps';
import { checkpointsShape, diagnosisShape, recoveryShape, rollbackShape, toCheckpointsShape, toDiagnosisShape, toRecoveryShape, toRollbackShape } from './recoveryShapes';

const goalDiagnose = defineOperation({
  name: 'goal_diagnose',
  title: 'Diagnose a goal',
  description:
    'Whether a goal goes in circles, from its measured iterations (gates passing, score, files changed and their contents, diff size, failure fingerprints, spend) over a window of the last 3: CircularFix (changes undone and redone), RepeatedFailure (the same gate failing the same way 3 times in a row), NoProgress (no gate or score improving), BudgetBurn (spend with nothing improving). With the recommended action.',
  input: z.strictObject({ goal_id: goalId }),
  output: diagnosisShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const d = toDiagnosisShape(ctx.sb.goals.diagnose(args.goal_id));
    const p = d.diagnosis.primary;
    return { structured: d, summary: d.stagnant && p ? `${d.goal_id} is stagnant: ${p.kind} (${p.confidence}) — ${p.evidence}; recommended: ${d.recommended_action}.` : `${d.goal_id} is not stagnant${p ? ` (a hint of ${p.kind}: ${p.evidence})` : ''}.` };
  },
});

const goalRecover = defineOperation({
  name: 'goal_recover',
  title: 'Recover a stuck goal',
  description:
    'A recovery plan for a stagnant goal: its risk (low, medium, high), what the next iteration is likely to cost, and the actions (roll back to a checkpoint, split the failing task into finding the cause and fixing it, switch the workers to another installed agent CLI, add a reviewer, ask a person). With `apply: true` the goal is paused, the plan carried out, and the goal goes on (unless it asks a person).',
  input: z.strictObject({ goal_id: goalId, apply: z.boolean().optional().describe('Carry the plan out (default: only show it)') }),
  output: recoveryShape,
  annotations: { destructiveHint: true },
  async handle(args, ctx) {
    if (args.apply) ctx.host.guard('start');
    const r = toRecoveryShape(await ctx.sb.goals.recover(args.goal_id, !!args.apply, ctx.source));
    const actions = r.actions.map((a) => a.kind).join(', ') || 'nothing to do';
    return { structured: r, summary: r.applied ? `${r.goal_id}: ${r.results.join('; ')}; now ${r.status}.` : `${r.goal_id}: ${actions} (risk ${r.risk_level}, ~$${r.estimated_cost_usd.toFixed(2)}, ~${r.estimated_tokens} tokens).` };
  },
});

const goalCheckpoints = defineOperation({
  name: 'goal_checkpoints',
  title: "A goal's recovery checkpoints",
  description: "The recovery checkpoints of a goal (one as each iteration starts: the goal branch's commit, kept under a git ref, and the goal's state) and the rollbacks made.",
  input: z.strictObject({ goal_id: goalId }),
  output: checkpointsShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const c = toCheckpointsShape(ctx.sb.goals.get(args.goal_id));
    return { structured: c, summary: `${c.goal_id}: ${c.checkpoints.map((p) => `${p.id} (iteration ${p.iteration}, ${p.commit.slice(0, 12)})`).join(', ') || 'no checkpoint yet'}.` };
  },
});

const goalRollback = defineOperation({
  name: 'goal_rollback',
  title: 'Roll a goal back',
  description:
    "Put a goal's branch and state back to a recovery checkpoint (`to`: cp-2; default: the one the current iteration started from). Nothing is lost: the commit the branch was at stays under a ref the answer names (abandoned_ref). A goal at work is paused for it and goes on from there; one that had ended is left paused for goal_resume.",
  input: z.strictObject({ goal_id: goalId, to: z.string().regex(/^(cp-)?\d+$/, 'must be a checkpoint like cp-2').optional().describe('The checkpoint (default: the one the current iteration started from)') }),
  output: rollbackShape,
  annotations: { destructiveHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const r = toRollbackShape(await ctx.sb.goals.rollback(args.goal_id, args.to, ctx.source));
    return { structured: r, summary: `${r.goal_id} rolled back to ${r.checkpoint.id} (iteration ${r.checkpoint.iteration}, ${r.restored_commit.slice(0, 12)})${r.abandoned_ref ? `; the work left is kept at ${r.abandoned_ref}` : ''}; now ${r.status}.` };
  },
});

export const GOAL_RECOVERY_OPS = [goalDiagnose, goalRecover, goalCheckpoints, goalRollback];
