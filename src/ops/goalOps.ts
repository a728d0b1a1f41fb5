/** The goal operations: create a goal, list and show goals, their proof, pause, resume, cancel and extend their budget. */
import { z } from 'zod';
import { MAX_TASKS } from '../core/dag/taskJson';
import { SwitchboardError } from '../core/errors';
import { parseExtension } from '../core/goals/duration';
import { cleanupSummary, removeGoalWorktrees } from '../core/goals/goalCheckout';
import { DEFAULT_QUALITY } from '../core/goals/goalIntake';
import type { GoalRecord } from '../core/goals/goalRecord';
import { BUDGET_FIGURES } from '../core/goals/goalText';
import type { OpContext } from './operation';
import { defineOperation } from './operation';
import { budgetReportShape, goalShape, proofShape, replayShape, toBudgetReportShape, toGoalShape, toProofShape, toReplayShape } from './goalShapes';
import { absoluteFolder, runnerField } from './schemas';
import { taskInput, taskSpec } from './teamSchemas';

export const goalId = z.string().regex(/^goal-\d{8}-[a-z0-9]{6}$/, 'must be a goal id like goal-20261206-abc123').describe('The goal id (goal_list shows them)');
const line = (g: GoalRecord): string => `${g.id} ${g.status} (${g.phase}, iteration ${g.iteration}/${g.maxIterations})${g.failure ? ` — ${g.failure}` : g.blockedOn ? ` — ${g.blockedOn}` : ''}`;
const shaped = (ctx: OpContext, g: GoalRecord) => toGoalShape(g, ctx.sb.stateDir);

const gateInput = z.strictObject({
  name: z.string().trim().min(1).describe('Names the gate (and its circuit breaker)'),
  command: z.string().trim().min(1).describe('The command line, split like a shell would; no shell runs it'),
  required: z.boolean().optional().describe('Default true: the goal is not ready unless it passes'),
  timeout_ms: z.number().int().min(1000).optional(),
});

const goalCreate = defineOperation({
  name: 'goal_create',
  title: 'Create a goal',
  description:
    'Work toward an objective until gates prove it done, within budgets. A team of at most `max_agents` agents works a task graph (given in `tasks`, else made by a planner) on the goal\'s own branch switchboard/goal/<id>; then the gates run there (given, else detected: npm test/lint/typecheck/build, cargo test, pytest, go test, make test). ' +
    'It is ready only when its required gates pass and its tasks got done. With `until_ready`, a failing required gate becomes fix tasks for the next iteration, and a failed task is done again, up to `max_iterations`. At 80% of a budget the goal warns; at 100% it starts nothing more, stops its agents and ends needs_more_budget (goal_extend_budget goes on). Returns at once; follow it with goal_show and goal_proof.',
  input: z.strictObject({
    objective: z.string().trim().min(1, 'must say what should be true when it is done'),
    cwd: absoluteFolder.optional().describe('The workspace: a git repository with a commit (default: the workspace folder)'),
    budget_time: z.string().optional().describe('Wall time, as 8h, 90m, 1h30m'),
    budget_tokens: z.number().int().min(1).optional(),
    budget_usd: z.number().positive().optional(),
    max_agents: z.number().int().min(1).max(16).optional().describe('Agents at work at once (default 2)'),
    gates: z.array(gateInput).max(50).optional().describe('The checks that prove it done (default: detected from the workspace)'),
    tasks: z.array(taskInput).min(1).max(MAX_TASKS).optional().describe('The task graph (default: a planner makes it)'),
    runner: runnerField.optional().describe("The agents' CLI (default: claude)"),
    spec: z.string().trim().min(1).optional().describe('The team spec of each iteration, N:role[:runner][@backend] joined by commas (default: a planner without tasks, and max_agents executors)'),
    until_ready: z.boolean().optional(),
    max_iterations: z.number().int().min(1).max(50).optional().describe('Default 5'),
    quality: z.number().gt(0).max(1).optional().describe('An evaluator agent must also score the work at least this (0..1)'),
    evaluate: z.boolean().optional().describe(`An evaluator agent scores the work too, with the bar \`quality\` (default ${DEFAULT_QUALITY})`),
    evaluator: runnerField.optional().describe("The evaluator's CLI (default: the workers' runner, else claude)"),
  }),
  output: goalShape,
  annotations: { destructiveHint: false, openWorldHint: true },
  async handle(args, ctx) {
    ctx.host.guard('start');
    const workspace = args.cwd ?? ctx.host.defaultCwd();
    if (!workspace) throw new SwitchboardError('bad_cwd', '`cwd` is required: there is no workspace folder to default to.', 'Pass the absolute folder the goal should work in.');
    const goal = await ctx.sb.goals.create({
      objective: args.objective,
      workspace,
      budgetTime: args.budget_time,
      budgetTokens: args.budget_tokens,
      budgetUsd: args.budget_usd,
      maxAgents: args.max_agents,
      gates: args.gates?.map((g) => ({ name: g.name, command: g.command, required: g.required ?? true, ...(g.timeout_ms ? { timeoutMs: g.timeout_ms } : {}) })),
      tasks: args.tasks?.map(taskSpec),
      runner: args.runner,
      spec: args.spec,
      untilReady: args.until_ready,
      maxIterations: args.max_iterations,
      quality: args.quality ?? (args.evaluate || args.evaluator ? DEFAULT_QUALITY : undefined),
      evaluator: args.evaluator,
    });
    const gates = goal.gates.map((g) => g.name).join(', ') || 'none (nothing will check the work)';
    return { structured: shaped(ctx, goal), summary: `Created goal ${goal.id} on ${goal.branch}; gates: ${gates}. It goes on by itself; follow it with goal_show.` };
  },
});

