/** What a confirmation does once the user says yes (a button in the panel, y in a terminal): its calls, each said, and the work they did recorded in the conversation. Free of `vscode`. */
import { isSessionId, workOfOp } from '../core/chat/chatSessions';
import type { ConfirmArg } from './answerContext';
import { failureText, type ChatOps } from './chatOps';

/** The confirmation with the user's answer to its question (Steer…'s message) put into each call. */
export function answered(arg: Partial<ConfirmArg>, answer: string): Partial<ConfirmArg> {
  const key = arg.ask?.arg;
  return key ? { ...arg, ask: undefined, calls: (arg.calls ?? []).map((c) => ({ ...c, args: { ...c.args, [key]: answer } })) } : arg;
}

/** Runs the calls a confirmation carries, saying what each did, and records the work they did (kills, steers, goals…) in the conversation. */
export async function runConfirmed(ops: ChatOps, arg: Partial<ConfirmArg>, say: (ok: boolean, text: string) => void): Promise<void> {
  for (const call of arg.calls ?? []) {
    const result = await ops.call(call.op, call.args, new AbortController().signal);
    if (!result.ok) {
      say(false, `${arg.title ?? call.op}: ${failureText(result)}`);
      continue;
    }
    say(true, result.summary);
    const work = isSessionId(arg.session) ? workOfOp(call.op, call.args, result.structured) : undefined;
    if (work) ops.sessions()?.record(arg.session!, work);
  }
}
