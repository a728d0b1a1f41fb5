/**
 * Keeps each live run of the tracker (RunTracker) followed: attaches to its supervisor (its pushes
 * keep the record fresh; its socket closing means it is gone), has a container run whose supervisor
 * died taken over, watches an agent left without its supervisor, and settles runs whose processes
 * died unrecorded.
 */
import * as fs from 'node:fs';
import type { SwitchboardError } from '../errors';
import type { Logger } from '../logger';
import type { RunPaths, StateMap } from '../state/stateMap';
import { readLedger } from '../pools/ledger';
import { isSameProcessAlive } from '../proc/processTable';
import { readRecord, writeRecord } from '../runs/recordFile';
import { dropPlan } from '../supervisor/plan';
import { sweepStaleTemps } from '../store/staleTemps';
import { timeLimitDue } from '../supervisor/runLimits';
import { isFinished, type RunRecord, type RunStatus } from '../runs/types';
import { ControlClient } from './controlClient';
import { finishedRecordChanged } from './recordCache';
import type { Entry, TrackerSink } from './trackerEntry';

/** How often an agent that lost its supervisor is checked for life (there is no pipe to tell us). */
const UNSUPERVISED_CHECK_MS = 1000;
/** Events kept in memory per run, so readers never wait for the supervisor's next flush to disk. */
const RECENT_EVENTS = 500;
/** How long a reload waits for a supervisor to be attached before going on with the record on disk. */
const ATTACH_WAIT_MS = 1500;
/** How long a supervisor may take to answer a subscription. */
const SUBSCRIBE_TIMEOUT_MS = 5000;

/** What following live runs needs of the tracker that holds their entries. */
export interface RunSupervisionHost {
  disposed(): boolean;
  set(record: RunRecord): void;
  reload(id: string): Promise<RunRecord | undefined>;
  /** Reloads without waiting; a failure is warned about. */
  reloadLater(id: string): void;
  /** The entry's whole record (read now when it was taken from the record index). */
  whole(id: string, entry: Entry): RunRecord | undefined;
  /** Follows the folder of a run another process is starting until `deadline` (see StartingRuns). */
  follow(id: string, deadline: number): void;
}

export class RunSupervision {
  /** `queuedStaleMs`: see QUEUED_STALE_MS (tests shorten it). */
  constructor(
    private readonly paths: StateMap,
    private readonly log: Logger,
    private readonly sink: TrackerSink,
    private readonly entries: Map<string, Entry>,
    private readonly host: RunSupervisionHost,
    private readonly queuedStaleMs: number,
  ) {}

