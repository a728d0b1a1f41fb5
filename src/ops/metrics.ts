/**
 * Runtime counters for `get_metrics`, in the spirit of omk's: what the registry holds now, and what
 * this server process has seen since it started (spawns, kills, failures, tool calls and errors).
 */
import { Lifecycle } from '../core/lifecycle';
import type { RunRegistry } from '../core/registry/registry';
import { RUN_STATUSES, type RunStatus } from '../core/runs/types';

export interface MetricsSnapshot {
  version: 1;
  since: string;
  runs: Record<RunStatus | 'total', number>;
  spawns: number;
  kills: number;
  failures: number;
  tool_calls: number;
  tool_errors: number;
  by_tool: Record<string, { calls: number; errors: number }>;
}

export class Metrics extends Lifecycle {
  private readonly since = new Date().toISOString();
  private spawns = 0;
  private kills = 0;
  private failures = 0;
  private toolCalls = 0;
  private toolErrors = 0;
  private readonly byTool = new Map<string, { calls: number; errors: number }>();
  private readonly last = new Map<string, { status: RunStatus; pid?: number }>();
  constructor(private readonly registry: RunRegistry) {
    super();
    for (const run of registry.list()) this.last.set(run.id, { status: run.status, pid: run.agent?.pid });
    this.register(
      // A new agent pid on a run is a spawn (a steer by interrupt + resume spawns again); a run
      // that turns killed, failed or orphaned is counted once.
      registry.onDidChange(({ kind, run }) => {
        const before = this.last.get(run.id);
        if (kind === 'removed') return void this.last.delete(run.id);
        this.last.set(run.id, { status: run.status, pid: run.agent?.pid });
        if (run.agent && run.agent.pid !== before?.pid) this.spawns++;
        if (before?.status === run.status) return;
        if (run.status === 'killed') this.kills++;
        if (run.status === 'failed' || run.status === 'orphaned') this.failures++;
      }),
    );
  }

  recordCall(tool: string, failed: boolean): void {
    const entry = this.byTool.get(tool) ?? { calls: 0, errors: 0 };
    entry.calls++;
    this.toolCalls++;
    if (failed) {
      entry.errors++;
      this.toolErrors++;
    }
    this.byTool.set(tool, entry);
  }

  snapshot(): MetricsSnapshot {
    const runs = Object.fromEntries([['total', 0], ...RUN_STATUSES.map((s) => [s, 0])]) as MetricsSnapshot['runs'];
    for (const run of this.registry.list()) {
      runs.total++;
      runs[run.status]++;
    }
    return {
      version: 1,
      since: this.since,
      runs,
      spawns: this.spawns,
      kills: this.kills,
      failures: this.failures,
      tool_calls: this.toolCalls,
      tool_errors: this.toolErrors,
      by_tool: Object.fromEntries(this.byTool),
    };
  }
}
