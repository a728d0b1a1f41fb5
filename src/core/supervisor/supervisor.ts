/**
 * The supervisor of one agent run: a small detached process that owns the agent's pipes, so the
 * agent keeps logging after whoever started it has gone. It is the only writer of the run's
 * `run.json` while the run lives, and it answers steer / interrupt / kill over its control socket.
 */
import { SwitchboardError } from '../errors';
import { killTree, treeMembers } from '../proc/killTree';
import { runMarker } from '../runs/runMarker';
import { startTokenOf, type ProcessEntry } from '../proc/processTable';
import { redactorFor, type Redactor } from '../redact';
import { runnerFor } from '../runners/runnerTable';
import { openConversation } from '../runners/conversation';
import type { Conversation, Runner, SpawnSpec, StartRequest } from '../runners/types';
import { StateMap, type RunPaths } from '../state/stateMap';
import type { Journal } from '../feed/journal';
import { EventLogWriter } from '../runs/eventLog';
import { fileSize, indexedBytes, lineStart, OutputFollower, readTail } from '../runs/outputLog';
import { RedactedOutputWriter } from '../runs/redactedOutput';
import { writeRecord } from '../runs/recordFile';
import { writeJsonAtomic } from '../store/atomicFile';
import type { AgentEventBody, RunRecord } from '../runs/types';
import { UsageMeter } from '../runs/usageMeter';
import { commitRunWork } from '../runs/runWork';
import { clipArgs, clipMessage } from '../runners/argLimits';
import { AgentProcess, type AgentExit } from './agentProcess';
import { ContainerAgent } from '../containers/containerAgent';
import { passedEnv } from '../containers/containerPlan';
import { Approvals } from './approvals';
import { hostLog } from './hostLog';
import { isDiskFull, isNoSpace } from '../store/diskSpace';
import { ControlServer } from './controlServer';
import { OutputLines } from './outputLines';
import type { SupervisorPlan } from './plan';
import type { ControlRequest, InterruptResult, KillResult, SteerResult } from './protocol';
import { RunFeed } from './runFeed';
import { crossedLimit, limitStop, timeLimitReason } from './runLimits';
import { TurnTracker } from './turnTracker';

const RECORD_WRITE_MS = 200;
/** How often a running agent's disk is looked at (a full disk ends the run: its output is being lost). */
const DISK_CHECK_MS = 1000;
/** Events that say the agent went on after retrying a model call: the call got through. */
const GOES_ON: ReadonlySet<AgentEventBody['type']> = new Set(['text', 'tool_call', 'tool_result', 'usage', 'result']);
/** The most refused tool calls a record keeps (the events have them all). */
const MAX_DENIALS = 20;

/** The retry the CLI announced, over what earlier lines of the same series said (Qwen Code names the status on another line). */
function nextRetrying(current: RunRecord['retrying'], event: Extract<AgentEventBody, { type: 'retry' }>, maxRetries: number | undefined): RunRecord['retrying'] {
  const { type: _type, ...said } = event;
  return { ...(maxRetries !== undefined ? { of: maxRetries } : {}), ...current, ...said, since: current?.since ?? Date.now() };
}

