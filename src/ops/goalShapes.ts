/**
 * Goals as programs see them (the CLI's `--format json`, MCP): the goal record and its proof with
 * exactly their documented fields, snake_case, times as ISO strings, null where nothing is known.
 */
import { z } from 'zod';
import { GOAL_PHASES, GOAL_STATUSES, type GoalRecord } from '../core/goals/goalRecord';
import type { BudgetFigures, BudgetReport, SpendLine } from '../core/goals/budgetReport';
import type { GoalProof } from '../core/goals/goalProof';
import { taskGraphCounts, type Replay } from '../core/goals/replay';
import { StateMap } from '../core/state/stateMap';
import { gateResultShape, toGateResultShape } from '../core/gates/gateShapes';
import { recoveryStatus } from './recoveryShapes';

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
const time = z.string().describe('ISO 8601');

const artifactShape = z.object({ kind: z.string(), path: z.string(), created_at: time });

export const goalShape = z.object({
  version: z.literal(1),
  goal_id: z.string().describe('goal-YYYYMMDD-<6 chars>'),
  original_goal: z.string(),
  normalized_goal: z.string(),
  status: z.enum(GOAL_STATUSES),
  phase: z.enum(GOAL_PHASES),
  created_at: time,
  updated_at: time,
  completed_at: time.nullable(),
  until_ready: z.boolean().describe('Failed gates become fix tasks for another iteration, up to max_iterations'),
  budget_time: z.string().nullable().describe('As given: 8h, 90m, 1h30m'),
  budget_tokens: z.number().nullable(),
  budget_usd: z.number().nullable(),
  max_agents: z.number(),
  terminal_criteria: z.object({ proof_required: z.boolean(), gates_required: z.boolean(), human_blockers_stop: z.boolean() }),
  delivery_policy: z.string(),
  merge_policy: z.string(),
  slice_execution: z.boolean(),
  artifacts: z.array(artifactShape),
  failure: z.string().nullable().describe('Why it is not ready, stopped or failed'),
  state_dir: z.string().describe("The goal's folder in the state folder"),
  iteration: z.number(),
  max_iterations: z.number(),
  workspace: z.string(),
  branch: z.string().describe("The goal's own branch, switchboard/goal/<id>, where its work is merged"),
  team: z.string().nullable().describe("The current (or last) iteration's team"),
});
export type GoalShape = z.output<typeof goalShape>;

export function toGoalShape(goal: GoalRecord, stateDir: string): GoalShape {
  return goalShape.parse({
    version: 1,
    goal_id: goal.id,
    original_goal: goal.originalGoal,
    normalized_goal: goal.normalizedGoal,
    status: goal.status,
    phase: goal.phase,
    created_at: iso(goal.createdAt),
    updated_at: iso(goal.updatedAt),
    completed_at: iso(goal.completedAt),
    until_ready: goal.untilReady,
    budget_time: goal.budgetTime ?? null,
    budget_tokens: goal.budgetTokens ?? null,
    budget_usd: goal.budgetUsd ?? null,
    max_agents: goal.maxAgents,
    terminal_criteria: { proof_required: goal.terminalCriteria.proofRequired, gates_required: goal.terminalCriteria.gatesRequired, human_blockers_stop: goal.terminalCriteria.humanBlockersStop },
    delivery_policy: goal.deliveryPolicy,
    merge_policy: goal.mergePolicy,
    slice_execution: goal.sliceExecution,
    artifacts: goal.artifacts.map((a) => ({ kind: a.kind, path: a.path, created_at: iso(a.createdAt) })),
    failure: goal.failure ?? null,
    state_dir: new StateMap(stateDir).goal(goal.id).dir,
    iteration: goal.iteration,
    max_iterations: goal.maxIterations,
    workspace: goal.workspace,
    branch: goal.branch,
    team: goal.team ?? null,
  });
}

