/**
 * Following a run's readable output while it runs: pages of `stream_agent_output` rendered as Show
 * Agent Output renders them (text, tool calls, results, errors; a custom command's lines as they
 * are), each written as it comes. It wakes on the registry's events for that run (no timer), and
 * stops when the run's output is complete or the signal aborts (the run goes on).
 */
import type { RunRegistry } from '../core/registry/registry';
import { renderEvent } from '../core/render';
import { findRunner } from '../core/runners/runnerTable';
import type { AgentEvent } from '../core/runs/types';
import type { Invocation } from '../ops/invoke';
import { Wakeup } from './wakeup';

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
  const wakeup = new Wakeup();
  const touched = (runId: string): void => {
    if (runId === id) wakeup.ring();
  };
  const listeners = [
    registry.onDidAppendEvent(({ runId }) => touched(runId)),
    registry.onDidOutput(({ runId }) => touched(runId)),
    registry.onDidChange(({ run }) => touched(run.id)),
  ];
  try {
    let cursor = 0;
    let first = true;
    for (;;) {
      await wakeup.wait(signal);
      if (signal.aborted) return false;
      if (!first) await new Promise((resolve) => setTimeout(resolve, BATCH_MS));
      first = false;
      const answer = await deps.call('stream_agent_output', { id, cursor, limit: PAGE });
      if (!answer.ok) throw new Error(answer.message);
      const page = answer.structured as { events: AgentEvent[]; next_cursor: number; complete: boolean };
      const lines = page.events.flatMap((event) => renderEvent(event, { showRaw }));
      if (lines.length) deps.write(lines);
      cursor = page.next_cursor;
      if (page.complete) return true;
      // A full page: more is waiting now.
      if (page.events.length >= PAGE) wakeup.ring();
    }
  } finally {
    for (const l of listeners) l.dispose();
  }
}
