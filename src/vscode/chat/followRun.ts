/**
 * Following a run's readable output while it runs: pages of `stream_agent_output` rendered as Show
 * Agent Output renders them (text, tool calls, results, errors; a custom command's lines as they
 * are), each written as it comes. It wakes on the registry's events for that run (no timer), and
 * stops when the run's output is complete or the signal aborts (the run goes on).
 */
import type { RunRegistry } from '../../core/registry/registry';
import { renderEvent } from '../../core/render';
import { findRunner } from '../../core/runners/runnerTable';
import type { AgentEvent } from '../../core/runs/types';
import type { Invocation } from '../../ops/invoke';

const PAGE = 200;
/** Output is gathered this long after a wake-up, so a busy agent makes a few large writes, not many small ones. */
const BATCH_MS = 150;

export interface FollowDeps {
  registry: RunRegistry;
  call(name: string, args: Record<string, unknown>): Promise<Invocation>;
  write(lines: string[]): void;
  signal: AbortSignal;
}

/** Resolves true when the output is complete, false when the signal stopped the following; throws a failed call's message. */
export async function followRun(id: string, runner: string, deps: FollowDeps): Promise<boolean> {
  const { registry, signal } = deps;
  const showRaw = !(findRunner(runner)?.structured ?? false);
  let dirty = true;
  let wake: (() => void) | undefined;
  const touched = (runId: string): void => {
    if (runId !== id) return;
    dirty = true;
    wake?.();
  };
  const listeners = [
    registry.onDidAppendEvent(({ runId }) => touched(runId)),
    registry.onDidOutput(({ runId }) => touched(runId)),
    registry.onDidChange(({ run }) => touched(run.id)),
  ];
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort);
  try {
    let cursor = 0;
    for (;;) {
      if (signal.aborted) return false;
      if (!dirty) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        if (signal.aborted) return false;
        await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
      }
      dirty = false;
      const answer = await deps.call('stream_agent_output', { id, cursor, limit: PAGE });
      if (!answer.ok) throw new Error(answer.message);
      const page = answer.structured as { events: AgentEvent[]; next_cursor: number; complete: boolean };
      const lines = page.events.flatMap((event) => renderEvent(event, { showRaw }));
      if (lines.length) deps.write(lines);
      cursor = page.next_cursor;
      if (page.complete) return true;
      // A full page: more is waiting now.
      if (page.events.length >= PAGE) dirty = true;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    for (const l of listeners) l.dispose();
  }
}