export const proofShape = z.object({
  version: z.literal(1),
  goal_id: z.string(),
  status: z.enum(GOAL_STATUSES),
  readiness: z.string(),
  summary: z.string(),
  generated_at: time,
  artifacts: z.array(artifactShape),
  task_graph_summary: z.object({ total_tasks: z.number(), pending_tasks: z.number(), blocked_tasks: z.number(), done_tasks: z.number() }),
  changed_files: z.array(z.string()),
  commits: z.array(z.string()),
  gates: z.array(gateResultShape),
  post_mutation_gates_ran: z.boolean().describe('The gates ran on the goal branch after its last change'),
  known_gaps: z.array(z.string()),
  human_decisions_required: z.array(z.string()),
});
export type ProofShape = z.output<typeof proofShape>;

export function toProofShape(proof: GoalProof): ProofShape {
  const g = proof.taskGraphSummary;
  return proofShape.parse({
    version: 1,
    goal_id: proof.goalId,
    status: proof.status,
    readiness: proof.readiness,
    summary: proof.summary,
    generated_at: iso(proof.generatedAt),
    artifacts: proof.artifacts.map((a) => ({ kind: a.kind, path: a.path, created_at: iso(a.createdAt) })),
    task_graph_summary: { total_tasks: g.totalTasks, pending_tasks: g.pendingTasks, blocked_tasks: g.blockedTasks, done_tasks: g.doneTasks },
    changed_files: proof.changedFiles,
    commits: proof.commits,
    gates: proof.gates.map(toGateResultShape),
    post_mutation_gates_ran: proof.postMutationGatesRan,
    known_gaps: proof.knownGaps,
    human_decisions_required: proof.humanDecisionsRequired,
  });
}

const nullable = (n: number | undefined): number | null => n ?? null;

const checkpointShape = z.object({
  version: z.literal(1),
  goal_id: z.string(),
  label: z.string().describe('goal_created, iteration_started, iteration_ended, budget_warning, budget_exhausted, stopped, budget_extended, goal_completed'),
  status: z.enum(GOAL_STATUSES),
  phase: z.enum(GOAL_PHASES),
  recorded_at: time,
  budget_time: z.string().nullable(),
  total_budget_secs: z.number().nullable(),
  elapsed_since_created_secs: z.number(),
  remaining_budget_secs: z.number().nullable(),
  budget_tokens: z.number().nullable(),
  used_tokens: z.number(),
  remaining_budget_tokens: z.number().nullable(),
  budget_usd: z.number().nullable(),
  estimated_cost_usd: z.number(),
  remaining_budget_usd: z.number().nullable(),
});

const spendLineShape = z.object({ key: z.string(), runs: z.number(), tokens: z.number(), usd: z.number(), usd_source: z.enum(['reported', 'estimated', 'mixed', 'none']) });

export const budgetReportShape = z.object({
  version: z.literal(1),
  goal_id: z.string(),
  generated_at: time,
  budget_time: z.string().nullable(),
  total_budget_secs: z.number().nullable(),
  budget_tokens: z.number().nullable(),
  used_tokens: z.number(),
  remaining_budget_tokens: z.number().nullable(),
  budget_usd: z.number().nullable(),
  estimated_cost_usd: z.number().describe('What the runs cost, as reported by their CLIs or estimated from the price table (see breakdown.*.usd_source)'),
  remaining_budget_usd: z.number().nullable(),
  latest: checkpointShape.nullable(),
  checkpoints: z.array(checkpointShape),
  spent_usd: z.number(),
  spent_tokens: z.number(),
  spent_seconds: z.number(),
  breakdown: z.object({ by_runner: z.array(spendLineShape), by_model: z.array(spendLineShape), by_worker: z.array(spendLineShape), by_task: z.array(spendLineShape) }).describe('Where the spend went'),
});
export type BudgetReportShape = z.output<typeof budgetReportShape>;

