/**
 * The budget report panel's messages (see ipc.ts), shared by the host (src/vscode/webviews/
 * budgetPanel.ts) and the webview (src/webview/budget/): the whole report, sent again when it moves.
 */
import type { PanelState } from './ipc';

export const BUDGET_VIEW_TYPE = 'switchboard.budget';

/** Cumulative spend at a moment (a run ended or reported, or now). */
export interface SpendPoint {
  at: number;
  /** Dollars the CLIs reported, and dollars estimated from the price table, so far. */
  reportedUsd: number;
  estimatedUsd: number;
  tokens: number;
}

export interface BudgetCheckpoint {
  label: string;
  at: number;
  status: string;
  usd: number;
  tokens: number;
}

export interface BreakdownLine {
  key: string;
  runs: number;
  tokens: number;
  usd: number;
  usdSource: 'reported' | 'estimated' | 'mixed' | 'none';
}

export const BREAKDOWNS = ['runner', 'model', 'worker', 'task'] as const;
export type BreakdownKind = (typeof BREAKDOWNS)[number];

export interface TimelineEntry {
  ts: number;
  kind: string;
  actor: string | null;
  /** May quote what an agent wrote: rendered as text. */
  summary: string;
}

export interface BudgetReportView {
  /** What the panel follows: `goal:<id>`, `team:<name>` or `today`. */
  key: string;
  title: string;
  status?: string;
  at: number;
  limits: { usd?: number; tokens?: number; seconds?: number };
  /** The fraction of a limit past which a goal warns (0.8). */
  warnAt: number;
  spent: { usd: number; reportedUsd: number; estimatedUsd: number; tokens: number; runs: number; seconds?: number };
  remaining: { usd?: number; tokens?: number; seconds?: number };
  series: SpendPoint[];
  checkpoints: BudgetCheckpoint[];
  breakdown: Record<BreakdownKind, BreakdownLine[]>;
  /** A goal's replay, oldest first (none for a team or the day). */
  timeline?: TimelineEntry[];
  note?: string;
}

export interface BudgetProtocol {
  notifications: {
    report: BudgetReportView;
  };
  commands: {
    ready: Record<string, never>;
  };
  requests: Record<string, never>;
}

export type BudgetPanelState = PanelState;
