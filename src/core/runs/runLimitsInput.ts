/** Hard limits as people give them (`--max-usd 0.50 --max-tokens 200000 --timeout 30m`), checked. */
import { SwitchboardError } from '../errors';
import { parseDuration } from '../goals/duration';
import type { RunLimits } from './types';

export function runLimits(input: { maxUsd?: number | string; maxTokens?: number | string; timeout?: string | number }): RunLimits | undefined {
  const limits: RunLimits = {};
  const positive = (value: number | string | undefined, what: string, integer: boolean): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new SwitchboardError('invalid_argument', `${what} must be ${integer ? 'a whole number' : 'a number'} more than zero, not "${value}".`);
    return n;
  };
  const usd = positive(input.maxUsd, 'The cost limit', false);
  const tokens = positive(input.maxTokens, 'The token limit', true);
  if (usd !== undefined) limits.maxUsd = usd;
  if (tokens !== undefined) limits.maxTokens = tokens;
  if (input.timeout !== undefined) limits.timeoutMs = typeof input.timeout === 'number' ? positive(input.timeout, 'The time limit', true) : parseDuration(input.timeout, 'a time limit');
  return Object.keys(limits).length ? limits : undefined;
}

/**
 * Limits as a person types them in one line: `$0.50`, `200k tokens` (or `200000tok`), `30m`, in any
 * order, separated by spaces or commas; empty: no limits. Throws saying what it could not read.
 */
export function parseLimitsText(text: string): RunLimits | undefined {
  const input: { maxUsd?: number; maxTokens?: number; timeout?: string } = {};
  // "200k tokens" is one limit written as two words: join a count with the unit word after it.
  const words = text.toLowerCase().replace(/,/g, ' ').replace(/(\d[km]?)\s+(tok)/g, '$1$2').split(/\s+/).filter(Boolean);
  for (const word of words) {
    const money = /^\$(\d+(?:\.\d+)?)$|^(\d+(?:\.\d+)?)\$$/.exec(word);
    const tokens = /^(\d+(?:\.\d+)?)([km]?)tok(?:ens?)?$/.exec(word);
    if (money) input.maxUsd = Number(money[1] ?? money[2]);
    else if (tokens) input.maxTokens = Math.round(Number(tokens[1]) * ({ k: 1000, m: 1_000_000 }[tokens[2] as 'k' | 'm'] ?? 1));
    else if (/^(?:\d+(?:\.\d+)?[dhms])+$/.test(word)) input.timeout = word;
    else throw new SwitchboardError('invalid_argument', `"${word}" is not a limit.`, 'Write limits like $0.50, 200k tokens, 30m.');
  }
  return runLimits(input);
}
