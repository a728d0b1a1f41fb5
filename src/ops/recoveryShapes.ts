/**
 * A goal's stagnation and recovery as programs see them (`--format json`, MCP): the diagnosis, the
 * recovery plan (and what applying it did), a rollback, and the recovery checkpoints, with exactly
 * their documented fields, snake_case, times as ISO strings.
 */
import { z } from 'zod';
import type { GoalRecord, RecoveryPoint } from '../core/goals/goalRecord';
import type { RecoveryResult, RollbackResult } from '../core/goals/goalService';
import type { Diagnosis, Finding } from '../core/goals/stagnation';

const iso = (ms: number): string => new Date(ms).toISOString();
const time = z.string().describe('ISO 8601');
const KINDS = ['CircularFix', 'RepeatedFailure', 'NoProgress', 'BudgetBurn'] as const;
const ACTIONS = ['rollback', 'switch_runner', 'switch_model', 'split_task', 'add_reviewer', 'ask_human'] as const;

const findingShape = z.object({
  kind: z.enum(KINDS),
  confidence: z.number().describe('0..1'),
  evidence: z.string().describe('What was seen'),
  since_iteration: z.number().describe('The iteration it began in'),
});

export const diagnosisShape = z.object({
  goal_id: z.string(),
  stagnant: z.boolean(),
  confidence: z.number().describe("The primary finding's, 0..1 (stagnant from 0.6)"),
  diagnosis: z.object({
    primary: findingShape.nullable(),
    secondary: z.array(findingShape),
    affected_metrics: z.array(z.string()).describe('gates_passing, proof_score, changed_files, diff_size, failure_fingerprints, spend_usd, spend_tokens'),
  }),
  recommended_action: z.enum([...ACTIONS, 'none']),
  metrics_window: z.object({ window_size: z.number(), warmup_iterations: z.number(), evaluated_at: time }),
});
export type DiagnosisShape = z.output<typeof diagnosisShape>;

const finding = (f: Finding): z.input<typeof findingShape> => ({ kind: f.kind, confidence: f.confidence, evidence: f.evidence, since_iteration: f.sinceIteration });

export function toDiagnosisShape(d: Diagnosis): DiagnosisShape {
  return diagnosisShape.parse({
    goal_id: d.goalId,
    stagnant: d.stagnant,
    confidence: d.confidence,
    diagnosis: { primary: d.primary ? finding(d.primary) : null, secondary: d.secondary.map(finding), affected_metrics: d.affectedMetrics },
    recommended_action: d.recommendedAction,
    metrics_window: { window_size: d.windowSize, warmup_iterations: d.warmupIterations, evaluated_at: iso(d.evaluatedAt) },
  });
}

export const recoveryShape = z.object({
  goal_id: z.string(),
  stagnant: z.boolean(),
  diagnosis: z.enum(KINDS).nullable().describe('The primary finding'),
  risk_level: z.enum(['low', 'medium', 'high']),
  estimated_cost_usd: z.number().describe('What the next iteration is likely to cost, from the recent ones'),
  estimated_tokens: z.number(),
  actions: z.array(z.object({ kind: z.enum(ACTIONS), description: z.string(), target: z.string().nullable().describe('A checkpoint (cp-2), a task (T4), a runner (codex), or a task and the model it switches to (T4:gpt-5)') })),
  applied: z.boolean(),
  results: z.array(z.string()).describe('What applying it did'),
  status: z.string().describe("The goal's status after"),
});
export type RecoveryShape = z.output<typeof recoveryShape>;

export function toRecoveryShape(r: RecoveryResult): RecoveryShape {
  const { plan } = r;
  return recoveryShape.parse({
    goal_id: plan.goalId,
    stagnant: plan.diagnosis.stagnant,
    diagnosis: plan.diagnosis.primary?.kind ?? null,
    risk_level: plan.riskLevel,
    estimated_cost_usd: plan.estimatedCostUsd,
    estimated_tokens: plan.estimatedTokens,
    actions: plan.actions,
    applied: r.applied,
    results: r.results,
    status: r.goal.status,
  });
}

const checkpointShape = z.object({ id: z.string().describe('cp-1, cp-2…'), iteration: z.number(), recorded_at: time, commit: z.string(), ref: z.string().describe('The git ref that keeps the commit') });
const toCheckpoint = (p: RecoveryPoint): z.input<typeof checkpointShape> => ({ id: p.id, iteration: p.iteration, recorded_at: iso(p.at), commit: p.commit, ref: p.ref });

export const rollbackShape = z.object({
  goal_id: z.string(),
  checkpoint: checkpointShape,
  restored_commit: z.string(),
  abandoned_commit: z.string().nullable().describe('Where the branch was (null when it was already at the checkpoint)'),
  abandoned_ref: z.string().nullable().describe('The ref that keeps the work left behind: git log <ref>'),
  uncommitted_ref: z.string().nullable().describe("Changes nobody had committed in the goal's checkout, kept as a commit"),
  reopened_discoveries: z.array(z.string()).describe('Discoveries whose promoted task the rollback took out of the graph: pending again'),
  status: z.string(),
  iteration: z.number(),
});
export type RollbackShape = z.output<typeof rollbackShape>;

export function toRollbackShape(r: RollbackResult): RollbackShape {
  return rollbackShape.parse({
    goal_id: r.goal.id,
    checkpoint: toCheckpoint(r.point),
    restored_commit: r.rollback.commit,
    abandoned_commit: r.rollback.abandonedCommit ?? null,
    abandoned_ref: r.rollback.abandonedRef ?? null,
    uncommitted_ref: r.rollback.uncommittedRef ?? null,
    reopened_discoveries: r.rollback.reopened ?? [],
    status: r.goal.status,
    iteration: r.goal.iteration,
  });
}

export const checkpointsShape = z.object({
  goal_id: z.string(),
  checkpoints: z.array(checkpointShape),
  rollbacks: z.array(z.object({ at: time, to: z.string(), abandoned_ref: z.string().nullable() })),
});
export type CheckpointsShape = z.output<typeof checkpointsShape>;

export function toCheckpointsShape(goal: GoalRecord): CheckpointsShape {
  return checkpointsShape.parse({
    goal_id: goal.id,
    checkpoints: (goal.recoveryPoints ?? []).map(toCheckpoint),
    rollbacks: (goal.rollbacks ?? []).map((r) => ({ at: iso(r.at), to: r.to, abandoned_ref: r.abandonedRef ?? null })),
  });
}

/** What the replay's recovery_status says: the last rollback, or the stagnation found, or null. */
export function recoveryStatus(goal: GoalRecord): string | null {
  const last = goal.rollbacks?.at(-1);
  const stagnation = goal.stagnation ? `stagnant after iteration ${goal.stagnation.iteration}: ${goal.stagnation.kind}` : undefined;
  const rolled = last ? `rolled back to ${last.to} at ${iso(last.at)}${last.abandonedRef ? ` (the work left is at ${last.abandonedRef})` : ''}` : undefined;
  return stagnation ?? rolled ?? null;
}
