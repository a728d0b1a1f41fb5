/**
 * The supervisor of one agent run: a small detached process that owns the agent's pipes, so the
 * agent keeps logging after whoever started it has gone. It is the only writer of the run's
 * `run.json` while the run lives, and it answers steer / interrupt / kill over its control socket.
 */
import { SwitchboardError } from '../errors';
import { startTokenOf } from '../proc/processTable';
import { redactorFor, type Redactor } from '../redact';
import { runnerFor } from '../runners/runnerTable';
import { openConversation } from '../runners/conversation';
import type { Conversation, Runner, SpawnSpec, StartRequest } from '../runners/types';
import { StateMap, type RunPaths } from '../state/stateMap';
import { readKillMarker } from '../runs/killMarker';
import { isFinishedOnDisk } from '../runs/recordFile';
import { sweepStaleTemps } from '../store/staleTemps';
import type { Journal } from '../feed/journal';
import { EventLogWriter } from '../runs/eventLog';
import { fileSize, indexedBytes, lineStart, OutputFollower } from '../runs/outputLog';
import { RedactedOutputWriter } from '../runs/redactedOutput';
import { writeJsonAtomic } from '../store/atomicFile';
import type { AgentEventBody, RunLimits, RunRecord } from '../runs/types';
import { UsageMeter } from '../runs/usageMeter';
import { commitRunWork } from '../runs/runWork';
import { clipArgs } from '../runners/argLimits';
import { AgentProcess, type AgentExit } from './agentProcess';
import { ContainerAgent } from '../containers/containerAgent';
import { passedEnv } from '../containers/containerPlan';
import { Approvals } from './approvals';
import { isDiskFull, isNoSpace } from '../store/diskSpace';
import { ControlServer } from './controlServer';
import { OutputLines } from './outputLines';
import type { SupervisorPlan } from './plan';
import { takeRaisedLimits } from '../runs/raisedLimits';
import { RunFeed } from './runFeed';
import { armTimeLimit, crossedLimit } from './runLimits';
import type { LongTimeout } from '../longTimeout';
import { TurnTracker } from './turnTracker';
import { AgentStopper } from './agentStop';
import { RecordKeeper } from './recordKeeper';
import { addDenials, GOES_ON, nextRetrying } from './recordChanges';
import { diskFullReason, RunOutcome } from './runOutcome';
import { RunControl, type ControlledRun } from './runControl';
import { FinishingWork } from './finishingWork';

/** How often a running agent's disk is looked at (a full disk ends the run: its output is being lost). */
const DISK_CHECK_MS = 1000;

