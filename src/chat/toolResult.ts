/**
 * What a Switchboard language model tool answers (its summary, then its structured answer as one
 * JSON line, or the error), and the work a conversation did through it (a run, team or goal
 * started, a steer or kill sent), read back from that text for the conversation's session.
 */
import { workOfOp, type WorkDone } from '../core/chat/chatSessions';
import { summaryAndJson } from '../ops/answerText';
import type { Invocation } from '../ops/invoke';
import { failureText } from './chatOps';

export function toolResultText(answer: Invocation): string {
  return answer.ok ? summaryAndJson(answer.summary, answer.structured) : `Error (${answer.code}): ${failureText(answer)}`;
}

/** The work an operation's tool answer says was done, if it is one that starts or sends work and it succeeded. */
export function workOfToolResult(op: string, input: unknown, text: string): WorkDone | undefined {
  const json = text.slice(text.lastIndexOf('\n') + 1);
  if (!text.includes('\n') || text.startsWith('Error (')) return undefined;
  try {
    return workOfOp(op, (input ?? {}) as Record<string, unknown>, JSON.parse(json) as Record<string, unknown>);
  } catch {
    return undefined;
  }
}