/** The run's refused tool calls so far, each once. */
function addDenials(known: RunRecord['permissionDenials'] = [], denials: NonNullable<RunRecord['permissionDenials']>): RunRecord['permissionDenials'] {
  const seen = new Set(known.map((d) => d.id ?? `${d.tool}\0${d.what ?? ''}`));
  const fresh = denials.filter((d) => !seen.has(d.id ?? `${d.tool}\0${d.what ?? ''}`));
  return fresh.length ? [...known, ...fresh].slice(0, MAX_DENIALS) : known;
}
const OUTPUT_NOTIFY_MS = 100;
const MAX_EVENT_OUTPUT = 32 * 1024;

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
  private readonly server: ControlServer;
  private readonly usage: UsageMeter;
  private readonly turns: TurnTracker;
  private readonly approvals: Approvals;
  private readonly feed: RunFeed;
  private conversation: Conversation;
  private agent: AgentProcess | ContainerAgent | undefined;
  private pendingResume: string | undefined;
  private stopReason: { kind: 'kill' | 'interrupt'; source: string } | undefined;
  private lastResultOk: boolean | undefined;
  /** Why the run is failing for want of disk space, once it is. */
  private diskFull: string | undefined;
  /** Copy mode: what of the worktree did not come back, and where it is (the run then ends failed). */
  private copyFailed: string | undefined;
  /** The agent's process tree as it was when a kill began, so children that leave its session are still swept. */
  private treeAtKill: ProcessEntry[] = [];
  private recordTimer: NodeJS.Timeout | undefined;
  private outputTimer: NodeJS.Timeout | undefined;
  private resolveFinished!: () => void;
  /** Resolves once the run has ended and its final record is on disk. */
  readonly finished = new Promise<void>((resolve) => (this.resolveFinished = resolve));

  constructor(
    private readonly plan: SupervisorPlan,
    private record: RunRecord,
    /** Added to the agent's environment (on top of the host's own). */
    private readonly env: Record<string, string> = {},
    /** The feed of the run's state folder, told of each change of the run. */
    journal?: Journal,
  ) {
    this.feed = new RunFeed(journal);
    this.redactor = redactorFor(plan.redaction, { ...process.env, ...env }, undefined);
    this.paths = new StateMap(plan.stateDir).run(plan.runId);
    this.runner = runnerFor(plan.runner, plan.request.settings.protocol);
    this.conversation = openConversation(this.runner, plan.request);
    this.usage = new UsageMeter(this.runner.usageScope, this.runner.costScope, plan.usageBaseline);
    const onIoError = (error: Error): void => (isNoSpace(error) ? this.stopForDisk() : this.noteError(`could not write the run's files: ${error.message}`));
    // A plain-text runner's output is not parsed: its redacted copy reads output.log itself as it grows.
    const plain = !this.runner.structured;
    this.lines = plain ? undefined : new OutputLines((line) => this.onLine(line), () => this.events.count);
    this.output = new OutputFollower(this.paths, this.lines && ((chunk, at) => this.lines!.push(chunk, at)), (bytes) => this.onOutputGrew(bytes), onIoError);
    this.redactedOutput = plain ? new RedactedOutputWriter(this.paths, this.redactor, this.output.bytes, onIoError) : undefined;
    this.events = new EventLogWriter(this.paths, record.eventCount, onIoError);
    this.server = new ControlServer(plan.controlSocket, (request) => this.handle(request), { label: `run ${plan.runId}` });
    this.turns = new TurnTracker(() => this.agent?.endInput());
    this.approvals = new Approvals({
      answer: (request, allow, message) => this.write(this.conversation.answer?.(request, allow, message)),
      waiting: (waiting) => this.update({ waiting: this.redactor.value(waiting) }, true),
      emit: (body) => this.emit(body),
    });
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
    if (this.plan.container) {
      // Kept for a supervisor that takes the run over after this one died (without the prompt, which it does not need).
      writeJsonAtomic(this.paths.containerPlan, { ...this.plan, request: { ...this.plan.request, prompt: '' } }, { durable: false });
    }
    this.spawn(spec, this.plan.request, false);
    this.armTimeLimit();
    const diskCheck = setInterval(() => isDiskFull(this.plan.stateDir) && this.stopForDisk(), DISK_CHECK_MS);
    void this.finished.then(() => clearInterval(diskCheck));
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
    void agent.started.then((ok) => ok && agent.id !== this.record.container?.id && this.update({ container: { ...this.record.container!, id: agent.id } }, true));
    this.agent = agent;
    this.output.start();
    this.update({ status: 'running', ...(startToken ? { supervisor: { pid: process.pid, startToken } } : {}) }, true);
    void agent.exited.then((exit) => this.onExit(exit));
    if (await agent.started) {
      this.armTimeLimit();
      this.checkUsageLimit();
    }
    return this.record;
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
      else if (event.type === 'result') this.lastResultOk = event.ok;
    }
    this.lines?.resumeAt({ bytes: mark.bytes, events: this.events.count });
    this.output.resumeAt(this.lines ? mark.bytes : fileSize(this.paths.output), indexedBytes(this.paths));
    this.output.catchUp();
    this.update({ usage: this.usage.total(this.plan.prices, this.runner.id, this.record.model) }, true);
  }

  /** The run's time limit, counted from its start (kept by a supervisor that takes the run over): stopped at once when it is past. */
  private armTimeLimit(): void {
    const limits = this.plan.limits;
    if (!limits?.timeoutMs) return;
    const left = (this.record.startedAt ?? Date.now()) + limits.timeoutMs - Date.now();
    const timer = setTimeout(() => void this.kill(false, timeLimitReason(limits)), Math.max(0, left));
    void this.finished.then(() => clearTimeout(timer));
  }

  /** Stops the run when its usage is past its token or cost limit. */
  private checkUsageLimit(): void {
    const crossed = crossedLimit(this.plan.limits, this.record.usage);
    if (crossed) void this.kill(false, crossed);
  }

  private spawn(spec: SpawnSpec, request: StartRequest, resumed: boolean): void {
    const commandLine = clipArgs(this.redactor.args([spec.command, ...spec.args]));
    this.turns.reset();
    this.conversation = openConversation(this.runner, request);
    const container = this.plan.container;
    // A steered run's earlier container has ended: it goes.
    if (this.agent instanceof ContainerAgent) void this.agent.remove();
    if (container) {
      // A container gets the run's own variables and the credentials named in the settings, never the whole environment.
      const env = { ...passedEnv([...container.passEnv, ...container.runEnv], this.env), ...spec.env };
      const agent = new ContainerAgent(container, this.plan.runId, this.plan.stateDir, this.output.fd, { spec, env }, this.plan.killGraceMs);
      this.agent = agent;
      void agent.started.then((ok) => ok && this.update({ container: { ...this.record.container!, id: agent.id } }, true));
      this.record.container = { backend: container.context ? `${container.backend}:${container.context}` : container.backend, endpoint: container.endpoint, ...(container.copy ? { volume: container.copy.volume } : {}) };
    } else {
      this.agent = new AgentProcess({ ...spec, env: { ...this.env, ...spec.env } }, this.plan.request.cwd, this.output.fd, this.plan.agentNiceness);
    }
    this.output.start();
    const identity = this.agent.identity;
    const source = !resumed && this.record.startedBy ? { source: this.record.startedBy } : {};
    if (identity) this.emit({ type: 'spawn', pid: identity.pid, commandLine, resumed, ...source });
    this.update({ status: 'running', agent: identity, commandLine, startedAt: this.record.startedAt ?? Date.now() }, true);
    void this.agent.exited.then((exit) => this.onExit(exit));
  }

  private onLine(line: string): void {
    if (!line.trim()) return;
    this.turns.sawOutput();
    const read = this.conversation.read(line);
    if (!read) {
      // Not the runner's format: usually a warning or an error on stderr. Kept, never fatal.
      this.emit({ type: 'raw', stream: 'stderr', text: line.length > 4000 ? `${line.slice(0, 4000)}…` : line });
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
    const event = this.emit(parsed);
    if (event.type === 'retry') this.update({ retrying: nextRetrying(this.record.retrying, event, this.plan.request.settings.maxRetries) }, true);
    else if (this.record.retrying && GOES_ON.has(event.type)) this.update({ retrying: undefined }, true);
    if (event.type === 'session') this.update({ sessionId: event.sessionId, model: event.model ?? this.record.model }, true);
    if (event.type === 'usage') {
      this.usage.add(event);
      this.update({ usage: this.usage.total(this.plan.prices, this.runner.id, this.record.model) });
      this.checkUsageLimit();
    }
    if (parsed.type === 'waiting' && parsed.request) this.approvals.ask(parsed.request, parsed.reason);
    if (event.type === 'result') {
      this.approvals.clear();
      this.lastResultOk = event.ok;
      this.update({ resultText: event.text, lastError: event.ok ? undefined : event.error, ...(event.denials ? { permissionDenials: addDenials(this.record.permissionDenials, event.denials) } : {}) });
    }
    if (this.runner.isTurnEnd?.(event)) this.turns.turnEnded(this.stopReason !== undefined);
  }

  /** Records an event, secrets redacted; returns it as recorded. */
  private emit(body: AgentEventBody): AgentEventBody {
    // Events stay small; the whole of a long tool output is in the log.
    if (body.type === 'tool_result' && body.output.length > MAX_EVENT_OUTPUT) {
      body = { ...body, output: `${body.output.slice(0, MAX_EVENT_OUTPUT)}… (${body.output.length - MAX_EVENT_OUTPUT} more characters in the output log)` };
    }
    const clean = this.redactor.value(body);
    const event = this.events.append(clean);
    this.record.eventCount = this.events.count;
    this.server.notify({ note: 'event', event });
    return clean;
  }

  private noteError(message: string): void {
    if (this.record.lastError === message) return;
    this.update({ lastError: message });
  }

  /** Important changes are on disk before anyone hears of them; the rest is written at most every 200 ms. */
  private update(patch: Partial<RunRecord>, immediate = false): void {
    const before = this.record;
    this.record = { ...this.record, ...patch, ...this.progress(), ...redactionsOf(this.redactor) };
    if (immediate) this.writeNow();
    else this.recordTimer ??= setTimeout(() => this.writeNow(), RECORD_WRITE_MS);
    this.server.notify({ note: 'record', record: this.record });
    this.feed.changed(before, this.record);
  }

  /** How far the output and its parse have come (the parse mark as in outputLines.ts). */
  private progress(): Pick<RunRecord, 'outputBytes' | 'eventCount' | 'parsed'> {
    return { outputBytes: this.output.bytes, eventCount: this.events.count, ...(this.lines ? { parsed: this.lines.where() } : {}) };
  }

  private writeNow(): void {
    if (this.recordTimer) clearTimeout(this.recordTimer);
    this.recordTimer = undefined;
    this.events.flush();
    try {
      writeRecord(this.paths, { ...this.record, ...this.progress() });
    } catch (error) {
      if (isNoSpace(error)) this.stopForDisk();
      else hostLog(`switchboard supervisor: cannot write run.json: ${(error as Error).message}`);
    }
  }

  /**
   * The state folder's disk is full: the agent's output is being lost, so the agent is stopped at
   * once and the run ends failed, its final record written with the reserve (see diskSpace.ts).
   */
  private stopForDisk(): void {
    if (this.diskFull || this.record.status !== 'running' || !this.agent) return;
    this.diskFull = this.diskFullReason('so the agent was stopped');
    this.pendingResume = undefined;
    this.stopAgent(this.agent, true);
  }

  private onOutputGrew(bytes: number): void {
    this.redactedOutput?.catchUp(bytes);
    this.scheduleOutputNote();
  }

  private scheduleOutputNote(): void {
    this.outputTimer ??= setTimeout(() => {
      this.outputTimer = undefined;
      this.record.outputBytes = this.output.bytes;
      this.server.notify({ note: 'output', bytes: this.output.bytes });
    }, OUTPUT_NOTIFY_MS);
  }

  private async onExit(exit: AgentExit): Promise<void> {
    // Read what the agent wrote last (its final result line) before deciding anything.
    this.output.catchUp();
    this.lines?.flush(this.output.bytes);
    this.usage.closeProcess();
    if (this.pendingResume !== undefined && !this.stopReason && this.record.sessionId && !exit.spawnError) {
      const message = this.pendingResume;
      this.pendingResume = undefined;
      this.emit({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal });
      const request = { ...this.plan.request, prompt: message, resumeSessionId: this.record.sessionId };
      this.spawn(this.runner.build(request), request, true);
      return;
    }
    await this.finish(exit);
  }

  private finishing: Promise<void> | undefined;

  /** Ends the run once, however many paths lead here. */
  private finish(exit: AgentExit): Promise<void> {
    this.finishing ??= this.finishOnce(exit);
    return this.finishing;
  }

  private async finishOnce(exit: AgentExit): Promise<void> {
    // An agent that died writing to a full disk (most do) failed for that reason.
    if (!this.diskFull && !this.stopReason && isDiskFull(this.plan.stateDir)) this.diskFull = this.diskFullReason('and the agent ended');
    if (this.agent instanceof ContainerAgent) {
      // Copy mode: the worktree comes back before its work is committed (a killed run's too).
      const copied = await this.agent.end();
      if (copied) this.update({ container: { ...this.record.container!, copyBack: copied.said } }, true);
      if (copied && !copied.ok) {
        this.emit({ type: 'error', message: copied.said });
        // A run whose work did not wholly come back is not done: it says where the rest is.
        this.copyFailed = copied.said;
      }
    }
    if (this.stopReason?.kind === 'kill' && this.record.agent) {
      // Tool children can outlive their CLI: sweep what is left of the tree.
      await killTree(this.record.agent, { signal: 'SIGTERM', graceMs: 500, known: this.treeAtKill, marker: runMarker(this.record.id) });
    }
    this.approvals.clear();
    this.emit({ type: 'exit', exitCode: exit.exitCode, signal: exit.signal });
    const status = this.finalStatus(exit);
    const lastError = status === 'done' ? undefined : this.failureReason(exit);
    // In a worktree of its own, what the agent left is committed on its branch before anyone hears it ended.
    const worktree = this.record.worktree && { ...this.record.worktree, end: await commitRunWork({ ...this.record, status, worktree: this.record.worktree }) };
    if (this.outputTimer) clearTimeout(this.outputTimer);
    this.output.close();
    this.redactedOutput?.close(this.output.bytes);
    this.events.close();
    this.update({ status, exitCode: exit.exitCode, signal: exit.signal, endedAt: Date.now(), lastError, retrying: undefined, ...(worktree ? { worktree } : {}) }, true);
    this.server.notify({ note: 'output', bytes: this.output.bytes });
    this.resolveFinished();
  }

  private diskFullReason(what: string): string {
    return `disk full: the disk of the state folder ${this.plan.stateDir} has no space left, ${what} (its output is kept up to byte ${this.output.bytes}); free some space and run it again`;
  }

  private finalStatus(exit: AgentExit): RunRecord['status'] {
    if (this.diskFull) return 'failed';
    if (exit.vanished) return 'orphaned';
    if (this.stopReason) return 'killed';
    if (exit.spawnError || exit.signal || exit.exitCode !== 0) return 'failed';
    return this.lastResultOk === false || this.copyFailed ? 'failed' : 'done';
  }

  private failureReason(exit: AgentExit): string {
    if (this.diskFull) return this.diskFull;
    if (exit.vanished) return exit.vanished;
    const byLimit = this.stopReason && limitStop(this.stopReason.source);
    if (byLimit) return byLimit;
    if (this.stopReason) return `${this.stopReason.kind === 'kill' ? 'killed' : 'interrupted'} by ${this.stopReason.source}`;
    if (exit.spawnError) return clipMessage(exit.spawnError);
    if (this.lastResultOk === false && this.record.lastError) return this.record.lastError;
    if (this.copyFailed) return this.copyFailed;
    const how = exit.signal ? `was ended by ${exit.signal}` : `exited with code ${exit.exitCode}`;
    const lastLine = readTail(this.paths, 2048).toString('utf8').trim().split('\n').pop()?.trim();
    return this.redactor.text(lastLine ? `the agent ${how}: ${lastLine}` : `the agent ${how}`);
  }

  private handle(request: ControlRequest): Promise<unknown> {
    switch (request.op) {
      case 'subscribe':
        // Everything emitted before the subscription is on disk, everything after is pushed: no gap.
        this.events.flush();
        return Promise.resolve(this.record);
      case 'rewrite':
        this.writeNow();
        return Promise.resolve(this.record);
      case 'steer':
        return Promise.resolve(this.steer(request.message, request.source));
      case 'interrupt':
        return Promise.resolve(this.interrupt(request.source));
      case 'kill':
        return this.kill(request.force, request.source);
      case 'approve':
        this.requireRunning();
        return Promise.resolve(this.approvals.answer(request.allow, request.source, request.message));
      case 'ping':
        return Promise.resolve({ pid: process.pid });
      case 'launch':
      case 'keep':
        return Promise.reject(new SwitchboardError('invalid_argument', `${request.op} goes to the supervisor host, not to a run`));
    }
  }

  private requireRunning(): AgentProcess | ContainerAgent {
    if (this.record.status !== 'running' || !this.agent) {
      throw new SwitchboardError('not_running', `Run ${this.record.name} is ${this.record.status}, not running.`);
    }
    return this.agent;
  }

  private steer(message: string, source: string): SteerResult {
    const agent = this.requireRunning();
    if (this.runner.steering === 'live' && this.conversation.steer) {
      const lines = this.conversation.steer(message);
      if (!lines || (lines.length && !this.write(lines))) {
        throw new SwitchboardError('not_running', `Run ${this.record.name} has finished reading input; it can no longer be steered.`, 'Resume its session with a new run instead.');
      }
      this.turns.messageSent();
      this.emit({ type: 'steer', message, delivery: 'live', source });
      this.feed.intervention(this.record, { action: 'steer', source, message: this.redactor.text(message), delivery: 'live' });
      return { delivery: 'live' };
    }
    if (this.runner.steering === 'interrupt-resume') {
      if (!this.record.sessionId) {
        throw new SwitchboardError('not_steerable', `Run ${this.record.name} has not reported its session id yet, so it cannot be resumed.`, 'Try again in a moment.');
      }
      this.pendingResume = this.pendingResume === undefined ? message : `${this.pendingResume}\n\n${message}`;
      this.emit({ type: 'steer', message, delivery: 'interrupt-resume', source });
      this.feed.intervention(this.record, { action: 'steer', source, message: this.redactor.text(message), delivery: 'interrupt-resume' });
      this.stopAgent(agent, false);
      return { delivery: 'interrupt-resume' };
    }
    throw new SwitchboardError('not_steerable', `The ${this.runner.displayName} runner cannot be steered.`, 'Kill the run and start a new one with the new instruction.');
  }

  private interrupt(source: string): InterruptResult {
    const agent = this.requireRunning();
    this.stopReason ??= { kind: 'interrupt', source };
    this.pendingResume = undefined;
    this.emit({ type: 'control', action: 'interrupt', source });
    this.feed.intervention(this.record, { action: 'interrupt', source });
    return { delivered: this.stopAgent(agent, false) };
  }

  /** The gentle stop: the runner's own interrupt where it has one, else SIGINT; the tree is forced after the grace time. */
  private stopAgent(agent: AgentProcess | ContainerAgent, force: boolean): InterruptResult['delivered'] {
    if (agent instanceof ContainerAgent) return this.stopContainer(agent, force);
    const identity = agent.identity;
    if (force && identity) {
      void killTree(identity, { graceMs: 0, known: this.treeAtKill, marker: runMarker(this.record.id) });
      return 'signal';
    }
    // The tree as it is before the signal: a CLI that dies at once (opencode, Kilo) takes the links to its tools with it.
    const snapshot = identity ? treeMembers(identity) : [];
    let delivered: InterruptResult['delivered'] = 'signal';
    const lines = this.conversation.interrupt?.(`sb-${Date.now()}`);
    if (lines?.length && this.write(lines)) delivered = 'protocol';
    else agent.signal('SIGINT');
    // SIGTERM a little before the grace time is up, so that SIGKILL comes at killGraceMs, not after it.
    const termGrace = Math.min(1000, Math.floor(this.plan.killGraceMs / 2));
    const timer = setTimeout(() => identity && void killTree(identity, { signal: 'SIGTERM', graceMs: termGrace, known: snapshot }), this.plan.killGraceMs - termGrace);
    void agent.exited.then(() => {
      clearTimeout(timer);
      // What it started and left running (a tool's shell in a session of its own) goes with it.
      if (identity) void killTree(identity, { signal: 'SIGTERM', graceMs: 1000, known: snapshot });
    });
    return delivered;
  }

  /** A container's gentle stop: the runner's interrupt (its protocol's: ACP, Codex's app-server) or SIGINT into it; killed (its whole tree) after the grace time. */
  private stopContainer(agent: ContainerAgent, force: boolean): InterruptResult['delivered'] {
    if (force) {
      agent.forceStop();
      return 'signal';
    }
    let delivered: InterruptResult['delivered'] = 'signal';
    const lines = this.conversation.interrupt?.(`sb-${Date.now()}`);
    if (lines?.length && this.write(lines)) delivered = 'protocol';
    else agent.signal('SIGINT');
    const timer = setTimeout(() => agent.forceStop(), this.plan.killGraceMs);
    void agent.exited.then(() => clearTimeout(timer));
    return delivered;
  }

  private async kill(force: boolean, source: string): Promise<KillResult> {
    if (this.record.status !== 'running' || !this.agent) return { killed: false, pid: this.record.agent?.pid, status: this.record.status };
    this.emit({ type: 'control', action: 'kill', source, force });
    this.feed.intervention(this.record, { action: 'kill', source });
    this.stopReason = { kind: 'kill', source };
    this.pendingResume = undefined;
    if (this.agent.identity) this.treeAtKill = treeMembers(this.agent.identity, runMarker(this.record.id));
    this.stopAgent(this.agent, force);
    await this.finished;
    return { killed: true, pid: this.record.agent?.pid, status: this.record.status };
  }

  /** The supervisor itself was asked to stop: stop the run with it. */
  async stopFromSignal(signal: string): Promise<void> {
    await this.kill(false, `signal ${signal} to the supervisor`);
  }

  async close(): Promise<void> {
    this.feed.dispose();
    await this.server.close();
  }
}

/** The placeholders given so far, by kind, for the record (left out while there are none). */
function redactionsOf(redactor: Redactor): Pick<RunRecord, 'redactions'> {
  const counts = redactor.counts;
  return Object.keys(counts).length ? { redactions: counts } : {};
}