function toCheckpointShape(goalId: string, f: BudgetFigures): z.output<typeof checkpointShape> {
  return {
    version: 1,
    goal_id: goalId,
    label: f.label,
    status: f.status as GoalRecord['status'],
    phase: f.phase as GoalRecord['phase'],
    recorded_at: iso(f.recordedAt)!,
    budget_time: f.budgetTime ?? null,
    total_budget_secs: nullable(f.totalBudgetSecs),
    elapsed_since_created_secs: f.elapsedSinceCreatedSecs,
    remaining_budget_secs: nullable(f.remainingBudgetSecs),
    budget_tokens: nullable(f.budgetTokens),
    used_tokens: f.usedTokens,
    remaining_budget_tokens: nullable(f.remainingBudgetTokens),
    budget_usd: nullable(f.budgetUsd),
    estimated_cost_usd: f.estimatedCostUsd,
    remaining_budget_usd: nullable(f.remainingBudgetUsd),
  };
}

export function toBudgetReportShape(report: BudgetReport): BudgetReportShape {
  const now = report.now;
  const lines = (list: SpendLine[]) => list.map((l) => ({ key: l.key, runs: l.runs, tokens: l.tokens, usd: l.usd, usd_source: l.usdSource }));
  const checkpoints = report.checkpoints.map((c) => toCheckpointShape(report.goalId, c));
  return budgetReportShape.parse({
    version: 1,
    goal_id: report.goalId,
    generated_at: iso(report.generatedAt),
    budget_time: now.budgetTime ?? null,
    total_budget_secs: nullable(now.totalBudgetSecs),
    budget_tokens: nullable(now.budgetTokens),
    used_tokens: now.usedTokens,
    remaining_budget_tokens: nullable(now.remainingBudgetTokens),
    budget_usd: nullable(now.budgetUsd),
    estimated_cost_usd: now.estimatedCostUsd,
    remaining_budget_usd: nullable(now.remainingBudgetUsd),
    latest: checkpoints.at(-1) ?? null,
    checkpoints,
    spent_usd: report.spent.usd,
    spent_tokens: report.spent.tokens,
    spent_seconds: report.spent.seconds,
    breakdown: { by_runner: lines(report.breakdown.byRunner), by_model: lines(report.breakdown.byModel), by_worker: lines(report.breakdown.byWorker), by_task: lines(report.breakdown.byTask) },
  });
}

export const replayShape = z.object({
  version: z.literal(1),
  goal_id: z.string(),
  status: z.enum(GOAL_STATUSES),
  phase: z.enum(GOAL_PHASES),
  generated_at: time,
  event_count: z.number(),
  task_graph_summary: z.object({ total_tasks: z.number(), pending_tasks: z.number(), blocked_tasks: z.number(), done_tasks: z.number() }),
  timeline: z.array(z.object({ index: z.number(), ts: time, kind: z.string(), actor: z.string().nullable(), summary: z.string() })),
  recovery_status: z.string().nullable().describe('Set while the goal is being recovered or was rolled back'),
  known_gaps: z.array(z.string()),
  duplicate_events: z.number().describe('Changes told more than once (counted once in the timeline)'),
  parse_failures: z.number().describe('Torn or damaged lines skipped'),
});
export type ReplayShape = z.output<typeof replayShape>;

export function toReplayShape(replay: Replay): ReplayShape {
  return replayShape.parse({
    version: 1,
    goal_id: replay.goal.id,
    status: replay.goal.status,
    phase: replay.goal.phase,
    generated_at: iso(replay.generatedAt),
    event_count: replay.timeline.length,
    task_graph_summary: taskGraphCounts(replay.goal),
    timeline: replay.timeline.map((e, index) => ({ index, ts: iso(e.ts), kind: e.kind, actor: e.actor, summary: e.summary })),
    recovery_status: recoveryStatus(replay.goal),
    known_gaps: replay.knownGaps,
    duplicate_events: replay.duplicateEvents,
    parse_failures: replay.parseFailures,
  });
}
