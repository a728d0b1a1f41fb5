/** Resetting breakers as a person asks for it (the CLI, MCP tools): one gate's, or every one that is not Closed. */
import { SwitchboardError } from '../errors';
import type { Breakers, ResetBreaker } from './breakers';
import { resetShape, toBreakerShape } from './gateShapes';
import type { z } from 'zod';

export type ResetAnswer = z.output<typeof resetShape> & { summary: string };

export async function resetGates(breakers: Breakers, which: { gate: string } | { all: true }): Promise<ResetAnswer> {
  let reset: ResetBreaker[];
  if ('gate' in which) {
    const one = await breakers.reset(which.gate);
    if (!one) {
      const known = breakers.status().map((b) => `"${b.gateName}"`);
      throw new SwitchboardError('invalid_argument', `Gate "${which.gate}" has no breaker in ${breakers.workspace}.`, known.length ? `Its gates with breakers: ${known.join(', ')}.` : 'No gate has run there yet.', { gate: which.gate, workspace: breakers.workspace });
    }
    reset = one.previous === 'Closed' ? [] : [one];
  } else reset = await breakers.resetAll();
  const names = reset.map((r) => r.view.gateName);
  const told = reset.map((r) => `"${r.view.gateName}" (was ${r.previous})`).join(', ');
  const summary =
    'gate' in which
      ? reset.length ? `Reset the breaker of ${told} to Closed.` : `The breaker of "${which.gate}" was already Closed; nothing to reset.`
      : reset.length ? `Reset ${reset.length} breaker(s) to Closed: ${told}.` : `No breaker in ${breakers.workspace} was open; nothing to reset.`;
  return { reset: names, breakers: breakers.status().map(toBreakerShape), summary };
}
