/** What a confirmation does once the user says yes (a button in the panel, y in a terminal): its calls, each said, and kills and goals recorded in the conversation. Free of `vscode`. */
import { isSessionId } from '../core/chat/chatSessions';
import type { ConfirmArg } from './answerContext';
import { failureText, type ChatOps } from './chatOps';

/** Runs the calls a confirmation carries, saying what each did, and records kills and goals in the conversation. */
export async function runConfirmed(ops: ChatOps, arg: Partial<ConfirmArg>, say: (ok: boolean, text: string) => void): Promise<void> {
  for (const call of arg.calls ?? []) {
    const result = await ops.call(call.op, call.args, new AbortController().signal);
    if (!result.ok) {
      say(false, `${arg.title ?? call.op}: ${failureText(result)}`);
      continue;
    }
    say(true, result.summary);
    const id = String(result.structured.id ?? '');
    if (isSessionId(arg.session) && (call.op === 'kill_agent' || call.op === 'goal_create')) ops.sessions()?.record(arg.session, { kind: call.op === 'kill_agent' ? 'kill' : 'goal', id });
  }
}