export class Supervisor {
  private readonly paths: RunPaths;
  private readonly runner: Runner;
  /** One per run: the same secret gets the same placeholder in every event, record field and line. */
  private readonly redactor: Redactor;
  private readonly output: OutputFollower;
  /** The output read as lines for the runner's parser (undefined for a plain-text runner). */
  private readonly lines: OutputLines | undefined;
  /** A plain-text runner's output with secrets redacted, as answers show it. */
  private readonly redactedOutput: RedactedOutputWriter | undefined;
  private readonly events: EventLogWriter;
  /** The run's record and events, written and told as they change. */
  private readonly book: RecordKeeper;
  private readonly server: ControlServer;
  private readonly usage: UsageMeter;
  private readonly turns: TurnTracker;
  private readonly approvals: Approvals;
  private readonly feed: RunFeed;
  private conversation: Conversation;
  private agent: AgentProcess | ContainerAgent | undefined;
  /** Answers the control socket's requests (steer, interrupt, kill, approve …). */
  private readonly control: RunControl;
  /** What decides how the run ends (a stop asked for, its last result, a full disk, a copy that failed). */
  private readonly outcome: RunOutcome;
  private readonly stopper: AgentStopper;
  /** Between the agent's exit and the final record: that exit, and the work a kill can stop. */
  private readonly finishing = new FinishingWork();
  /** The timer of the run's time limit, while it has one. */
  private timeLimit: LongTimeout | undefined;
  private resolveFinished!: () => void;
  /** Resolves once the run has ended and its final record is on disk. */
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly plan: SupervisorPlan,
    record: RunRecord,
    /** Added to the agent's environment (on top of the host's own). */
    private readonly env: Record<string, string> = {},
    /** The feed of the run's state folder, told of each change of the run. */
    journal?: Journal,
  ) {
    this.feed = new RunFeed(journal);
    this.redactor = redactorFor(plan.redaction, { ...process.env, ...env }, undefined);
    this.paths = new StateMap(plan.stateDir).run(plan.runId);
    this.runner = runnerFor(plan.runner, plan.request.settings.protocol);
    this.conversation = openConversation(this.runner, plan.request, env);
    this.usage = new UsageMeter(this.runner.usageScope, this.runner.costScope, plan.usageBaseline);
    const onIoError = (error: Error): void => (isNoSpace(error) ? this.stopForDisk() : this.book.noteError(`could not write the run's files: ${error.message}`));
    // A plain-text runner's output is not parsed: its redacted copy reads output.log itself as it grows.
    const plain = !this.runner.structured;
    this.lines = plain ? undefined : new OutputLines((line) => this.onLine(line), () => this.events.count);
    this.output = new OutputFollower(this.paths, this.lines && ((chunk, at) => this.lines!.push(chunk, at)), (bytes) => this.onOutputGrew(bytes), onIoError);
    this.redactedOutput = plain ? new RedactedOutputWriter(this.paths, this.redactor, this.output.bytes, onIoError) : undefined;
    this.events = new EventLogWriter(this.paths, record.eventCount, onIoError);
    this.server = new ControlServer(plan.controlSocket, (request) => this.control.handle(request), { label: `run ${plan.runId}` });
    const { paths, events, redactor, feed, output, lines } = this;
    this.book = new RecordKeeper(record, { paths, events, redactor, feed, output, lines, notify: (note) => this.server.notify(note), noSpace: () => this.stopForDisk() });
    this.outcome = new RunOutcome(paths, redactor);
    this.stopper = new AgentStopper(record.id, plan.killGraceMs, () => {
      const interrupt = this.conversation.interrupt?.(`sb-${Date.now()}`);
      return !!interrupt?.length && this.write(interrupt);
    });
    this.turns = new TurnTracker(() => this.agent?.endInput(), () => this.control.retire());
    this.approvals = new Approvals({
      answer: (request, allow, message) => this.write(this.conversation.answer?.(request, allow, message)),
      waiting: (waiting) => this.book.update({ waiting: this.redactor.value(waiting) }, true),
      emit: (body) => this.book.emit(body),
    });
    const run: ControlledRun = {
      agent: () => this.agent,
      conversation: () => this.conversation,
      finished: this.finished,
      write: (lines) => this.write(lines),
      exited: () => this.finishing.exit,
      stopFinishing: (force, source, laterMs = 0) => this.finishing.stopAfter((force ? 0 : plan.killGraceMs) + laterMs, source, this.finished),
      setLimits: (limits) => this.setLimits(limits),
    };
    this.control = new RunControl(run, { runner: this.runner, book: this.book, feed, redactor, outcome: this.outcome, stopper: this.stopper, turns: this.turns, approvals: this.approvals });
  }

  private get record(): RunRecord {
    return this.book.record;
  }

  /** Starts the control socket and the agent; resolves with the agent's pid, or rejects when it could not start. */
  async start(): Promise<RunRecord> {
    await this.server.listen();
    const startToken = startTokenOf(process.pid);
    if (startToken) this.record.supervisor = { pid: process.pid, startToken };
    const spec = this.runner.build(this.plan.request);
    // As the record was made (command line, then prompt): its placeholders are this redactor's first.
    this.redactor.args([spec.command, ...spec.args]);
    this.redactor.text(this.plan.request.prompt);
    this.keepContainerPlan();
    this.spawn(spec, this.plan.request, false);
    // Limits raised while it waited in line: taken once its record says it runs, so that none is missed (an agent that ended at once takes none).
    const raised = this.record.status === 'running' ? takeRaisedLimits(this.paths) : undefined;
    if (raised) await this.control.handle({ id: 0, op: 'limits', ...raised }).catch(() => undefined);
    this.armTimeLimit();
    this.watchDisk();
    const inContainer = this.agent instanceof ContainerAgent && (await this.agent.started);
    if (!this.agent?.pid && !inContainer) {
      const exit = await this.agent!.exited;
      await this.finish(exit);
      throw new SwitchboardError('spawn_failed', this.record.lastError ?? 'the agent could not be started');
    }
    return this.record;
  }

  /**
   * Takes over a container run whose supervisor died (its container ran on): it goes on from the
   * dead supervisor's last record — its usage rebuilt from the events that record counted, the
   * output parsed again from where it was (see resume) — its log is followed again from the bytes
   * the output log already has, its exit waited for, its container removed. Its limits hold as
   * they did: the time limit counts from the run's start, and a run already past one is stopped now.
   */
  async adopt(): Promise<RunRecord> {
    await this.server.listen();
    const container = this.plan.container;
    if (!container) throw new SwitchboardError('internal', `run ${this.record.id} has no container to take over`);
    const startToken = startTokenOf(process.pid);
    this.resume();
    const agent = new ContainerAgent(container, this.plan.runId, this.plan.stateDir, this.output.fd, { adopt: this.record.container?.id ?? '', logged: this.output.bytes }, this.plan.killGraceMs);
    void agent.started.then((ok) => ok && agent.id !== this.record.container?.id && this.book.update({ container: { ...this.record.container!, id: agent.id } }, true));
    this.agent = agent;
    this.output.start();
    this.book.update({ status: 'running', ...(startToken ? { supervisor: { pid: process.pid, startToken } } : {}) }, true);
    void agent.exited.then((exit) => this.onExit(exit));
    if (await agent.started) {
      this.armTimeLimit();
      this.checkUsageLimit();
      this.watchDisk();
    }
    return this.record;
  }

  /** Looks at the state folder's disk every second while the run lasts, and stops it when the disk is full. */
  private watchDisk(): void {
    const diskCheck = setInterval(() => isDiskFull(this.plan.stateDir) && this.stopForDisk(), DISK_CHECK_MS);
    void this.finished.then(() => clearInterval(diskCheck));
  }

  /**
   * Where the dead supervisor's last record left the run: its events up to the record's count are
   * kept (later ones, written after that record, go) and their usage and results counted again,
   * process by process as they came; the output is parsed again from the start of the line the
   * record's byte count was in (the dead one held that line's beginning, unparsed), so what it
   * parsed after that record comes again, once, and nothing it had not yet read is missed.
   */
  private resume(): void {
    // A record written before records held their parse mark: the start of the line its byte count was in.
    const mark = this.record.parsed ?? { bytes: this.lines ? lineStart(this.paths, this.record.outputBytes) : fileSize(this.paths.output), events: this.record.eventCount };
    for (const event of this.events.keepOnly(mark.events)) {
      if (event.type === 'usage') this.usage.add(event);
      else if (event.type === 'exit') this.usage.closeProcess();
      else if (event.type === 'result') this.outcome.lastResultOk = event.ok;
    }
    this.lines?.resumeAt({ bytes: mark.bytes, events: this.events.count });
    this.output.resumeAt(this.lines ? mark.bytes : fileSize(this.paths.output), indexedBytes(this.paths));
    this.output.catchUp();
    this.book.update({ usage: this.usage.total(this.plan.prices, this.runner.id, this.record.model) }, true);
  }

  /** A container run's plan, kept for a supervisor that takes the run over after this one died (without the prompt, which it does not need). */
  private keepContainerPlan(): void {
    if (this.plan.container) writeJsonAtomic(this.paths.containerPlan, { ...this.plan, request: { ...this.plan.request, prompt: '' } }, { durable: false });
  }

  /** The run's time limit, counted from its start (see armTimeLimit). */
  private armTimeLimit(): void {
    this.timeLimit?.clear();
    this.timeLimit = armTimeLimit(this.plan.limits, this.record.startedAt, this.finished, (reason) => void this.control.kill(false, reason));
  }

  /** New limits while the run runs (asked over the control socket): they hold from now on, and for a supervisor that takes the run over. */
  private setLimits(limits: RunLimits): void {
    this.plan.limits = limits;
    this.keepContainerPlan();
    this.armTimeLimit();
    this.checkUsageLimit();
  }

  /** Stops the run when its usage is past its token or cost limit. */
  private checkUsageLimit(): void {
    const crossed = crossedLimit(this.plan.limits, this.record.usage);
    // An agent that has exited is past stopping: its last usage does not decide how it ended.
    if (crossed && !this.finishing.exit) void this.control.kill(false, crossed);
  }

  private spawn(spec: SpawnSpec, request: StartRequest, resumed: boolean): void {
    const commandLine = clipArgs(this.redactor.args([spec.command, ...spec.args]));
    this.turns.reset();
    this.conversation = openConversation(this.runner, request, { ...this.env, ...spec.env });
    const container = this.plan.container;
    // A steered run's earlier container has ended: it goes.
    if (this.agent instanceof ContainerAgent) void this.agent.remove();
    if (container) {
      // A container gets the run's own variables and the credentials named in the settings, never the whole environment.
      const env = { ...passedEnv([...container.passEnv, ...container.runEnv], this.env), ...spec.env };
      const agent = new ContainerAgent(container, this.plan.runId, this.plan.stateDir, this.output.fd, { spec, env }, this.plan.killGraceMs);
      this.agent = agent;
      void agent.started.then((ok) => ok && this.book.update({ container: { ...this.record.container!, id: agent.id } }, true));
      this.record.container = { backend: container.context ? `${container.backend}:${container.context}` : container.backend, endpoint: container.endpoint, ...(container.copy ? { volume: container.copy.volume } : {}) };
    } else {
      this.agent = new AgentProcess({ ...spec, env: { ...this.env, ...spec.env } }, this.plan.request.cwd, this.output.fd, this.plan.agentNiceness);
    }
    this.output.start();
    const identity = this.agent.identity;
    const source = !resumed && this.record.startedBy ? { source: this.record.startedBy } : {};
    if (identity) this.book.emit({ type: 'spawn', pid: identity.pid, commandLine, resumed, ...source });
    this.book.update({ status: 'running', agent: identity, commandLine, startedAt: this.record.startedAt ?? Date.now() }, true);
    void this.agent.exited.then((exit) => this.onExit(exit));
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    this.turns.sawOutput();
    const read = this.conversation.read(line);
    if (!read) {
      // Not the runner's format: usually a warning or an error on stderr. Kept, never fatal.
      this.book.emit({ type: 'raw', stream: 'stderr', text: line.length > 4000 ? `${line.slice(0, 4000)}…` : line });
      return;
    }
    // Answers the protocol owes the agent (an ACP request served, its next request) go before anything else.
    this.write(read.replies);
    for (const event of read.events) this.onEvent(event);
  }

  /** Writes lines to the agent's stdin; false when there are none or its input is closed. */
  private write(lines: string[] | undefined): boolean {
    const agent = this.agent;
    return !!agent && !!lines && lines.every((line) => agent.writeLine(line));
  }

  private onEvent(parsed: AgentEventBody): void {
    // The approval request is kept as the agent sent it (it is answered by its id); what is recorded is redacted.
    const event = this.book.emit(parsed);
    if (event.type === 'retry') this.book.update({ retrying: nextRetrying(this.record.retrying, event, this.plan.request.settings.maxRetries) }, true);
    else if (this.record.retrying && GOES_ON.has(event.type)) this.book.update({ retrying: undefined }, true);
    if (event.type === 'session') this.book.update({ sessionId: event.sessionId, model: event.model ?? this.record.model }, true);
    if (event.type === 'usage') {
      this.usage.add(event);
      this.book.update({ usage: this.usage.total(this.plan.prices, this.runner.id, this.record.model) });
      this.checkUsageLimit();
    }
    if (parsed.type === 'waiting' && parsed.request) this.approvals.ask(parsed.request, parsed.reason);
    if (event.type === 'result') {
      this.approvals.clear();
      this.outcome.lastResultOk = event.ok;
      this.book.update({ resultText: event.text, lastError: event.ok ? undefined : event.error, ...(event.denials ? { permissionDenials: addDenials(this.record.permissionDenials, event.denials) } : {}) });
    }
    if (this.runner.isTurnEnd?.(event)) this.turns.turnEnded(this.outcome.stopReason !== undefined);
  }

  /**
   * The state folder's disk is full: the agent's output is being lost, so the agent is stopped at
   * once and the run ends failed, its final record written with the reserve (see diskSpace.ts).
   */
  private stopForDisk(): void {
    if (this.outcome.diskFull || this.record.status !== 'running' || !this.agent) return;
    this.outcome.diskFull = diskFullReason(this.plan.stateDir, this.output.bytes, 'so the agent was stopped');
    this.control.pendingResume = undefined;
    this.stopper.stop(this.agent, true);
  }

  private onOutputGrew(bytes: number): void {
    this.redactedOutput?.catchUp(bytes);
    this.book.outputGrew();
  }

  private async onExit(exit: AgentExit): Promise<void> {
    // From here the agent's exit decides the outcome: no request reaches it (see RunControl), unless a steer resumes it below.
    this.finishing.exit = exit;
    this.turns.reset();
    // Read what the agent wrote last (its final result line) before deciding anything.
    this.output.catchUp();
    this.lines?.flush(this.output.bytes);
    this.usage.closeProcess();
    const message = this.control.resumeAfter(exit);
    if (message !== undefined) {
      this.finishing.exit = undefined;
      this.book.emit({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal });
      const request = { ...this.plan.request, prompt: message, resumeSessionId: this.record.sessionId };
      this.spawn(this.runner.build(request), request, true);
      return;
    }
    await this.finish(exit);
  }

  private ending: Promise<void> | undefined;

  /** Ends the run once, however many paths lead here. */
  private finish(exit: AgentExit): Promise<void> {
    this.finishing.exit ??= exit;
    // Nothing the agent asked can be answered any more.
    this.approvals.clear();
    this.ending ??= this.finishOnce(exit);
    return this.ending;
  }

  private async finishOnce(exit: AgentExit): Promise<void> {
    const outcome = this.outcome;
    // An agent that died writing to a full disk (most do) failed for that reason.
    if (!outcome.diskFull && !outcome.stopReason && isDiskFull(this.plan.stateDir)) outcome.diskFull = diskFullReason(this.plan.stateDir, this.output.bytes, 'and the agent ended');
    if (this.agent instanceof ContainerAgent) {
      // Copy mode: the worktree comes back before its work is committed (a killed run's too).
      const agent = this.agent;
      const volume = this.record.container?.volume;
      // A kill's signal ends the copy's download and removes its containers; the volume, which has the work, stays.
      const copied = await this.finishing.race(agent.end(this.finishing.signal), (by) =>
        volume ? { said: `the copy-back of the worktree was stopped by ${by}: the agent's work is still in the Docker volume ${volume}`, ok: false } : undefined,
      );
      if (copied) this.book.update({ container: { ...this.record.container!, copyBack: copied.said } }, true);
      if (copied && !copied.ok) {
        this.book.emit({ type: 'error', message: copied.said });
        // A run whose work did not wholly come back is not done: it says where the rest is.
        outcome.copyFailed = copied.said;
      }
    }
    if (outcome.stopReason?.kind === 'kill' && this.record.agent) await this.stopper.sweep(this.record.agent);
    // Killed by a process that could not reach this supervisor: it said why before it signalled the agent.
    if (!outcome.stopReason) outcome.killedElsewhere = readKillMarker(this.paths)?.reason;
    if (outcome.killedElsewhere && isFinishedOnDisk(this.paths)) this.feed.endToldElsewhere = true;
    this.book.emit({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal });
    const status = outcome.status(exit);
    const lastError = status === 'done' ? undefined : outcome.reason(exit, this.record.lastError);
    // In a worktree of its own, what the agent left is committed on its branch before anyone hears it ended.
    const worktree = this.record.worktree && { ...this.record.worktree, end: await commitRunWork({ ...this.record, status, worktree: this.record.worktree }, this.finishing.signal) };
    this.book.stopOutputNotes();
    this.output.close();
    this.redactedOutput?.close(this.output.bytes);
    this.events.close();
    this.book.update({ status, exitCode: exit.exitCode, signal: exit.signal, endedAt: Date.now(), lastError, retrying: undefined, ...(worktree ? { worktree } : {}) }, true);
    this.server.notify({ note: 'output', bytes: this.output.bytes });
    this.resolveFinished();
  }

  /** The supervisor itself was asked to stop: stop the run with it. */
  async stopFromSignal(signal: string): Promise<void> {
    await this.control.kill(false, `signal ${signal} to the supervisor`);
  }

  async close(): Promise<void> {
    this.feed.dispose();
    // Until its end is on disk, only this supervisor knows it: its socket stays open to tell whoever asks.
    await this.book.onDisk();
    // The run has ended: temp files of its folder left by writers that died (see staleTemps.ts) go with it.
    sweepStaleTemps(this.paths.dir);
    await this.server.close();
  }
}
