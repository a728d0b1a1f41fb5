/** Streams a run's output to the terminal until it ends: readable events, or the raw bytes. */
import { renderEvent } from '../core/render';
import type { RunRegistry } from '../core/registry/registry';
import { isFinished, type AgentEvent, type RunRecord } from '../core/runs/types';
import { getRunner } from '../core/runners/runnerTable';

export interface FollowOptions {
  raw: boolean;
  follow: boolean;
  write: (text: string) => void;
}

/** Prints what the run has written so far and, with `follow`, everything after until it ends. */
export async function printOutput(registry: RunRegistry, run: RunRecord, options: FollowOptions): Promise<RunRecord> {
  const raw = options.raw || !getRunner(run.runner).structured;
  let cursor = 0;
  let lastSeq = 0;
  const flushRaw = (): void => {
    for (;;) {
      const chunk = registry.readOutput(run.id, { cursor }, 1024 * 1024);
      if (chunk.data.length === 0) return;
      options.write(chunk.data.toString('utf8'));
      cursor = chunk.nextCursor;
    }
  };
  const print = (event: AgentEvent): void => {
    if (event.seq <= lastSeq) return;
    lastSeq = event.seq;
    for (const line of renderEvent(event)) options.write(`${line}\n`);
  };
  const flushEvents = (): void => registry.events(run.id, lastSeq).forEach(print);
  const flush = raw ? flushRaw : flushEvents;
  flush();
  if (!options.follow || isFinished(registry.resolve(run.id).status)) return registry.resolve(run.id);
  const subscriptions = raw
    ? [registry.onDidOutput((o) => o.runId === run.id && flushRaw())]
    : [registry.onDidAppendEvent((e) => {
        if (e.runId !== run.id) return;
        if (e.event.seq > lastSeq + 1) flushEvents();
        print(e.event);
      })];
  try {
    const { record } = await registry.wait(run.id);
    flush();
    return record;
  } finally {
    subscriptions.forEach((s) => s.dispose());
  }
}
