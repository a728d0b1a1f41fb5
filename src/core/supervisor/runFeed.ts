/**
 * What a supervisor tells the feed about its run: each change of status (started, completed,
 * failed, killed), a wait for a person, a steer / interrupt / kill sent to it, and, at most once a
 * second, that something else moved (session, usage, an answer).
 */
import { runEntity, runStatusEvent } from '../feed/entities';
import { runKey } from '../feed/feedEvent';
import type { Journal } from '../feed/journal';
import { Lifecycle, toDisposable } from '../lifecycle';
import { isFinished, type RunRecord } from '../runs/types';

const UPDATE_MS = 1000;

export interface Intervention {
  action: 'steer' | 'interrupt' | 'kill';
  source: string;
  message?: string;
  delivery?: string;
}

export class RunFeed extends Lifecycle {
  private pending: { timer: NodeJS.Timeout; record: RunRecord } | undefined;
  private lastUpdate = 0;
  /** The run's end was told by the process that killed its agent and wrote its record (it could not reach this supervisor): not told again. */
  endToldElsewhere = false;

  constructor(private readonly journal: Journal | undefined) {
    super();
    // What waits for its second is told as the run's supervisor goes.
    this.register(toDisposable(() => this.flush()));
  }

  changed(before: RunRecord, after: RunRecord): void {
    if (!this.journal) return;
    if (after.status !== before.status) {
      const type = runStatusEvent(after.status);
      if (type && !(this.endToldElsewhere && isFinished(after.status))) return this.now(type, after);
    }
    if (after.status === 'running' && after.waiting && after.waiting.reason !== before.waiting?.reason) return this.now('agent.waiting', after);
    const moved = after.usage !== before.usage || after.sessionId !== before.sessionId || after.model !== before.model || after.resultText !== before.resultText || after.lastError !== before.lastError || !!after.waiting !== !!before.waiting || after.retrying !== before.retrying || after.permissionDenials !== before.permissionDenials;
    if (!moved) return;
    if (this.pending) {
      this.pending.record = after;
      return;
    }
    const wait = Math.max(0, this.lastUpdate + UPDATE_MS - Date.now());
    const timer = setTimeout(() => this.flush(), wait);
    timer.unref();
    this.pending = { timer, record: after };
  }

  intervention(record: RunRecord, what: Intervention): void {
    this.journal?.append({ type: 'steering.intervention', key: runKey(record.id), entity: { run: runEntity(record), ...what } });
  }

  private now(type: Parameters<Journal['append']>[0]['type'], record: RunRecord): void {
    if (this.pending) clearTimeout(this.pending.timer);
    this.pending = undefined;
    this.journal?.append({ type, key: runKey(record.id), entity: runEntity(record) });
  }

  private flush(): void {
    const pending = this.pending;
    this.pending = undefined;
    if (!pending) return;
    this.lastUpdate = Date.now();
    this.journal?.append({ type: 'agent.updated', key: runKey(pending.record.id), entity: runEntity(pending.record) });
  }
}
