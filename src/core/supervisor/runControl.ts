/**
 * What a run's control socket is asked, as its supervisor answers it: steer (live into the agent's
 * input, or by interrupting it and resuming its session with the message), interrupt, kill, approve,
 * new limits, and a client's subscribe / rewrite / ping. Each intervention is recorded as an event and told to
 * the feed; a stop asked for is kept for how the run ends, a message to resume with for the agent's exit.
 */
import { SwitchboardError } from '../errors';
import type { Redactor } from '../redact';
import type { Conversation, Runner } from '../runners/types';
import type { RunLimits, RunRecord } from '../runs/types';
import type { ContainerAgent } from '../containers/containerAgent';
import type { AgentExit, AgentProcess } from './agentProcess';
import type { AgentStopper } from './agentStop';
import type { Approvals } from './approvals';
import { AFTER_KILL_MS, agentExitWords } from './finishingWork';
import type { ControlRequest, InterruptResult, KillResult, SteerResult } from './protocol';
import type { RecordKeeper } from './recordKeeper';
import type { RunFeed } from './runFeed';
import type { RunOutcome } from './runOutcome';
import type { TurnTracker } from './turnTracker';

/** The run as it is now, as its supervisor shows it to the requests. */
export interface ControlledRun {
  /** The agent of the run's current turn, once one was started. */
  agent(): AgentProcess | ContainerAgent | undefined;
  /** The conversation the runner speaks with that agent. */
  conversation(): Conversation;
  /** Resolves once the run has ended and its final record is on disk. */
  readonly finished: Promise<void>;
  /** Writes lines to the agent's stdin; false when there are none or its input is closed. */
  write(lines: string[] | undefined): boolean;
  /** The agent's exit while the run finishes (its copy-back, its commit); undefined while the agent runs. */
  exited(): AgentExit | undefined;
  /** A kill came: the run's finishing work is stopped after the grace time (none if `force`) and `laterMs` more. */
  stopFinishing(force: boolean, source: string, laterMs?: number): void;
  /** The run's hard limits are these from now on: its time limit armed again, its usage measured against them. */
  setLimits(limits: RunLimits): void;
}

/** What the requests are carried out with: the run's runner and its supervisor's collaborators. */
export interface ControlParts {
  runner: Runner;
  book: RecordKeeper;
  feed: RunFeed;
  redactor: Redactor;
  outcome: RunOutcome;
  stopper: AgentStopper;
  turns: TurnTracker;
  approvals: Approvals;
}

export class RunControl {
  /** The steering an interrupted agent is resumed with once it has exited (interrupt-resume steering). */
  pendingResume: string | undefined;

  constructor(private readonly run: ControlledRun, private readonly parts: ControlParts) {}

  private get record(): RunRecord {
    return this.parts.book.record;
  }

  /** Answers a request; what it refuses is a rejection, never a throw. */
  async handle(request: ControlRequest): Promise<unknown> {
    switch (request.op) {
      case 'subscribe':
        // Everything emitted before the subscription is on disk, everything after is pushed: no gap.
        this.parts.book.flushEvents();
        return Promise.resolve(this.record);
      case 'rewrite':
        this.parts.book.writeNow();
        return Promise.resolve(this.record);
      case 'steer':
        return Promise.resolve(this.steer(request.message, request.source));
      case 'interrupt':
        return Promise.resolve(this.interrupt(request.source));
      case 'kill':
        return this.kill(request.force, request.source);
      case 'approve':
        this.requireRunning();
        return Promise.resolve(this.parts.approvals.answer(request.allow, request.source, request.message));
      case 'limits':
        return Promise.resolve(this.limits(request.limits, request.source));
      case 'ping':
        return Promise.resolve({ pid: process.pid });
      case 'launch':
      case 'keep':
        return Promise.reject(new SwitchboardError('invalid_argument', `${request.op} goes to the supervisor host, not to a run`));
    }
  }

  private requireRunning(): AgentProcess | ContainerAgent {
    const agent = this.run.agent();
    if (this.record.status !== 'running' || !agent) {
      throw new SwitchboardError('not_running', `Run ${this.record.name} is ${this.record.status}, not running.`);
    }
    const finishing = this.finishingWords();
    if (finishing) throw new SwitchboardError('not_running', `Run ${this.record.name} ${finishing}.`, this.record.sessionId ? 'Its session can be resumed with a new run once it has ended.' : undefined);
    return agent;
  }

  /** "is finishing: its agent already exited with code 0" while the run finishes, else undefined. */
  private finishingWords(): string | undefined {
    const exit = this.run.exited();
    return exit && `is finishing: its agent already ${agentExitWords(exit)}`;
  }

