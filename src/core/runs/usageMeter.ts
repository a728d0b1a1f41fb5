/**
 * Adds up a run's token usage and cost across its turns and its processes (a steer through
 * interrupt + resume starts a new process), according to what each runner's reports cover:
 * `turn` reports are added up, `process` reports are running totals for one process, and
 * `session` reports are running totals for the whole session, earlier processes included.
 *
 * Where the CLI reports tokens by model (Gemini CLI: its router and the model that did the work), each
 * model's tokens are tallied the same way and priced at that model's price.
 *
 * A run that resumes a session an earlier run started gets that session's total so far as a
 * baseline: its `session` figures then count only what this run added, so a resumed run does not
 * show (and today's spend does not count) the parent's usage a second time.
 */
import { withCost, type PriceTable } from '../pricing';
import type { UsageScope } from '../runners/types';
import type { ModelUsage, Usage } from './types';

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
  /** The model calls of the turn under way (per-turn runners), by message id, until the turn's report comes. */
  private readonly provisional = new Map<string, { inputTokens: number; outputTokens: number }>();
  /** Tokens by model, where reports give them. */
  private readonly byModel = new Map<string, { input: Tally; output: Tally }>();

  /** `baseline` applies to the figures whose scope is `session`; `turn` and `process` ones never include an earlier run. */
  constructor(private readonly tokenScope: UsageScope, costScope: UsageScope = tokenScope, baseline?: UsageBaseline) {
    this.input = new Tally(tokenScope, baseline?.inputTokens);
    this.output = new Tally(tokenScope, baseline?.outputTokens);
    this.usd = new Tally(costScope, baseline?.usd);
  }

  add(report: { inputTokens: number; outputTokens: number; usd?: number; provisional?: boolean; messageId?: string; models?: Record<string, ModelUsage> }): void {
    if (report.provisional) {
      // Only where reports are per turn can a call's figures stand in for the turn's until it ends.
      if (this.tokenScope === 'turn' && report.messageId) this.provisional.set(report.messageId, { inputTokens: report.inputTokens, outputTokens: report.outputTokens });
      return;
    }
    this.provisional.clear();
    this.input.add(report.inputTokens);
    this.output.add(report.outputTokens);
    for (const [model, usage] of Object.entries(report.models ?? {})) {
      let tallies = this.byModel.get(model);
      if (!tallies) this.byModel.set(model, (tallies = { input: new Tally(this.tokenScope), output: new Tally(this.tokenScope) }));
      tallies.input.add(usage.inputTokens);
      tallies.output.add(usage.outputTokens);
    }
    if (typeof report.usd === 'number') {
      this.usd.add(report.usd);
      this.usdReported = true;
    }
  }

  /** The process ended: its figures are final (a turn cut short counts what its calls had used). */
  closeProcess(): void {
    const pending = this.pending();
    this.provisional.clear();
    if (pending.inputTokens || pending.outputTokens) {
      this.input.add(pending.inputTokens);
      this.output.add(pending.outputTokens);
    }
    for (const tally of [this.input, this.output, this.usd, ...[...this.byModel.values()].flatMap((m) => [m.input, m.output])]) tally.closeProcess();
  }

  private pending(): { inputTokens: number; outputTokens: number } {
    let inputTokens = 0;
    let outputTokens = 0;
    for (const call of this.provisional.values()) {
      inputTokens += call.inputTokens;
      outputTokens += call.outputTokens;
    }
    return { inputTokens, outputTokens };
  }

  total(prices: PriceTable, runner: string, model: string | undefined): Usage {
    const pending = this.pending();
    const tokens = { inputTokens: this.input.total + pending.inputTokens, outputTokens: this.output.total + pending.outputTokens };
    if (this.usdReported) {
      // A turn under way has no reported cost yet: its calls are priced from the table until its report comes.
      const inFlight = pending.inputTokens + pending.outputTokens > 0 ? withCost(pending, prices, runner, model) : undefined;
      if (inFlight?.usd !== undefined) return { ...tokens, usd: this.usd.total + inFlight.usd, usdSource: 'estimated' };
      return { ...tokens, usd: this.usd.total, usdSource: 'reported' };
    }
    if (this.byModel.size === 0) return withCost(tokens, prices, runner, model);
    return this.pricedByModel(tokens, prices, runner, model);
  }

  /** Each model's tokens at its own price; tokens no model accounts for at the run's model's. */
  private pricedByModel(tokens: { inputTokens: number; outputTokens: number }, prices: PriceTable, runner: string, model: string | undefined): Usage {
    const models: Record<string, ModelUsage> = {};
    let usd = 0;
    let priced = true;
    const rest = { ...tokens };
    for (const [name, tallies] of this.byModel) {
      const usage = withCost({ inputTokens: tallies.input.total, outputTokens: tallies.output.total }, prices, runner, name);
      models[name] = usage.usd === undefined ? { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens } : { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, usd: usage.usd };
      rest.inputTokens -= usage.inputTokens;
      rest.outputTokens -= usage.outputTokens;
      if (usage.usd === undefined) priced = false;
      else usd += usage.usd;
    }
    const unattributed = withCost({ inputTokens: Math.max(0, rest.inputTokens), outputTokens: Math.max(0, rest.outputTokens) }, prices, runner, model);
    if (unattributed.inputTokens + unattributed.outputTokens > 0) {
      if (unattributed.usd === undefined) priced = false;
      else usd += unattributed.usd;
    }
    return { ...tokens, ...(priced ? { usd, usdSource: 'estimated' as const } : {}), models };
  }
}
