/**
 * A goal as it is kept on disk (`<state>/goals/<id>/goal.json`, written atomically on every
 * change): the objective, its budgets and terminal criteria, where it works (its own branch and
 * worktree), its task graph over every iteration, each iteration's team and gate results, and who
 * runs it. The JSON the CLI and MCP show is made from it by goalShape.ts.
 */
import type { Task } from '../dag/task';
import type { GateResult, GateSpec } from '../gates/gate';
import type { ProcessIdentity } from '../runs/types';

export const GOAL_STATUSES = ['running', 'ready', 'not_ready', 'blocked_on_human', 'blocked_on_external', 'needs_more_budget', 'failed_infra', 'paused', 'cancelled'] as const;
export type GoalStatus = (typeof GOAL_STATUSES)[number];

export const GOAL_PHASES = ['intake', 'planning', 'decomposition', 'execution', 'verification_design', 'proof'] as const;
export type GoalPhase = (typeof GOAL_PHASES)[number];

/** Statuses a goal does not leave by itself (a person resumes, extends or starts a new one). */
export const isSettledGoal = (status: GoalStatus): boolean => status === 'ready' || status === 'not_ready' || status === 'cancelled' || status === 'failed_infra';

/** Statuses in which a goal's process still has work to do or wait for. */
export const isLiveGoal = (status: GoalStatus): boolean => status === 'running' || status === 'blocked_on_human' || status === 'blocked_on_external';

export interface TerminalCriteria {
  /** The goal is ready only with a proof of gates that passed. */
  proofRequired: boolean;
  /** Every required gate must pass. */
  gatesRequired: boolean;
  /** An agent waiting for a person stops the goal (blocked_on_human) until answered. */
  humanBlockersStop: boolean;
}

export interface Artifact {
  kind: string;
  path: string;
  createdAt: number;
}

export interface Iteration {
  n: number;
  team?: string;
  /** How many teams worked it (more than one when one was stopped midway). */
  teams?: number;
  startedAt: number;
  endedAt?: number;
  /** The tasks this iteration worked (ids in the goal's graph). */
  tasks: string[];
  gates?: GateResult[];
  /** Every required gate passed (and the score, when asked for, was high enough). */
  passed?: boolean;
  /** An evaluator's score, 0..1, and its notes. */
  score?: number;
  notes?: string;
  /** What kept work from reaching the goal branch (a merge refused, say). */
  problems?: string[];
  /** Why the evaluator gave no usable score (it becomes a fix task of its own). */
  reviewProblem?: string;
  /** The recovery checkpoint made as it started (`cp-3`). */
  checkpoint?: string;
  /** What the goal had spent when its work started (for what the iteration cost). */
  spentBefore?: { usd: number; tokens: number };
  /** What it changed and how its gates did, measured once it was verified (stagnation is read from these). */
  metrics?: IterationMetrics;
}

/** One iteration measured: the gates, the score, what changed on the goal branch, what it cost. */
export interface IterationMetrics {
  startCommit: string;
  endCommit: string;
  gatesPassed: number;
  gatesFailed: number;
  /** `gate#hash` of each failed required gate: the same failure the same way gives the same fingerprint. */
  failures: string[];
  score?: number;
  changedFiles: string[];
  linesAdded: number;
  linesRemoved: number;
  /** Each changed file's blob before and after ('' when it did not exist). */
  fileStates: Record<string, [string, string]>;
  spentUsd: number;
  spentTokens: number;
}

/** A recovery checkpoint: the goal branch's commit (kept under `ref`) and the goal's state, as an iteration started. */
export interface RecoveryPoint {
  id: string;
  iteration: number;
  at: number;
  commit: string;
  ref: string;
}

/** A rollback: where the goal branch was put back to, and where the work it left is kept. */
export interface Rollback {
  at: number;
  to: string;
  commit: string;
  /** The commit the branch was at, and the ref that keeps it (absent when nothing was left behind). */
  abandonedCommit?: string;
  abandonedRef?: string;
  /** Changes not committed in the goal's checkout, kept as a commit under this ref. */
  uncommittedRef?: string;
  /** Discoveries whose promoted task went with the rollback, pending again. */
  reopened?: string[];
}

/** The last stagnation found after an iteration (the goal goes on; a person decides). */
export interface StagnationNote {
  iteration: number;
  kind: string;
  confidence: number;
  evidence: string;
  at: number;
}

/** A figure of the budget at a moment: when an iteration ended, a warning, an extension. */
export interface Checkpoint {
  label: string;
  at: number;
  status: GoalStatus;
  phase: GoalPhase;
  elapsedMs: number;
  usedTokens: number;
  usedUsd: number;
  usdEstimated: boolean;
  /** The time budget then, as given (`8h`) and in milliseconds (an extension changes it later). */
  budgetTime?: string;
  budgetTimeMs?: number;
  budgetTokens?: number;
  budgetUsd?: number;
}

export interface GoalRecord {
  version: 1;
  id: string;
  originalGoal: string;
  normalizedGoal: string;
  status: GoalStatus;
  phase: GoalPhase;
  createdAt: number;
  updatedAt: number;
  completedAt?: number;
  untilReady: boolean;
  /** As given (`8h`, `90m`), and in milliseconds. */
  budgetTime?: string;
  budgetTimeMs?: number;
  budgetTokens?: number;
  budgetUsd?: number;
  maxAgents: number;
  terminalCriteria: TerminalCriteria;
  /** Where the result stays: `local` (on the goal's branch). */
  deliveryPolicy: 'local';
  /** `disabled`: the goal branch is left for a person to merge; `on_ready`: merged into the base once ready. */
  mergePolicy: 'disabled' | 'on_ready';
  sliceExecution: boolean;
  artifacts: Artifact[];
  failure?: string;
  iteration: number;
  maxIterations: number;
  /** The workspace the goal works on, its base branch (or commit), and the goal's own branch and worktree. */
  workspace: string;
  base: string;
  baseCommit: string;
  branch: string;
  checkout: string;
  /** The team of the current (or last) iteration. */
  team?: string;
  /** The team spec each iteration's team is made from (at most maxAgents workers). */
  spec: string;
  gates: GateSpec[];
  /** The evaluator's bar (0..1), when an evaluator scores the work. */
  quality?: number;
  evaluator?: string;
  tasks: Task[];
  iterations: Iteration[];
  checkpoints: Checkpoint[];
  /** Budget dimensions already warned about (`time`, `tokens`, `usd`). */
  warned: string[];
  /** Time it did not work (paused, or waiting for more budget), left out of its time budget. */
  pausedMs: number;
  pausedAt?: number;
  /** Why it is blocked, when it is (the gate whose breaker is open, the run that waits). */
  blockedOn?: string;
  owner?: ProcessIdentity;
  ownerSocket?: string;
  /** Its recovery checkpoints, oldest first (absent in goals made before they existed). */
  recoveryPoints?: RecoveryPoint[];
  rollbacks?: Rollback[];
  stagnation?: StagnationNote;
}
