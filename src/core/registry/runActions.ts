/**
 * What the registry does to a run (RunActions): kill, interrupt, steer and approve, asked of the
 * run's supervisor over its control socket (a kill done from here when none answers), and waiting
 * for a queued run to start or for a run to end.
 */
import type { SwitchboardConfig } from '../config';
import type { Event } from '../events';
import { SwitchboardError } from '../errors';
import type { Logger } from '../logger';
import { setLongTimeout, type LongTimeout } from '../longTimeout';
import type { StateMap } from '../state/stateMap';
import { limitStop } from '../supervisor/runLimits';
import { killTree } from '../proc/killTree';
import { runMarker } from '../runs/runMarker';
import { isSameProcessAlive } from '../proc/processTable';
import { isFinished, type RunRecord } from '../runs/types';
import { KILL_ANSWER_MARGIN_MS, type ApproveResult, type InterruptResult, type KillResult, type SteerResult } from '../supervisor/protocol';
import { dropPlan } from '../supervisor/plan';
import type { Pools } from '../pools/pools';
import type { RunChange, RunTracker } from './runTracker';

/** How long a kill waits for a run whose host took its plan to be running (a host takes it only to start it at once). */
const START_WAIT_MS = 15_000;

/** What controlling runs needs of the registry (RunRegistry). */
export interface RunActionsHost {
  readonly config: SwitchboardConfig;
  readonly onDidChange: Event<RunChange>;
  resolve(query: string): RunRecord;
}

export class RunActions {
  constructor(
    private readonly registry: RunActionsHost,
    private readonly tracker: Pick<RunTracker, 'client' | 'finishUnsupervised' | 'get' | 'noteKill' | 'reload'>,
    private readonly paths: StateMap,
    private readonly pools: Pick<Pools, 'release'>,
    private readonly log: Logger,
  ) {}

  async kill(query: string, options: { force?: boolean; source: string }): Promise<KillResult> {
    const run = this.registry.resolve(query);
    if (isFinished(run.status)) return { killed: false, pid: run.agent?.pid, status: run.status };
    if (run.status === 'queued' && !run.supervisor) {
      // Still waiting for a slot. Whoever removes its plan has it: taken here, it can never start; then it leaves the line.
      const taken = dropPlan(this.paths.run(run.id).plan);
      // Its plan already taken: a host is starting it this moment. Once it runs it is killed as any running run.
      const started = taken ? run : await this.whenStarted(run.id, START_WAIT_MS);
      if (started.status !== 'queued') return this.kill(run.id, options);
      await this.pools.release(run.id);
      const record = this.tracker.finishUnsupervised(run.id, 'killed', `killed by ${options.source} while waiting for a slot`);
      return { killed: true, status: record?.status ?? 'killed' };
    }
    const client = this.tracker.client(run.id);
    if (client) {
      try {
        // Its answer comes once the agent is gone: within the grace time, and a little more.
        return await client.request<KillResult>({ op: 'kill', force: options.force ?? false, source: options.source }, this.registry.config.killGraceMs + KILL_ANSWER_MARGIN_MS);
      } catch (error) {
        // A supervisor that does not answer, or went away while asked (its host was killed), leaves the kill to us.
        if ((error as SwitchboardError).code !== 'unresponsive' && client.isOpen) throw error;
        this.log.warn(`the supervisor of ${run.name} ${client.isOpen ? 'does not answer' : 'went away'}; its process tree is killed from here`);
      }
    }
    // No supervisor to ask (or none that answers): the agent (if it still lives) is killed from here.
    if (run.agent && isSameProcessAlive(run.agent)) {
      // Its supervisor may still live (only unreachable) and record the agent's death as a failure: the kill is noted first so it sticks.
      // A limit (`its time limit of …`) stops a run, as its supervisor would have said; a person or a process kills it.
      const reason = limitStop(options.source) ?? `killed by ${options.source}`;
      this.tracker.noteKill(run.id, reason);
      await killTree(run.agent, { signal: 'SIGTERM', graceMs: options.force ? 0 : this.registry.config.killGraceMs, marker: runMarker(run.id) });
      const record = this.tracker.finishUnsupervised(run.id, 'killed', reason);
      return { killed: true, pid: run.agent.pid, status: record?.status ?? 'killed' };
    }
    const record = await this.tracker.reload(run.id);
    if (record && !isFinished(record.status) && record.agent && !isSameProcessAlive(record.agent)) {
      // Its agent is gone and no supervisor answers: nothing runs. It is recorded killed, so that waits end.
      const reason = `killed by ${options.source} (its agent had already exited, and its supervisor did not answer)`;
      this.tracker.noteKill(run.id, reason);
      const done = this.tracker.finishUnsupervised(run.id, 'killed', reason);
      return { killed: false, pid: record.agent.pid, status: done?.status ?? 'killed' };
    }
    return { killed: false, pid: run.agent?.pid, status: record?.status ?? run.status };
  }

