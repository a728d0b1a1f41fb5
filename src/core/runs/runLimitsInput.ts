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