  /** Brings a run just set up to date: attach to its supervisor, adopt its lone agent, or settle it as orphaned. */
  async settle(id: string): Promise<void> {
    const entry = this.entries.get(id);
    const record = entry?.record;
    if (!entry || !record || isFinished(record.status) || entry.client?.isOpen) return;
    if (record.supervisor && isSameProcessAlive(record.supervisor) && record.controlSocket) {
      // An attach under way may be the very connection that just closed (dropped before it
      // subscribed): once it is through, look again, so that the run is never left unfollowed.
      if (entry.connecting) {
        // A failed connect has already planned its own retry, a little later.
        if (await entry.connecting) return this.settle(id);
        return;
      }
      entry.connecting = this.attach(entry, record.controlSocket).finally(() => (entry.connecting = undefined));
      // A supervisor that does not answer (stopped, hung) is not waited on: the record on disk
      // stands meanwhile, and the attach goes on by itself.
      await Promise.race([entry.connecting, new Promise((resolve) => setTimeout(resolve, ATTACH_WAIT_MS).unref())]);
      return;
    }
    if (record.container && record.status === 'running' && this.sink.readopt) {
      if (!entry.readopting) await this.readopt(entry, record);
      return;
    }
    if (record.agent && isSameProcessAlive(record.agent)) {
      this.watchUnsupervised(entry);
      return;
    }
    // Waiting in a pool's line: followed for as long as the process that will start it lives.
    if (record.status === 'queued' && !record.supervisor && isSameProcessAlive(record.launcher)) {
      this.host.follow(id, Date.now() + this.queuedStaleMs);
      return;
    }
    // The record in memory may be behind its file: a host that took over the run's place in line (its
    // launcher since) wrote it after the process that queued it, which has left. Judged again from the file.
    if (record.status === 'queued' && isBehindItsFile(this.paths.run(id), record)) {
      await this.host.reload(id);
      return;
    }
    // Its launcher is gone. Whoever removes its plan has it: removed here, nothing can start it any more, and
    // it is settled now. A plan already taken means a host is starting it: given until the deadline to say so.
    const claimed = record.status === 'queued' && !record.supervisor && dropPlan(this.paths.run(id).plan);
    // Counted from when it was queued; a time ahead of the clock (set back since, or a record written by
    // hand) counts from when this process first judged it, or it would be followed until that time came.
    const queuedAt = Math.min(record.createdAt, (entry.judgedAt ??= Date.now()));
    if (!claimed && record.status === 'queued' && !record.supervisor && Date.now() - queuedAt < this.queuedStaleMs) {
      this.host.follow(id, queuedAt + this.queuedStaleMs);
      return;
    }
    this.finishUnsupervised(id, 'orphaned', record.status === 'queued' ? this.neverStarted(record) : 'its processes ended while nobody was watching; the exit was not recorded');
  }

  /** Why a queued run whose launcher went away never started: it left while waiting in line, or once given a slot, as it started the run. */
  private neverStarted(record: RunRecord): string {
    const pid = record.launcher ? ` (pid ${record.launcher.pid})` : '';
    let admitted = false;
    try {
      admitted = readLedger(this.paths.root).slots.some((slot) => slot.runId === record.id);
    } catch {
      // An unreadable ledger folder: said as a place in line.
    }
    return admitted
      ? `the run never started: it was given a slot, and the process starting it${pid} went away before its agent started`
      : `the run never started: the process that kept its place in line${pid} went away`;
  }

  private async attach(entry: Entry, socketPath: string): Promise<boolean> {
    const id = entry.brief.id;
    let client: ControlClient;
    try {
      client = await ControlClient.connect(socketPath);
    } catch (error) {
      this.log.warn(`could not reach the supervisor of ${id}: ${(error as Error).message}`);
      if (!this.host.disposed()) setTimeout(() => this.host.reloadLater(id), 200).unref();
      return false;
    }
    if (this.host.disposed()) {
      client.close();
      return true;
    }
    entry.client = client;
    entry.answered = false;
    // Events pushed over an earlier connection end where it dropped; kept, they would leave a hole
    // that events() could serve across. From here the pushed ones are contiguous again.
    entry.recent = [];
    client.onNotification((note) => {
      if (note.note === 'record') this.host.set(note.record);
      else if (note.note === 'event') {
        const recent = (entry.recent ??= []);
        recent.push(note.event);
        if (recent.length > RECENT_EVENTS) recent.splice(0, recent.length - RECENT_EVENTS);
        this.sink.event(id, note.event);
      }
      else this.sink.output(id, note.bytes);
    });
    client.onClose(() => {
      entry.client = undefined;
      if (!this.host.disposed()) this.host.reloadLater(id);
    });
    try {
      this.host.set(await client.request<RunRecord>({ op: 'subscribe' }, SUBSCRIBE_TIMEOUT_MS));
      entry.answered = true;
      this.log.trace(`attached to ${id}`);
    } catch (error) {
      // The connection closed before the subscription was answered (the supervisor ended, or
      // dropped it); its close handler looks again once this attach is through. Or the supervisor
      // does not answer: the connection stays, and what it pushes once it does is taken.
      if ((error as SwitchboardError).code === 'unresponsive') this.log.warn(`the supervisor of ${id} does not answer; its record on disk stands meanwhile`);
    }
    return true;
  }

