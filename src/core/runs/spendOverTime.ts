/**
 * When a run spent what it spent: its usage reports (events with their times) replayed through the
 * meter its supervisor used give how its total grew; the run's own figures (its record, the
 * authority) are shared out along that growth. So "spent today" and "spent in this hour" count what
 * was spent then, not a run's whole spend at its start or its end. A run without usage reports
 * (a plain-text agent priced at its end) spends all of it when it ended, or now while it goes on.
 */
import type { PriceTable } from '../pricing';
import type { UsageScope } from '../runners/types';
import type { AgentEvent, RunRecord } from './types';
import { UsageMeter } from './usageMeter';

export interface SpendFigures {
  usd: number;
  inputTokens: number;
  outputTokens: number;
}

/** How the meter adds a runner's reports up. */
export interface UsageScopes {
  usage: UsageScope;
  cost?: UsageScope;
}

/** A run's spend over time: the share of each figure reached at each report. */
export class SpendCurve {
  private constructor(
    private readonly total: SpendFigures,
    /** Times, ascending, with the share (0..1) of each figure reached by then. */
    private readonly points: { ts: number; usd: number; inputTokens: number; outputTokens: number }[],
    private readonly endedAt: number,
  ) {}

  static of(run: RunRecord, events: readonly AgentEvent[], scopes: UsageScopes, prices: PriceTable, now = Date.now()): SpendCurve {
    const total = { usd: run.usage.usd ?? 0, inputTokens: run.usage.inputTokens, outputTokens: run.usage.outputTokens };
    const meter = new UsageMeter(scopes.usage, scopes.cost ?? scopes.usage);
    const raw: { ts: number; figures: SpendFigures }[] = [];
    for (const event of events) {
      if (event.type === 'usage') meter.add(event);
      else if (event.type === 'exit') meter.closeProcess();
      else continue;
      const usage = meter.total(prices, run.runner, run.model);
      raw.push({ ts: event.ts, figures: { usd: usage.usd ?? 0, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } });
    }
    const last = raw.at(-1)?.figures;
    // A resumed run's session-wide figures start from what the session had spent before it (its
    // supervisor took that baseline off): the part above the run's own total is that, not this run's.
    const sessionWide = (key: keyof SpendFigures): boolean => (key === 'usd' ? (scopes.cost ?? scopes.usage) : scopes.usage) === 'session';
    const before = (key: keyof SpendFigures): number => (last && sessionWide(key) ? Math.max(0, last[key] - total[key]) : 0);
    const share = (key: keyof SpendFigures, value: number): number => {
      const grown = (last?.[key] ?? 0) - before(key);
      return grown > 0 ? Math.min(1, Math.max(0, (value - before(key)) / grown)) : 0;
    };
    const points = raw.map(({ ts, figures }) => ({ ts, usd: share('usd', figures.usd), inputTokens: share('inputTokens', figures.inputTokens), outputTokens: share('outputTokens', figures.outputTokens) }));
    return new SpendCurve(total, points, run.endedAt ?? now);
  }

  /** What was spent in [from, to). */
  between(from: number, to: number): SpendFigures {
    const at = this.reached(to);
    const before = this.reached(from);
    const part = (key: keyof SpendFigures): number => this.total[key] * (at[key] - before[key]);
    return { usd: part('usd'), inputTokens: Math.round(part('inputTokens')), outputTokens: Math.round(part('outputTokens')) };
  }

  /** The share of each figure reached before `t`; a figure no report shows growing is reached at the run's end. */
  private reached(t: number): SpendFigures {
    let found: SpendFigures = { usd: 0, inputTokens: 0, outputTokens: 0 };
    for (const point of this.points) {
      if (point.ts >= t) break;
      found = point;
    }
    const last = this.points.at(-1);
    const atEnd = this.endedAt < t ? 1 : 0;
    const or = (key: keyof SpendFigures): number => (last && last[key] > 0 ? (this.endedAt < t ? 1 : found[key]) : atEnd);
    return { usd: or('usd'), inputTokens: or('inputTokens'), outputTokens: or('outputTokens') };
  }
}