const goalList = defineOperation({
  name: 'goal_list',
  title: 'List goals',
  description: 'Every goal over this state folder, newest first.',
  input: z.strictObject({}),
  output: z.object({ count: z.number(), goals: z.array(goalShape) }),
  annotations: { readOnlyHint: true },
  async handle(_args, ctx) {
    const goals = ctx.sb.goals.list();
    return { structured: { count: goals.length, goals: goals.map((g) => shaped(ctx, g)) }, summary: goals.length ? goals.map(line).join('; ') : 'No goals yet; create one with goal_create.' };
  },
});

const goalShow = defineOperation({
  name: 'goal_show',
  title: 'Show a goal',
  description: 'One goal: its status, phase, iteration, budgets, terminal criteria, artifacts, branch and current team.',
  input: z.strictObject({ goal_id: goalId }),
  output: goalShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const view = ctx.sb.goals.status(args.goal_id);
    const s = view.budget.spend;
    return { structured: shaped(ctx, view.goal), summary: `${line(view.goal)}; spent ${s.usdEstimated ? '~' : ''}${BUDGET_FIGURES.usd(s.usd)}, ${s.tokens} tokens over ${s.runs} run(s)${view.owned ? '' : '; its process has exited (goal_resume takes it over)'}.` };
  },
});

const goalProof = defineOperation({
  name: 'goal_proof',
  title: "A goal's proof",
  description: 'What shows the goal done, from real git and real gate runs: readiness, the task graph summary, changed files, commits, the gates\' results, whether they ran after the last change, the known gaps, and what a person must decide.',
  input: z.strictObject({ goal_id: goalId }),
  output: proofShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const proof = await ctx.sb.goals.proof(args.goal_id);
    return { structured: toProofShape(proof), summary: `${proof.readiness}${proof.knownGaps.length ? `; gaps: ${proof.knownGaps.join('; ')}` : ''}.` };
  },
});

const goalBudget = defineOperation({
  name: 'goal_budget',
  title: "A goal's budget report",
  description: "A goal's budgets, what is used and what is left, the checkpoints recorded along the way (created, each iteration, warnings, exhaustion, extensions, completion), and a breakdown of the spend by runner, model, worker and task, each saying whether its dollars were reported by the CLI or estimated.",
  input: z.strictObject({ goal_id: goalId }),
  output: budgetReportShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const report = toBudgetReportShape(ctx.sb.goals.budgetReport(args.goal_id));
    const top = report.breakdown.by_task[0];
    return { structured: report, summary: `${report.goal_id}: $${report.estimated_cost_usd.toFixed(4)}${report.budget_usd !== null ? ` of ${BUDGET_FIGURES.usd(report.budget_usd)}` : ''}, ${report.used_tokens} tokens${report.budget_tokens !== null ? ` of ${report.budget_tokens}` : ''}, ${report.spent_seconds} s${top ? `; most on ${top.key} ($${top.usd.toFixed(4)})` : ''}.` };
  },
});

