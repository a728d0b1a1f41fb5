/**
 * The operations as the chat panel calls them: the participant, its buttons and the language model
 * tools all go through `invokeOperation` over the window's core object, recorded as `chat` (or
 * `chat:<tool caller>`) in what they start. No logic of its own.
 */
import { ChatSessions } from '../core/chat/chatSessions';
import { errorMessage, SwitchboardError } from '../core/errors';
import type { Switchboard } from '../core/switchboard';
import type { McpDeps } from '../mcp/deps';
import { invokeOperation, type Invocation } from '../ops/invoke';
import { findOperation } from '../ops/operations';

export type OpProgress = (message: string) => void;

export class ChatOps {
  constructor(private readonly deps: () => McpDeps | undefined) {}

  /** The core object in use, or undefined while no state folder is open. */
  switchboard(): Switchboard | undefined {
    return this.deps()?.sb;
  }

  /** The conversations recorded under the state folder in use. */
  sessions(): ChatSessions | undefined {
    const sb = this.switchboard();
    return sb && new ChatSessions(sb.state);
  }

  /** Why the host would refuse `action` here (an untrusted workspace), as one sentence with what to do; undefined when it would not. */
  refusal(action: 'start' | 'steer'): string | undefined {
    try {
      this.deps()?.host.guard(action);
      return undefined;
    } catch (error) {
      return error instanceof SwitchboardError ? `${error.message}${error.hint ? ` ${error.hint}` : ''}` : errorMessage(error);
    }
  }

  async call(name: string, args: Record<string, unknown>, signal: AbortSignal, progress?: OpProgress, source = 'chat'): Promise<Invocation> {
    const deps = this.deps();
    if (!deps) return { ok: false, code: 'state_unwritable', message: 'Switchboard has no state folder open.', hint: 'The Switchboard log says why; check the switchboard.stateDirectory setting.' };
    return invokeOperation(findOperation(name), name, args, {
      sb: deps.sb,
      host: deps.host,
      source,
      signal,
      progress: async (_step, message) => progress?.(message),
    });
  }
}

/** A failed call as one sentence for people: what went wrong and what to do. */
export const failureText = (answer: Extract<Invocation, { ok: false }>): string => `${answer.message}${answer.hint ? ` ${answer.hint}` : ''}`;
