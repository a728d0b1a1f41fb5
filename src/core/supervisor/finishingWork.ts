/**
 * What a run does between its agent's exit and its final record (a container's copy-back, the
 * commit of its worktree). Once the agent has exited, the run's outcome is that exit's: a kill that
 * comes meanwhile changes nothing of it and reaches no agent; it only bounds how long the finishing
 * work may still take (the kill grace time, none when forced) before that work is stopped.
 */
import type { AgentExit } from './agentProcess';
import { KILL_ANSWER_MARGIN_MS } from './protocol';

/** How long finishing work a kill stopped may take to wind down before the run ends without waiting for it. */
const WIND_DOWN_MS = 2_000;
/**
 * A kill that came while the agent ran: the finishing work that follows (a killed run's copy-back,
 * its commit) is stopped once it still goes this long past the grace time, so that, wound down, the
 * run has ended and the kill is answered within the margin its asker waits (a second short).
 */
export const AFTER_KILL_MS = KILL_ANSWER_MARGIN_MS - WIND_DOWN_MS - 1_000;

export class FinishingWork {
  private readonly controller = new AbortController();
  /** The agent's exit, once the run is finishing (undefined while its agent runs, or a new one is resumed). */
  exit: AgentExit | undefined;

  /** Aborted (its reason: who stopped it) when a kill stops the finishing work. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A kill came (while the run finishes, or before): what is left of its work is stopped after `graceMs`, unless it is done by then. */
  stopAfter(graceMs: number, source: string, finished: Promise<void>): void {
    const timer = setTimeout(() => this.controller.abort(`a kill by ${source}`), graceMs);
    void finished.then(() => clearTimeout(timer));
  }

  /**
   * `work`'s result, or `stopped`'s (told who stopped it) if a kill stops the finishing work first.
   * The kill's signal stops the work itself too (its download ended, its containers removed): it is
   * given WIND_DOWN_MS to be done with that, so that nothing of it runs on once the run has ended,
   * unless the engine it waits on does not answer.
   */
  race<T>(work: Promise<T>, stopped: (by: string) => T): Promise<T> {
    const signal = this.controller.signal;
    const windDown = async (): Promise<T> => {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, WIND_DOWN_MS)))]);
      clearTimeout(timer);
      return stopped(String(signal.reason));
    };
    if (signal.aborted) return windDown();
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => void windDown().then(resolve);
      signal.addEventListener('abort', onAbort, { once: true });
      // Once stopped, what the work makes of that is not its result: the kill's is.
      work
        .then(
          (value) => {
            if (!signal.aborted) resolve(value);
          },
          (error: unknown) => {
            if (!signal.aborted) reject(error);
          },
        )
        .finally(() => signal.removeEventListener('abort', onAbort));
    });
  }
}

/** How an agent ended, as a run's answers say it ("exited with code 0", "was ended by SIGTERM"). */
export function agentExitWords(exit: AgentExit): string {
  if (exit.signal) return `was ended by ${exit.signal}`;
  return exit.exitCode === undefined ? 'ended' : `exited with code ${exit.exitCode}`;
}
