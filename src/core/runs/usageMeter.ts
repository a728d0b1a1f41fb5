/**
 * Adds up a run's token usage and cost across its turns and its processes (a steer through
 * interrupt + resume starts a new process), according to what each runner's reports cover:
 * `turn` reports are added up, `process` reports are running totals for one process, and
 * `session` reports are running totals for the whole session, earlier processes included.
 *
 * A run that resumes a session an earlier run started gets that session's total so far as a
 * baseline: its `session` figures then count only what this run added, so a resumed run does not
 * show (and today's spend does not count) the parent's usage a second time.
 */
import { withCost, type PriceTable } from '../pricing';
import type { UsageScope } from '../runners/types';
import type { Usage } from './types';

/** What the resumed session had already used before this run: its last running totals. */
export interface UsageBaseline {
  inputTokens: number;
  outputTokens: number;
  /** The session's cost so far as the CLI reported it, where it reports one. */
  usd?: number;
}

/** One figure (tokens in, tokens out, or USD) tallied under one scope. */
class Tally {
  /** `turn`/`process`: the figures of processes that have ended. */
  private earlier = 0;
  /** `turn`: the sum so far in this process; `process`: its running total; `session`: the session's running total. */
  private current = 0;

  constructor(private readonly scope: UsageScope, private readonly baseline = 0) {}

  add(value: number): void {
    if (this.scope === 'turn') this.current += value;
    // A running total never goes down: a zero in an error report does not undo what was spent.
    // A session's total covers the earlier processes of this run too, so it is never added to them.
    else this.current = Math.max(this.current, value);
  }

  closeProcess(): void {
    // The next process of a session reports the session's total again, which includes this one's.
    if (this.scope === 'session') return;
    this.earlier += this.current;
    this.current = 0;
  }

  get total(): number {
    if (this.scope !== 'session') return this.earlier + this.current;
    if (this.baseline <= 0) return this.current;
    // Rounded, so that 0.00216 - 0.00144 reads 0.00072 and not 0.0007200000000000002.
    return Math.max(0, Math.round((this.current - this.baseline) * 1e10) / 1e10);
  }
}

export class UsageMeter {
  private readonly input: Tally;
  private readonly output: Tally;
  private readonly usd: Tally;
  private usdReported = false;

  /** `baseline` applies to the figures whose scope is `session`; `turn` and `process` ones never include an earlier run. */
  constructor(tokenScope: UsageScope, costScope: UsageScope = tokenScope, baseline?: UsageBaseline) {
    this.input = new Tally(tokenScope, baseline?.inputTokens);
    this.output = new Tally(tokenScope, baseline?.outputTokens);
    this.usd = new Tally(costScope, baseline?.usd);
  }

  add(report: { inputTokens: number; outputTokens: number; usd?: number }): void {
    this.input.add(report.inputTokens);
    this.output.add(report.outputTokens);
    if (typeof report.usd === 'number') {
      this.usd.add(report.usd);
      this.usdReported = true;
    }
  }

  /** The process ended: its figures are final. */
  closeProcess(): void {
    for (const tally of [this.input, this.output, this.usd]) tally.closeProcess();
  }

  total(prices: PriceTable, runner: string, model: string | undefined): Usage {
    const tokens = { inputTokens: this.input.total, outputTokens: this.output.total };
    if (this.usdReported) return { ...tokens, usd: this.usd.total, usdSource: 'reported' };
    return withCost(tokens, prices, runner, model);
  }
}
