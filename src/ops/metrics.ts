/**
 * The counters `get_metrics`, `GET /api/v1/metrics` and `/metrics` answer with: the lasting ones of
 * the state folder (every process adds to them, see core/metrics/counters.ts), the runs the registry
 * holds now by status, and this process's tool calls per tool. Operation calls over MCP and the HTTP
 * API are counted here, as they are answered.
 */
import { Lifecycle, toDisposable } from '../core/lifecycle';
import { addCounters, readCounters, type CounterDeltas, type Counters } from '../core/metrics/counters';
import type { RunRegistry } from '../core/registry/registry';
import { StateMap } from '../core/state/stateMap';
import { RUN_STATUSES, type RunStatus } from '../core/runs/types';

export interface MetricsSnapshot {
  metrics: Counters;
  /** The runs the registry holds now, by status. */
  runs: Record<RunStatus | 'total', number>;
  /** This process's calls since it started, per operation. */
  process: { since: string; by_tool: Record<string, { calls: number; errors: number }> };
}

/**
 * Calls are added to the lasting counters at most this long after they are answered (at once when
 * the counters are read, and when this closes): one write of the locked file for a burst of calls,
 * not one per call (it cost more than answering a call).
 */
const FLUSH_MS = 1000;

/** Which lasting counters a call from `source` adds to (`mcp:<client>`, `api:<client>`; others are not counted). */
function callDeltas(source: string, failed: boolean): CounterDeltas {
  const e = failed ? 1 : 0;
  if (source.startsWith('mcp:')) return { total_mcp_calls: 1, total_mcp_errors: e };
  if (source.startsWith('api:')) return { total_api_calls: 1, total_api_errors: e };
  return {};
}

export class Metrics extends Lifecycle {
  private readonly since = new Date().toISOString();
  private readonly byTool = new Map<string, { calls: number; errors: number }>();
  private readonly state: StateMap;
  /** Calls counted here and not yet added to the lasting counters (see FLUSH_MS). */
  private pending: CounterDeltas = {};
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(private readonly registry: RunRegistry, stateDir: string) {
    super();
    this.state = new StateMap(stateDir);
    this.register(toDisposable(() => this.flush()));
  }

  recordCall(tool: string, failed: boolean, source: string): void {
    const entry = this.byTool.get(tool) ?? { calls: 0, errors: 0 };
    entry.calls++;
    if (failed) entry.errors++;
    this.byTool.set(tool, entry);
    const deltas = callDeltas(source, failed);
    for (const [name, n] of Object.entries(deltas) as [keyof CounterDeltas, number][]) if (n) this.pending[name] = (this.pending[name] ?? 0) + n;
    if (!this.flushTimer && !this.isDisposed && Object.keys(this.pending).length > 0) this.flushTimer = setTimeout(() => this.flush(), FLUSH_MS).unref();
  }

  /** Adds the calls counted here to the lasting counters (written now when their lock is free; else as soon as it frees, awaited before the process exits). */
  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const deltas = this.pending;
    this.pending = {};
    addCounters(this.state, deltas).catch(() => {
      // The state folder cannot be written: the calls themselves were answered; doctor says what is wrong.
    });
  }

  snapshot(): MetricsSnapshot {
    this.flush();
    const runs = Object.fromEntries([['total', 0], ...RUN_STATUSES.map((s) => [s, 0])]) as MetricsSnapshot['runs'];
    for (const run of this.registry.briefs()) {
      runs.total++;
      runs[run.status]++;
    }
    return { metrics: readCounters(this.state), runs, process: { since: this.since, by_tool: Object.fromEntries(this.byTool) } };
  }
}