  private steer(message: string, source: string): SteerResult {
    const { runner, book, feed, redactor } = this.parts;
    const agent = this.requireRunning();
    const conversation = this.run.conversation();
    if (runner.steering === 'live' && conversation.steer) {
      const lines = conversation.steer(message);
      if (!lines || (lines.length && !this.run.write(lines))) {
        throw new SwitchboardError('not_running', `Run ${this.record.name} has finished reading input; it can no longer be steered.`, 'Resume its session with a new run instead.');
      }
      this.parts.turns.messageSent();
      book.emit({ type: 'steer', message, delivery: 'live', source });
      feed.intervention(this.record, { action: 'steer', source, message: redactor.text(message), delivery: 'live' });
      return { delivery: 'live' };
    }
    if (runner.steering === 'interrupt-resume') {
      if (!this.record.sessionId) {
        throw new SwitchboardError('not_steerable', `Run ${this.record.name} has not reported its session id yet, so it cannot be resumed.`, 'Try again in a moment.');
      }
      this.pendingResume = this.pendingResume === undefined ? message : `${this.pendingResume}\n\n${message}`;
      book.emit({ type: 'steer', message, delivery: 'interrupt-resume', source });
      feed.intervention(this.record, { action: 'steer', source, message: redactor.text(message), delivery: 'interrupt-resume' });
      this.parts.stopper.stop(agent, false);
      return { delivery: 'interrupt-resume' };
    }
    throw new SwitchboardError('not_steerable', `The ${runner.displayName} runner cannot be steered.`, 'Kill the run and start a new one with the new instruction.');
  }

  /** New hard limits (a goal's budget extended), recorded and told as an intervention; the run as it is then. */
  private limits(limits: RunLimits, source: string): RunRecord {
    this.requireRunning();
    this.parts.book.emit({ type: 'control', action: 'limits', source, limits });
    this.parts.book.update({ limits }, true);
    this.run.setLimits(limits);
    return this.record;
  }

  private interrupt(source: string): InterruptResult {
    const agent = this.requireRunning();
    this.parts.outcome.stopReason ??= { kind: 'interrupt', source };
    this.pendingResume = undefined;
    this.parts.book.emit({ type: 'control', action: 'interrupt', source });
    this.parts.feed.intervention(this.record, { action: 'interrupt', source });
    return { delivered: this.parts.stopper.stop(agent, false) };
  }

  /**
   * The agent exited: the steering to resume its session with, when a steer interrupted it (and no
   * stop was asked since). What the interrupted process asked approval of went with it: its request
   * ids mean nothing to the next one, so they are cleared.
   */
  resumeAfter(exit: AgentExit): string | undefined {
    const message = this.pendingResume;
    if (message === undefined || this.parts.outcome.stopReason || !this.record.sessionId || exit.spawnError) return undefined;
    this.pendingResume = undefined;
    this.parts.approvals.clear();
    return message;
  }

  /** The agent stayed after its last turn, its input closed (see TurnTracker): stopped gently, its work counted done. */
  retire(): void {
    const agent = this.run.agent();
    if (!agent || this.run.exited() || this.parts.outcome.stopReason) return;
    this.parts.outcome.retired = true;
    this.parts.stopper.stop(agent, false);
  }

  /** Stops the run (gently unless `force`) and answers once it has ended, its final record on disk. */
  async kill(force: boolean, source: string): Promise<KillResult> {
    const agent = this.run.agent();
    if (this.record.status !== 'running' || !agent) return { killed: false, pid: this.record.agent?.pid, status: this.record.status };
    const exit = this.run.exited();
    if (exit) {
      // Its agent is gone and the outcome is its exit's: the kill only bounds the finishing work, and answers once the run has ended.
      this.run.stopFinishing(force, source);
      await this.run.finished;
      const finishing = `${this.record.name} was finishing when the kill came: its agent had already ${agentExitWords(exit)}`;
      return { killed: false, pid: this.record.agent?.pid, status: this.record.status, finishing };
    }
    this.parts.book.emit({ type: 'control', action: 'kill', source, force });
    this.parts.feed.intervention(this.record, { action: 'kill', source });
    this.parts.outcome.stopReason = { kind: 'kill', source };
    this.pendingResume = undefined;
    this.parts.stopper.killing(agent);
    this.parts.stopper.stop(agent, force);
    // What the run's end does after its agent is gone (its copy-back, its commit) is bounded too, so that this answer comes when its asker waits for it.
    this.run.stopFinishing(force, source, AFTER_KILL_MS);
    await this.run.finished;
    return { killed: true, pid: this.record.agent?.pid, status: this.record.status };
  }
}