  /** Its container runs on without a supervisor: a host takes it over (or another process's already does), then it is attached to. */
  private async readopt(entry: Entry, record: RunRecord): Promise<void> {
    const id = record.id;
    entry.readopting = true;
    try {
      await this.sink.readopt!(record);
    } catch (error) {
      const message = (error as Error).message;
      if (!/being taken over|has a live supervisor|not a running container run/.test(message)) {
        this.finishUnsupervised(id, 'orphaned', `its supervisor died and its container could not be followed again: ${message}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      entry.readopting = false;
    }
    if (!this.host.disposed()) await this.host.reload(id);
  }

  private watchUnsupervised(entry: Entry): void {
    if (entry.watchdog) return;
    this.log.warn(`run ${entry.brief.id} has lost its supervisor; its agent (pid ${entry.record?.agent?.pid}) is still alive`);
    const watchedFrom = Date.now();
    entry.watchdog = setInterval(() => {
      const record = entry.record;
      if (record && isSameProcessAlive(record.agent)) {
        const due = record.startedAt ? timeLimitDue(record.limits, record.startedAt, watchedFrom) : undefined;
        if (due !== undefined && Date.now() >= due && !entry.stopping && this.sink.overTime) {
          entry.stopping = true;
          void this.sink
            .overTime(record)
            .catch((error: Error) => this.sink.warn(`could not stop run ${record.id} at its time limit: ${error.message}`))
            .finally(() => (entry.stopping = false));
        }
        return;
      }
      this.finishUnsupervised(entry.brief.id, 'orphaned', 'the agent ended after its supervisor was gone; the exit code is unknown');
    }, UNSUPERVISED_CHECK_MS);
    entry.watchdog.unref();
  }

  /** Writes the final state of a run that has no supervisor left to write it. */
  finishUnsupervised(id: string, status: RunStatus, reason: string): RunRecord | undefined {
    const entry = this.entries.get(id);
    const current = entry && this.host.whole(id, entry);
    if (!entry || !current) return undefined;
    if (entry.watchdog) clearInterval(entry.watchdog);
    entry.watchdog = undefined;
    const wasFinished = isFinished(current.status);
    if (!wasFinished) {
      // Another process following the same run (a window, an MCP server, `wait`) may have settled it
      // first (stopped it at its limit, found its agent gone): its record stands, told once, by it.
      const onDisk = readRecord(this.paths.run(id));
      if (onDisk.kind === 'ok' && isFinished(onDisk.value.status)) {
        this.host.set(onDisk.value);
        return onDisk.value;
      }
    }
    const record: RunRecord = { ...current, status, endedAt: current.endedAt ?? Date.now(), lastError: current.lastError ?? reason };
    if (status === 'killed') record.lastError = reason;
    try {
      writeRecord(this.paths.run(id), record);
      if (wasFinished) finishedRecordChanged(this.paths.runsCacheGeneration);
      // A run that ends in line never starts: its plan (the prompt unredacted) goes.
      if (current.status === 'queued') fs.rmSync(this.paths.run(id).plan, { force: true });
      // Its supervisor died (or it never had one): temp files of its folder left by writers that died go now.
      sweepStaleTemps(this.paths.run(id).dir);
    } catch (error) {
      this.sink.warn(`could not write the record of ${id}: ${(error as Error).message}`);
    }
    this.host.set(record);
    if (!wasFinished) this.sink.settled?.(record, 'ended');
    return record;
  }
}

/** The run's record on disk has moved on from `record`: another status, a supervisor, or another launcher. */
function isBehindItsFile(paths: RunPaths, record: RunRecord): boolean {
  const read = readRecord(paths);
  if (read.kind !== 'ok') return false;
  const now = read.value;
  return now.status !== record.status || !!now.supervisor !== !!record.supervisor || now.launcher?.pid !== record.launcher?.pid || now.launcher?.startToken !== record.launcher?.startToken;
}
