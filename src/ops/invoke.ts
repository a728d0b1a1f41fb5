/**
 * Calling an operation, the same for every transport: the arguments are checked (a message that
 * names each bad field), the handler runs, its answer is checked against the output schema before
 * anyone sees it, and the call is counted. Never throws: a failure is an answer with a code.
 */
import { z } from 'zod';
import { ChatSessions, isSessionId, workOfOp } from '../core/chat/chatSessions';
import { SwitchboardError, type ErrorCode } from '../core/errors';
import { describeIssues } from '../core/zodIssues';
import { keepItemTexts } from './answerText';
import type { OpContext, Operation } from './operation';

export type Invocation =
  | { ok: true; structured: Record<string, unknown>; summary: string }
  | { ok: false; code: ErrorCode | 'unknown_tool'; message: string; hint?: string };

const envelopes = new WeakMap<Operation, Map<string, z.ZodType>>();

/**
 * The operation's output schema with the items of `field` taken as they are (the handler checked
 * them): the cheap check of the rest. The list itself is kept, not copied, so that a page answered
 * again is the same list, whose text the transports kept (see answerText).
 */
function envelopeOf(op: Operation, field: string): z.ZodType {
  if (!(op.output instanceof z.ZodObject)) return op.output;
  let byField = envelopes.get(op);
  if (!byField) envelopes.set(op, (byField = new Map()));
  let schema = byField.get(field);
  if (!schema) byField.set(field, (schema = op.output.extend({ [field]: z.custom<unknown[]>((v) => Array.isArray(v), 'must be a list') })));
  return schema;
}

/** A call from a chat's orchestrator agent (`switchboard chat`, by its run): the work it started or sent goes in that chat's session, whichever process serves the call. */
function recordForChat(ctx: OpContext, op: string, args: Record<string, unknown>, structured: Record<string, unknown>): void {
  const work = ctx.callerRun ? workOfOp(op, args, structured) : undefined;
  if (!work) return;
  try {
    const session = ctx.sb.runs.resolve(ctx.callerRun!).links.chatSession;
    const sessions = new ChatSessions(ctx.sb.state);
    if (isSessionId(session) && sessions.meta(session)) sessions.record(session, work);
  } catch (error) {
    // The caller's run is unknown here (removed meanwhile): nothing to record it in.
    ctx.host.logger.trace(`[ops] ${op} by run ${ctx.callerRun}: not recorded for a chat (${(error as Error).message})`);
  }
}

export async function invokeOperation(op: Operation | undefined, name: string, args: unknown, ctx: OpContext): Promise<Invocation> {
  const { metrics, logger } = ctx.host;
  if (!op) {
    metrics.recordCall(name, true, ctx.source);
    return { ok: false, code: 'unknown_tool', message: `There is no tool "${name}".`, hint: 'List the tools to see what this server offers.' };
  }
  const parsed = op.input.safeParse(args ?? {});
  if (!parsed.success) {
    metrics.recordCall(op.name, true, ctx.source);
    return { ok: false, code: 'invalid_argument', message: `${op.name}: ${describeIssues(parsed.error.issues, args ?? {})}.` };
  }
  // What Switchboard found wrong in the state folder meanwhile (a corrupt record set aside) is said with the answer.
  const told = ctx.sb.warnings.said.length;
  try {
    const answer = await op.handle(parsed.data, ctx);
    const checked = (answer.checkedItems ? envelopeOf(op, answer.checkedItems) : op.output).safeParse(answer.structured);
    if (!checked.success) {
      // A bug of ours, not the caller's: said plainly, with the details in the log.
      logger.error(`[ops] ${op.name} answered outside its output schema: ${describeIssues(checked.error.issues, answer.structured)}`);
      metrics.recordCall(op.name, true, ctx.source);
      return { ok: false, code: 'internal', message: `${op.name} produced an answer that does not fit its own schema.`, hint: 'This is a bug in Switchboard; the Switchboard log has the details.' };
    }
    metrics.recordCall(op.name, false, ctx.source);
    const items = answer.checkedItems && (checked.data as Record<string, unknown>)[answer.checkedItems];
    // Its items were made once and are kept unchanged: their JSON texts are kept too (see answerText).
    if (Array.isArray(items)) keepItemTexts(items);
    recordForChat(ctx, op.name, parsed.data as Record<string, unknown>, checked.data as Record<string, unknown>);
    const found = ctx.sb.warnings.since(told);
    return { ok: true, structured: checked.data as Record<string, unknown>, summary: found.length > 0 ? `${answer.summary} Switchboard found: ${found.join(' ')}` : answer.summary };
  } catch (error) {
    metrics.recordCall(op.name, true, ctx.source);
    if (error instanceof SwitchboardError) return { ok: false, code: error.code, message: error.message, hint: error.hint };
    logger.error(`[ops] ${op.name} failed: ${(error as Error)?.stack ?? String(error)}`);
    return { ok: false, code: 'internal', message: `${op.name} failed: ${(error as Error)?.message ?? String(error)}`, hint: 'This is a bug in Switchboard; the Switchboard log has the details.' };
  }
}
