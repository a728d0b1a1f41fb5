/**
 * Cost estimates for CLIs that report tokens but not dollars. Prices are USD per million tokens,
 * overridable in settings; every estimate is labelled as such wherever it is shown.
 */
import type { Usage } from './runs/types';

export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

export type PriceTable = Record<string, Price>;

/**
 * Keys are model names, matched exactly, then by longest prefix; `<runner>:<model>` prices a model of
 * one runner only (matched exactly, first), and `<runner>:default` is the fallback. A model named
 * `provider/model` (opencode, Kilo) is matched by its own name too, after the whole name.
 */
export const DEFAULT_PRICES: PriceTable = {
  'gpt-5': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gpt-5-mini': { inputPerMTok: 0.25, outputPerMTok: 2 },
  'gemini-2.5-pro': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gemini-2.5-flash': { inputPerMTok: 0.3, outputPerMTok: 2.5 },
  'qwen3-coder-plus': { inputPerMTok: 1, outputPerMTok: 5 },
  'claude-sonnet-4': { inputPerMTok: 3, outputPerMTok: 15 },
  // Claude Code reports its cost; this prices only a turn still under way (its calls' tokens), for budgets.
  'claude:default': { inputPerMTok: 3, outputPerMTok: 15 },
  'codex:default': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'gemini:default': { inputPerMTok: 1.25, outputPerMTok: 10 },
  'qwen:default': { inputPerMTok: 1, outputPerMTok: 5 },
  // These CLIs run whatever model their own config names (the Copilot CLI's default is a Claude Sonnet):
  // a model the table does not know is estimated at a Claude Sonnet's price, which errs high rather than low.
  'opencode:default': { inputPerMTok: 3, outputPerMTok: 15 },
  'kilo:default': { inputPerMTok: 3, outputPerMTok: 15 },
  'copilot:default': { inputPerMTok: 3, outputPerMTok: 15 },
  'cline:default': { inputPerMTok: 3, outputPerMTok: 15 },
};

export function findPrice(table: PriceTable, runner: string, model: string | undefined): Price | undefined {
  if (model) {
    const own = table[`${runner}:${model}`];
    if (own) return own;
    if (table[model]) return table[model];
    const name = model.slice(model.lastIndexOf('/') + 1);
    if (table[name]) return table[name];
    const prefix = Object.keys(table)
      .filter((key) => !key.includes(':') && (model.startsWith(key) || name.startsWith(key)))
      .sort((a, b) => b.length - a.length)[0];
    if (prefix) return table[prefix];
  }
  return table[`${runner}:default`];
}

/** Fills in `usd` from the price table when the CLI did not report it. */
export function withCost(usage: Usage, table: PriceTable, runner: string, model: string | undefined): Usage {
  if (usage.usdSource === 'reported') return usage;
  const price = findPrice(table, runner, model);
  if (!price) return { inputTokens: usage.inputTokens, outputTokens: usage.outputTokens };
  const usd = (usage.inputTokens * price.inputPerMTok + usage.outputTokens * price.outputPerMTok) / 1e6;
  return { ...usage, usd, usdSource: 'estimated' };
}
