/**
 * What a Switchboard language model tool answers (its summary, then its structured answer as one
 * JSON line, or the error), and the work a conversation did through it (a run, team or goal
 * started, a steer or kill sent), read back from that text for the conversation's session.
 */
import type { WorkDone } from '../core/chat/chatSessions';
import type { Invocation } from '../ops/invoke';
import { failureText } from './chatOps';

export function toolResultText(answer: Invocation): string {
  return answer.ok ? `${answer.summary}\n${JSON.stringify(answer.structured)}` : `Error (${answer.code}): ${failureText(answer)}`;
}

const WORK: Record<string, { kind: WorkDone['kind']; key: string }> = {
  run_agent: { kind: 'run', key: 'id' },
  team_run: { kind: 'team', key: 'name' },
  goal_create: { kind: 'goal', key: 'id' },
  steer_agent: { kind: 'steer', key: 'id' },
  kill_agent: { kind: 'kill', key: 'id' },
};

/** The work an operation's tool answer says was done, if it is one that starts or sends work and it succeeded. */
export function workOfToolResult(op: string, text: string): WorkDone | undefined {
  const work = WORK[op];
  const json = text.split('\n')[1];
  if (!work || !json || text.startsWith('Error (')) return undefined;
  try {
    const id = (JSON.parse(json) as Record<string, unknown>)[work.key];
    return typeof id === 'string' ? { kind: work.kind, id } : undefined;
  } catch {
    return undefined;
  }
}