const goalReplay = defineOperation({
  name: 'goal_replay',
  title: "A goal's replay",
  description: "A goal's timeline, deduplicated, from its own events and those of its teams, tasks, runs, gates and budget: index, time, kind (goal_created, phase_changed, status_changed, task_started, task_completed, gate_failed, budget_warning, checkpoint_recorded, steering, …), actor and summary; with the known gaps, duplicates and damaged lines counted.",
  input: z.strictObject({ goal_id: goalId, last: z.number().int().min(1).max(10_000).optional().describe('Only the last N entries') }),
  output: replayShape,
  annotations: { readOnlyHint: true },
  async handle(args, ctx) {
    const replay = toReplayShape(ctx.sb.goals.replay(args.goal_id));
    if (args.last) replay.timeline = replay.timeline.slice(-args.last);
    const last = replay.timeline.at(-1);
    return { structured: replay, summary: `${replay.goal_id}: ${replay.event_count} event(s)${last ? `, last ${last.kind} at ${last.ts}: ${last.summary}` : ''}${replay.parse_failures ? `; ${replay.parse_failures} damaged line(s) skipped` : ''}.` };
  },
});

const control = (name: 'goal_pause' | 'goal_resume' | 'goal_cancel', title: string, description: string, act: (ctx: OpContext, id: string) => Promise<GoalRecord>) =>
  defineOperation({
    name,
    title,
    description,
    input: z.strictObject({ goal_id: goalId }),
    output: goalShape,
    annotations: { destructiveHint: name === 'goal_cancel', idempotentHint: true },
    async handle(args, ctx) {
      if (name === 'goal_resume') ctx.host.guard('start');
      const goal = await act(ctx, args.goal_id);
      return { structured: shaped(ctx, goal), summary: line(goal) };
    },
  });

const goalExtend = defineOperation({
  name: 'goal_extend_budget',
  title: "Extend a goal's budget",
  description: 'Raise a goal\'s budget (recorded as a budget_extended checkpoint) and the hard limits of its agents still at work; a goal stopped by its budget goes on once every budget has room again.',
  input: z.strictObject({ goal_id: goalId, usd: z.number().positive().optional(), tokens: z.number().int().positive().optional(), time: z.string().optional().describe('More wall time: +1h, 30m') }),
  output: goalShape,
  annotations: { destructiveHint: false },
  async handle(args, ctx) {
    const goal = await ctx.sb.goals.extend(args.goal_id, { usd: args.usd, tokens: args.tokens, ...(args.time ? { timeMs: parseExtension(args.time), time: args.time } : {}) });
    return { structured: shaped(ctx, goal), summary: `Extended: ${line(goal)}` };
  },
});

const goalCleanup = defineOperation({
  name: 'goal_cleanup',
  title: "Remove a goal's worktrees",
  description:
    "Remove the worktrees of a goal that has ended (ready, not_ready, cancelled, failed_infra): its own checkout under the state folder and those its teams kept. One with uncommitted changes (or a team's with unmerged work) is kept, saying why; `force` removes those too, losing the uncommitted changes: ask the user before passing it. The goal branch always stays, so nothing committed is lost: a rollback or resume checks it out again.",
  input: z.strictObject({ goal_id: goalId, force: z.boolean().optional().describe('Also remove worktrees with uncommitted or unmerged work (only after the user agreed)') }),
  output: z.object({
    goal: z.string(),
    branch: z.string().describe('The branch that keeps its work (never deleted)'),
    worktrees: z.array(z.object({ worktree: z.string().describe('`goal` (its checkout) or `<team>/<worker>`'), folder: z.string(), removed: z.boolean(), reason: z.string().optional().describe('Why it was kept') })),
  }),
  annotations: { destructiveHint: true, idempotentHint: true },
  async handle(args, ctx) {
    ctx.host.guard('merge');
    const done = await removeGoalWorktrees(ctx.sb.stateDir, ctx.sb.teams, ctx.sb.goals.get(args.goal_id), { force: args.force });
    return { structured: { ...done }, summary: cleanupSummary(done) };
  },
});

export const GOAL_OPS = [
  goalCreate,
  goalList,
  goalShow,
  goalProof,
  goalBudget,
  goalReplay,
  control('goal_pause', 'Pause a goal', 'Stop a goal\'s agents (interrupted, then killed after the grace time) and start nothing until goal_resume; paused time does not count against its time budget.', (ctx, id) => ctx.sb.goals.pause(id)),
  control('goal_resume', 'Resume a goal', 'Go on with a paused goal, one blocked on a gate whose breaker was reset, or one whose process exited (taken over by this server).', (ctx, id) => ctx.sb.goals.resume(id)),
  control('goal_cancel', 'Cancel a goal', 'Stop a goal for good: its agents are stopped, its branch stays.', (ctx, id) => ctx.sb.goals.cancel(id)),
  goalExtend,
  goalCleanup,
];
