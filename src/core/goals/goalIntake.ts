/**
 * A goal's intake: the objective normalised, the budgets checked (time as given: `8h`, `90m`), the
 * gates settled (given or configured, else detected from the workspace), the task graph checked when tasks are
 * given (cycles and unknown dependencies refused by name), its own branch and worktree made, and
 * the record written. What a planner will make of the objective is the next phase's.
 */
import { checkGraph, tasksFromSpecs } from '../dag/graph';
import type { TaskSpec } from '../dag/task';
import { SwitchboardError } from '../errors';
import { detectGates } from '../gates/detectGates';
import { checkGates, type GateSpec } from '../gates/gate';
import { findRunner } from '../runners/runnerTable';
import { mergeRoles, type Role } from '../teams/roles';
import { parseTeamSpec } from '../teams/spec';
import { parseDuration } from './duration';
import type { GoalRecord, TerminalCriteria } from './goalRecord';
import { newGoalId, saveGoal } from './goalStore';
import { prepareGoalCheckout } from './goalWorkspace';

export interface GoalCreateOptions {
  objective: string;
  workspace: string;
  budgetTime?: string;
  budgetTokens?: number;
  budgetUsd?: number;
  /** At most this many agents work at once (default 2). */
  maxAgents?: number;
  /** The gates that prove it done; absent: the configured ones (GoalService), else detected from the workspace. */
  gates?: GateSpec[];
  /** The task graph; absent: a planner makes it. */
  tasks?: TaskSpec[];
  /** The workers' runner (default: each role's). */
  runner?: string;
  /** The team spec of each iteration (`1:planner,2:executor:codex`); default: a planner (without tasks) and max_agents executors. */
  spec?: string;
  untilReady?: boolean;
  maxIterations?: number;
  /** An evaluator's bar, 0..1: the goal needs that score as well as its gates. */
  quality?: number;
  evaluator?: string;
  terminalCriteria?: Partial<TerminalCriteria>;
}

/** The evaluator's bar when it is asked for without one (`--evaluate`). */
export const DEFAULT_QUALITY = 0.8;

const positive = (value: number | undefined, what: string, integer = false): number | undefined => {
  if (value === undefined) return undefined;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) throw new SwitchboardError('invalid_argument', `${what} must be ${integer ? 'a whole number ' : 'a number '}more than zero, not ${value}.`);
  return value;
};

export const normalizeObjective = (text: string): string => text.replace(/\s+/g, ' ').trim();

export async function createGoalRecord(stateDir: string, options: GoalCreateOptions, roles: Readonly<Record<string, Role>> = mergeRoles()): Promise<GoalRecord> {
  const objective = normalizeObjective(options.objective ?? '');
  if (!objective) throw new SwitchboardError('invalid_argument', 'The goal is empty.', 'Say what should be true when it is done.');
  const maxAgents = positive(options.maxAgents, 'max_agents', true) ?? 2;
  if (maxAgents > 16) throw new SwitchboardError('invalid_argument', `max_agents ${maxAgents} is more than 16.`, 'Run fewer agents at once.');
  const maxIterations = positive(options.maxIterations, 'max_iterations', true) ?? 5;
  if (options.quality !== undefined && !(options.quality > 0 && options.quality <= 1)) throw new SwitchboardError('invalid_argument', `quality must be between 0 and 1, not ${options.quality}.`);
  for (const runner of [options.runner, options.evaluator]) if (runner && !findRunner(runner)) throw new SwitchboardError('unknown_runner', `There is no runner "${runner}".`);
  const budgetTimeMs = options.budgetTime ? parseDuration(options.budgetTime, 'a time budget') : undefined;
  const tasks = options.tasks?.length ? tasksFromSpecs(options.tasks) : [];
  checkGraph(tasks);
  const gates = options.gates ?? detectGates(options.workspace).map(({ reason: _reason, ...spec }) => spec);
  checkGates(gates);
  const runner = options.runner ? `:${options.runner}` : '';
  const spec = options.spec?.trim() || `${tasks.length ? '' : `1:planner${runner},`}${maxAgents}:executor${runner}`;
  const workers = parseTeamSpec(spec, roles).filter((w) => w.role !== 'planner').length;
  if (workers > maxAgents) throw new SwitchboardError('invalid_argument', `The spec ${spec} has ${workers} workers besides its planner, more than max_agents ${maxAgents}.`, 'Raise max_agents, or give fewer workers.');
  const id = newGoalId(stateDir);
  const checkout = await prepareGoalCheckout(stateDir, id, options.workspace);
  const now = Date.now();
  const record: GoalRecord = {
    version: 1,
    id,
    originalGoal: options.objective,
    normalizedGoal: objective,
    status: 'running',
    // Left by the loop as it starts: for decomposition (tasks given) or planning.
    phase: 'intake',
    createdAt: now,
    updatedAt: now,
    untilReady: options.untilReady ?? false,
    ...(options.budgetTime ? { budgetTime: options.budgetTime, budgetTimeMs } : {}),
    ...(positive(options.budgetTokens, 'budget_tokens', true) ? { budgetTokens: options.budgetTokens } : {}),
    ...(positive(options.budgetUsd, 'budget_usd') ? { budgetUsd: options.budgetUsd } : {}),
    maxAgents,
    terminalCriteria: { proofRequired: true, gatesRequired: true, humanBlockersStop: true, ...options.terminalCriteria },
    deliveryPolicy: 'local',
    mergePolicy: 'disabled',
    sliceExecution: false,
    artifacts: [],
    iteration: 1,
    maxIterations,
    workspace: options.workspace,
    ...checkout,
    spec,
    gates,
    ...(options.quality !== undefined ? { quality: options.quality, evaluator: options.evaluator ?? options.runner ?? 'claude' } : {}),
    tasks,
    iterations: [{ n: 1, startedAt: now, tasks: tasks.map((t) => t.id) }],
    checkpoints: [],
    warned: [],
    pausedMs: 0,
  };
  saveGoal(stateDir, record);
  return record;
}
