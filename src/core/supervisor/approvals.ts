/**
 * Tool calls an agent asked the host to approve, oldest first. A person answers through the
 * `approve` control op (a VS Code notification, an MCP client); one nobody answers is denied after
 * `timeoutMs`, so an agent never waits forever for a window that was closed.
 */
import { SwitchboardError } from '../errors';
import type { AgentEventBody, ApprovalRequest, RunRecord } from '../runs/types';
import type { ApproveResult } from './protocol';

export const APPROVAL_TIMEOUT_MS = 15 * 60_000;

interface Pending {
  request: ApprovalRequest;
  reason: string;
  since: number;
  timer: NodeJS.Timeout;
}

export interface ApprovalHooks {
  /** Writes the answer to the agent; false when its input is closed. */
  answer(request: ApprovalRequest, allow: boolean, message?: string): boolean;
  /** What the run now waits for (undefined: nothing). */
  waiting(waiting: RunRecord['waiting']): void;
  emit(body: AgentEventBody): void;
}

export class Approvals {
  private readonly queue: Pending[] = [];

  constructor(private readonly hooks: ApprovalHooks, private readonly timeoutMs = APPROVAL_TIMEOUT_MS) {}

  ask(request: ApprovalRequest, reason: string): void {
    const timer = setTimeout(() => this.settle(request.id, false, 'timeout', `No one answered within ${Math.round(this.timeoutMs / 60_000)} minutes, so the tool call was denied.`), this.timeoutMs);
    timer.unref();
    this.queue.push({ request, reason, since: Date.now(), timer });
    this.publish();
  }

  /** Answers the oldest request. */
  answer(allow: boolean, source: string, message?: string): ApproveResult {
    const oldest = this.queue[0];
    if (!oldest) throw new SwitchboardError('not_waiting', 'This agent is not waiting for an approval.', 'It may have been answered already, or denied after waiting too long.');
    this.settle(oldest.request.id, allow, source, message);
    return { tool: oldest.request.tool, allow };
  }

  /** The agent ended or its turn did: nothing it asked can be answered any more. */
  clear(): void {
    for (const pending of this.queue.splice(0)) clearTimeout(pending.timer);
    this.publish();
  }

  private settle(id: string, allow: boolean, source: string, message?: string): void {
    const index = this.queue.findIndex((p) => p.request.id === id);
    if (index < 0) return;
    const [pending] = this.queue.splice(index, 1);
    clearTimeout(pending!.timer);
    if (!this.hooks.answer(pending!.request, allow, message)) {
      throw new SwitchboardError('not_running', 'The agent no longer reads its input, so the answer cannot reach it.');
    }
    this.hooks.emit({ type: 'approval', tool: pending!.request.tool, allow, source, ...(message ? { message } : {}) });
    this.publish();
  }

  private publish(): void {
    const oldest = this.queue[0];
    this.hooks.waiting(oldest ? { reason: oldest.reason, since: oldest.since, tool: oldest.request.tool } : undefined);
  }
}
