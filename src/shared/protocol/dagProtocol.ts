/**
 * The DAG panel's messages (see ipc.ts), shared by the host (src/vscode/webviews/dagPanel.ts) and
 * the webview (src/webview/dag/). The host sends the whole graph, with its layout, when tasks or
 * edges come or go, and only the changed nodes otherwise (no new layout). The host lays graphs out in
 * its layout worker; only when that is not available does the webview lay them out itself.
 */
import type { PanelState } from './ipc';

export const DAG_VIEW_TYPE = 'switchboard.dag';

export const TASK_STATUSES = ['pending', 'ready', 'running', 'done', 'failed', 'blocked', 'cancelled'] as const;
export type DagTaskStatus = (typeof TASK_STATUSES)[number];

/** One task as a node shows it; every string here may come from an agent and is rendered as text. */
export interface DagNode {
  id: string;
  title: string;
  status: DagTaskStatus;
  description?: string;
  dependsOn: string[];
  worker?: string;
  runner?: string;
  /** Its (latest) run, for its output and steering. */
  runId?: string;
  runRunning?: boolean;
  /** The worker has a branch of its own (Open Worker Diff). */
  hasBranch?: boolean;
  attempts: number;
  startedAt?: number;
  endedAt?: number;
  usd?: number;
  /** True when some of the dollars were estimated from the price table rather than reported. */
  usdEstimated?: boolean;
  tokens?: number;
  reason?: string;
  /** The dependencies that will not be done (why a blocked task waits forever). */
  blockedBy?: string[];
  result?: { summary?: string; commit?: string; files?: string[] };
}

export interface DagHeader {
  /** What the panel follows: `team:<name>` or `goal:<id>`. */
  key: string;
  title: string;
  /** The team shown (a goal's current team), if any yet. */
  team?: string;
  status: string;
  /** Whether the team still runs (its tasks can be cancelled or retried). */
  active: boolean;
  critical: string[];
  /** When the host made it (elapsed times run on from here). */
  at: number;
  /** Why there is nothing to show (no team yet, unreadable), if so. */
  note?: string;
}

export interface DagGraph extends DagHeader {
  nodes: DagNode[];
}

/**
 * A graph's layout (ELK's positions, see src/shared/dagLayout.ts), made by the host's layout worker
 * (or by the webview when that is not available), kept by the host and in the webview's state so that
 * the same graph shown again (the panel reopened, the window reloaded) is drawn at once.
 */
export interface CachedLayout {
  /** Says which tasks and edges it is for (see shapeOf in src/shared/dagLayout.ts). */
  shape: string;
  width: number;
  height: number;
  /** id, x, y of each task. */
  nodes: [string, number, number][];
  /** from, to, and the edge's points (x0, y0, x1, y1, …). */
  edges: [string, string, number[]][];
}

/**
 * A whole graph as the page embeds it or the host sends it: with its layout when the host has it;
 * else `layoutPending` when the host is laying it out (it sends the graph again with it); else
 * (the host's worker is not available) the webview lays it out.
 */
export type DagInitial = DagGraph & { layout?: CachedLayout; layoutPending?: boolean };

export type DagAction = 'openOutput' | 'cancel' | 'retry' | 'diff' | 'steer';

export interface TaskDetails {
  /** The last lines of its run's output, as the agent wrote them. */
  outputTail: string[];
}

export interface DagProtocol {
  notifications: {
    /** Tasks or edges came or went (or the panel's first graph, or its layout came): drawn again. */
    graph: DagInitial;
    /** Only statuses and figures changed: these nodes are updated in place. */
    nodes: { header: DagHeader; nodes: DagNode[] };
  };
  commands: {
    /** The webview listens: the host sends what changed since the embedded first graph. */
    ready: Record<string, never>;
    act: { action: DagAction; task: string };
    /** The webview laid a graph out itself (the host's worker was not available): kept for the next time. */
    layout: CachedLayout;
  };
  requests: {
    details: { params: { task: string }; result: TaskDetails };
  };
}

/** What the webview keeps across Reload Window that the host reads back: the layout on screen. */
export interface DagPanelState extends PanelState {
  layout?: CachedLayout;
}
