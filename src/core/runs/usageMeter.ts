/**
 * Adds up a run's token usage and cost across its turns and its processes (a steer through
 * interrupt + resume starts a new process), according to what each runner's reports cover:
 * `turn` reports are added up, `process` reports are running totals for one process, and
 * `session` reports are running totals for the whole session, earlier processes included.
 */
import { withCost, type PriceTable } from '../pricing';
import type { UsageScope } from '../runners/types';
import type { Usage } from './types';

/** One figure (tokens in, tokens out, or USD) tallied under one scope. */
class Tally {
  private earlier = 0;
  private current = 0;

  constructor(private readonly scope: UsageScope) {}

  add(value: number): void {
    if (this.scope === 'turn') this.current += value;
    // A running total never goes down: a zero in an error report does not undo what was spent.
    else this.current = Math.max(this.current, value);
    if (this.scope === 'session') this.earlier = 0;
  }

  closeProcess(): void {
    this.earlier += this.current;
    this.current = 0;
  }

  get total(): number {
    return this.earlier + this.current;
  }
}

export class UsageMeter {
  private readonly input: Tally;
  private readonly output: Tally;
  private readonly usd: Tally;
  private usdReported = false;

  constructor(tokenScope: UsageScope, costScope: UsageScope = tokenScope) {
    this.input = new Tally(tokenScope);
    this.output = new Tally(tokenScope);
    this.usd = new Tally(costScope);
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