  async interrupt(query: string, source: string): Promise<InterruptResult> {
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (client) return client.request<InterruptResult>({ op: 'interrupt', source });
    if (run.agent && isSameProcessAlive(run.agent)) {
      process.kill(run.agent.pid, 'SIGINT');
      return { delivered: 'signal' };
    }
    throw new SwitchboardError('not_running', `Run ${run.name} is no longer running.`);
  }

  async steer(query: string, message: string, source: string): Promise<SteerResult> {
    if (!message.trim()) throw new SwitchboardError('invalid_argument', 'The steering message is empty.', 'Say what the agent should do differently.');
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (!client) {
      throw new SwitchboardError('not_steerable', `Run ${run.name} lost its supervisor, so nothing can reach its input.`, 'It can still be killed; start a new run to continue.');
    }
    return client.request<SteerResult>({ op: 'steer', message, source });
  }

  /** Answers the oldest tool call the run asks approval for. */
  async approve(query: string, allow: boolean, source: string, message?: string): Promise<ApproveResult> {
    const run = this.requireRunning(query);
    const client = this.tracker.client(run.id);
    if (!client) throw new SwitchboardError('not_steerable', `Run ${run.name} lost its supervisor, so nothing can reach its input.`, 'Kill it, or let it time out.');
    return client.request<ApproveResult>({ op: 'approve', allow, source, ...(message ? { message } : {}) });
  }

  private requireRunning(query: string): RunRecord {
    const run = this.registry.resolve(query);
    if (run.status !== 'running') {
      throw new SwitchboardError('not_running', `Run ${run.name} is ${run.status}, not running.`, run.runner !== 'custom' && run.sessionId ? 'Its session can be resumed with a new run.' : undefined);
    }
    return run;
  }

  /** Resolves once a queued run has left the line (started, or ended), or after `timeoutMs` with the run as it is then. */
  whenStarted(query: string, timeoutMs?: number): Promise<RunRecord> {
    const id = this.registry.resolve(query).id;
    return new Promise((resolve) => {
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        listener.dispose();
        resolve(this.registry.resolve(id));
      }, timeoutMs);
      const check = (): void => {
        const run = this.tracker.get(id);
        if (run?.status === 'queued') return;
        listener.dispose();
        clearTimeout(timer);
        resolve(run ?? this.registry.resolve(id));
      };
      const listener = this.registry.onDidChange(({ run }) => run.id === id && check());
      check();
    });
  }

  /** Resolves when the run ends, or after `timeoutMs` with `timedOut: true` and the run still going. */
  wait(query: string, timeoutMs?: number): Promise<{ record: RunRecord; timedOut: boolean }> {
    const run = this.registry.resolve(query);
    if (isFinished(run.status)) return Promise.resolve({ record: run, timedOut: false });
    return new Promise((resolve) => {
      let timer: LongTimeout | undefined;
      const listener = this.registry.onDidChange((change) => {
        if (change.run.id !== run.id || !isFinished(change.run.status)) return;
        timer?.clear();
        listener.dispose();
        resolve({ record: change.run, timedOut: false });
      });
      if (timeoutMs !== undefined) {
        timer = setLongTimeout(() => {
          listener.dispose();
          resolve({ record: this.tracker.get(run.id) ?? run, timedOut: true });
        }, timeoutMs);
      }
    });
  }
}
