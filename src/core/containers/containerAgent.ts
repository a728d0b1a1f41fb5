/**
 * One agent in a container, driven through the Engine API: created with the run's labels (run id,
 * state folder) so that it can be found again, its worktree mounted at the same path, a home of its
 * own, the CA store read-only and only the environment it is given. It is attached before it starts
 * (stdin for CLIs that take their prompt and steering there; stdout and stderr, multiplexed in the
 * order written, copied byte for byte into the run's output log); its exit comes from the engine. A
 * supervisor that takes the run over (the first one died) follows the engine's log instead, skipping
 * what the output log already has: Docker's log keeps the bytes except that it drops the newline
 * ending a line longer than 16 KiB (it stores such lines in pieces). In copy mode its worktree is a
 * volume of its own, uploaded and brought back (volumeCopy.ts).
 */
import * as fs from 'node:fs';
import type { Duplex } from 'node:stream';
import { errorMessage } from '../errors';
import type { AgentExit } from '../supervisor/agentProcess';
import type { SpawnSpec } from '../runners/types';
import { DockerApi, parseDockerHost, query } from './dockerApi';
import { LogFrames } from './logFrames';
import type { ContainerPlan } from './containerPlan';
import { jobState, serviceBody } from './swarmJob';
import { VolumeCopy } from './volumeCopy';

export const RUN_LABEL = 'switchboard.run';
export const STATE_LABEL = 'switchboard.state';
/** Where the run's own home is mounted inside the container. */
export const CONTAINER_HOME = '/switchboard/home';

interface Inspect {
  Id: string;
  Name: string;
  State: { Status: string; Running: boolean; ExitCode: number; Error?: string; OOMKilled?: boolean };
}

/** How long after the container stopped its log may take to reach its end. */
const LOG_DRAIN_MS = 5000;
/** How often a swarm job's task is looked at, and how long its log is read after it ended. */
const JOB_POLL_MS = 300;
const JOB_LOG_DRAIN_MS = 1500;
const JOB_LOG_MAX_MS = 10_000;

export class ContainerAgent {
  readonly pid = undefined;
  readonly identity = undefined;
  readonly exited: Promise<AgentExit>;
  /** Resolves once the container runs (true), or could not be made (false; `exited` says why). */
  readonly started: Promise<boolean>;
  /** The container's id, or a swarm job's service id. */
  id: string | undefined;
  /** A swarm job's task container, once known. */
  private containerId: string | undefined;
  private logs: { destroy(): void } | undefined;
  private lastLogAt = 0;
  /** Set once Switchboard removes it (a swarm service gone after that was not removed behind its back). */
  private removing = false;
  private readonly api: DockerApi;
  private stdin: Duplex | undefined;
  private stdinEnded = false;
  private resolveExit!: (exit: AgentExit) => void;
  /** Copy mode: the run's worktree in a volume of its own, uploaded and brought back. */
  private readonly copy: VolumeCopy | undefined;

  constructor(
    private readonly plan: ContainerPlan,
    private readonly runId: string,
    private readonly stateDir: string,
    private readonly outputFd: number,
    /** New: the spec to start. Adopted: the id of a container already running, and the output bytes already logged. */
    what: { spec: SpawnSpec; env: Record<string, string> } | { adopt: string; logged: number },
    /** How long a swarm job's task is given to stop when its service is removed. */
    private readonly stopGraceMs = 5000,
  ) {
    this.api = new DockerApi(parseDockerHost(plan.endpoint, plan.sshArgs));
    this.copy = plan.copy && new VolumeCopy(this.api, plan, plan.copy, { runId, stateDir, labels: this.labels, home: CONTAINER_HOME, stateLabel: STATE_LABEL });
    this.exited = new Promise((resolve) => (this.resolveExit = resolve));
    const swarm = plan.backend === 'swarm';
    if ('adopt' in what) this.started = this.takeOver(what.adopt, what.logged);
    else this.started = swarm ? this.createJob(what.spec, what.env) : this.create(what.spec, what.env);
  }

  /** Takes over a running container or job: by its id, or (when the record never got one) by the run's labels. */
  private async takeOver(known: string, logged: number): Promise<boolean> {
    const swarm = this.plan.backend === 'swarm';
    let id = known;
    if (!id) {
      const filters = query({ ...(swarm ? {} : { all: 1 }), filters: { label: [`${RUN_LABEL}=${this.runId}`, `${STATE_LABEL}=${this.stateDir}`] } });
      const found = await this.api.call<({ Id?: string; ID?: string })[]>('GET', `${swarm ? '/services' : '/containers/json'}${filters}`).catch(() => []);
      id = found[0]?.Id ?? found[0]?.ID ?? '';
      if (!id) {
        this.resolveExit({ vanished: `no ${swarm ? 'service' : 'container'} labelled with this run was found on ${this.plan.endpoint} (its supervisor died while making it)` });
        return false;
      }
    }
    return swarm ? this.followJob(id, logged) : this.follow(id, logged);
  }

  private get labels(): Record<string, string> {
    return { [RUN_LABEL]: this.runId, [STATE_LABEL]: this.stateDir };
  }

  private envOf(env: Record<string, string>): Record<string, string> {
    return { HOME: CONTAINER_HOME, NODE_EXTRA_CA_CERTS: '/etc/ssl/certs/ca-certificates.crt', ...env };
  }

  /** A swarm job: the service made, its log followed; stdin attached where its container runs on this engine. */
  private async createJob(spec: SpawnSpec, env: Record<string, string>): Promise<boolean> {
    try {
      const body = serviceBody(this.plan, spec, this.envOf(env), this.labels, `sb-${this.runId}-${Date.now().toString(36)}`, CONTAINER_HOME, this.stopGraceMs);
      const created = await this.api.call<{ ID: string }>('POST', '/services/create', body, 'create the swarm job');
      this.id = created.ID;
      if (spec.stdin === 'pipe') await this.attachJobStdin(created.ID, spec.initialInput);
    } catch (error) {
      if (this.id) void this.remove();
      this.resolveExit({ spawnError: errorMessage(error) });
      return false;
    }
    return this.followJob(this.id, 0);
  }

  /** The job's task container, once it runs, attached for stdin (only where it runs on this engine's node). */
  private async attachJobStdin(service: string, lines: string[]): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await jobState(this.api, service);
      if (state.containerId && (state.state === 'running' || state.final)) {
        this.containerId = state.containerId;
        if (state.final) return;
        const { socket } = await this.api.hijack(`/containers/${state.containerId}/attach${query({ stream: 1, stdin: 1 })}`).catch(() => {
          throw new Error(`its task runs on another node (container ${state.containerId!.slice(0, 12)}): this runner takes its prompt on stdin, which only reaches a swarm task on this engine's node`);
        });
        socket.on('error', () => undefined);
        this.stdin = socket;
        for (const line of lines) this.writeLine(line);
        return;
      }
      if (Date.now() > deadline) throw new Error(`its task did not start within a minute (${state.state ?? 'no task yet'}${state.error ? `: ${state.error}` : ''})`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Follows a swarm job: its service's log into the output log from byte `logged`, and its task's end. */
  private async followJob(service: string, logged: number): Promise<boolean> {
    this.id = service;
    let logEnded: Promise<void> = Promise.resolve();
    try {
      const logs = await this.api.stream('GET', `/services/${service}/logs${query({ follow: 1, stdout: 1, stderr: 1 })}`);
      this.logs = logs;
      logEnded = this.copyFrom(logs, new LogFrames((bytes) => {
        this.lastLogAt = Date.now();
        fs.writeSync(this.outputFd, bytes);
      }, logged));
    } catch {
      // No log (the service went meanwhile): its state says what happened.
    }
    void this.waitForJob(service, logEnded);
    return true;
  }

  private async waitForJob(service: string, logEnded: Promise<void>): Promise<void> {
    let state = await jobState(this.api, service).catch(() => undefined);
    while (!state?.final) {
      await new Promise((resolve) => setTimeout(resolve, JOB_POLL_MS));
      state = await jobState(this.api, service).catch(() => state);
      if (state?.containerId) this.containerId = state.containerId;
    }
    if (state.containerId) this.containerId = state.containerId;
    // A service's log stays open after its task ended, and brings its last lines a moment later:
    // it is read until it has been quiet for a while (at most JOB_LOG_MAX_MS).
    const ended = Date.now();
    let open = true;
    void logEnded.then(() => (open = false));
    while (open && Date.now() - ended < JOB_LOG_MAX_MS && (Date.now() - ended < JOB_LOG_DRAIN_MS || Date.now() - this.lastLogAt < JOB_LOG_DRAIN_MS)) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    this.logs?.destroy();
    if (state.gone && !this.removing) {
      this.resolveExit({ vanished: `its swarm service ${service.slice(0, 12)} was removed outside Switchboard while it ran (docker service rm)` });
      return;
    }
    this.resolveExit(state.exitCode !== undefined ? { exitCode: state.exitCode } : { exitCode: 137, ...(state.error && state.state !== 'shutdown' ? { spawnError: `its swarm task ended ${state.state}: ${state.error}` } : {}) });
  }

  private async create(spec: SpawnSpec, env: Record<string, string>): Promise<boolean> {
    try {
      await this.copy?.prepare();
      const created = await this.api.call<{ Id: string }>('POST', `/containers/create${query({ name: `sb-${this.runId}-${Date.now().toString(36)}` })}`, this.createBody(spec, env), 'create the container');
      this.id = created.Id;
      await this.copy?.upload(created.Id);
      const { socket, head } = await this.api.hijack(`/containers/${created.Id}/attach${query({ stream: 1, stdin: spec.stdin === 'pipe' ? 1 : 0, stdout: 1, stderr: 1 })}`);
      socket.on('error', () => undefined);
      const frames = new LogFrames((bytes) => fs.writeSync(this.outputFd, bytes));
      if (head.length) frames.push(head);
      const ended = this.copyFrom(socket, frames);
      if (spec.stdin === 'pipe') {
        this.stdin = socket;
        for (const line of spec.initialInput) this.writeLine(line);
      } else {
        socket.end();
      }
      await this.api.call('POST', `/containers/${created.Id}/start`, undefined, 'start the container');
      void this.waitForEnd(created.Id, ended);
      return true;
    } catch (error) {
      if (this.id) void this.remove();
      this.resolveExit({ spawnError: missingMountHint(errorMessage(error), this.plan.endpoint) });
      return false;
    }
  }

  /** Copies a multiplexed stream into the frames; resolves at its end. */
  private copyFrom(stream: NodeJS.ReadableStream, frames: LogFrames): Promise<void> {
    return new Promise((resolve) => {
      stream.on('data', (chunk: Buffer) => frames.push(chunk));
      stream.on('end', () => resolve());
      stream.on('error', () => resolve());
      stream.on('close', () => resolve());
    });
  }

  private createBody(spec: SpawnSpec, env: Record<string, string>): unknown {
    const plan = this.plan;
    // The worktree and the named files are mounts, which the engine refuses when its host lacks the
    // path (a remote engine without the worktree): binds would make an empty folder there, and the
    // agent's work would go into it unseen. The home is a bind: made where missing.
    // In copy mode the engine's machine has no such home: it is uploaded with the worktree (see upload).
    const binds = [...(plan.copy ? [] : [`${plan.home}:${CONTAINER_HOME}`]), '/etc/ssl/certs:/etc/ssl/certs:ro'];
    // Copy mode: the worktree is the run's volume, the git folder outside it is uploaded into the container itself.
    const mounts = [
      ...(plan.copy ? [{ Type: 'volume', Source: plan.copy.volume, Target: plan.mounts[0] }] : plan.mounts.map((dir) => ({ Type: 'bind', Source: dir, Target: dir }))),
      ...plan.files.map((file) => ({ Type: 'bind', Source: file, Target: file, ReadOnly: true })),
    ];
    const hostConfig: Record<string, unknown> = {
      Binds: binds,
      Mounts: mounts,
      Init: true,
      NetworkMode: plan.network,
      LogConfig: { Type: 'local', Config: {} },
      ExtraHosts: ['host.docker.internal:host-gateway'],
      ...(plan.cpus ? { NanoCpus: Math.round(plan.cpus * 1e9) } : {}),
      ...(plan.memoryBytes ? { Memory: plan.memoryBytes } : {}),
    };
    return {
      Image: plan.image,
      Cmd: [spec.command, ...spec.args],
      WorkingDir: plan.cwd,
      Env: Object.entries(this.envOf(env)).map(([k, v]) => `${k}=${v}`),
      Labels: this.labels,
      ...(plan.user ? { User: plan.user } : {}),
      Tty: false,
      OpenStdin: spec.stdin === 'pipe',
      StdinOnce: spec.stdin === 'pipe',
      AttachStdin: spec.stdin === 'pipe',
      HostConfig: hostConfig,
    };
  }

  /** Takes over a container: follows its log into the output log from byte `logged`, and its end. */
  private async follow(id: string, logged: number): Promise<boolean> {
    this.id = id;
    const first = await this.inspect();
    if (!first) {
      this.resolveExit({ vanished: `its container ${id.slice(0, 12)} is gone (removed outside Switchboard)` });
      return false;
    }
    let logEnded: Promise<void> = Promise.resolve();
    try {
      const logs = await this.api.stream('GET', `/containers/${id}/logs${query({ follow: 1, stdout: 1, stderr: 1 })}`);
      logEnded = this.copyFrom(logs, new LogFrames((bytes) => fs.writeSync(this.outputFd, bytes), logged));
    } catch {
      // No log to follow (the container went meanwhile): its end says what happened.
    }
    void this.waitForEnd(id, logEnded);
    return true;
  }

  private async waitForEnd(id: string, logEnded: Promise<void>): Promise<void> {
    for (;;) {
      try {
        await this.api.call('POST', `/containers/${id}/wait${query({ condition: 'not-running' })}`, undefined, 'wait for the container');
        break;
      } catch (error) {
        // The engine restarted or the connection dropped: look at the container itself.
        const state = await this.inspect().catch(() => undefined);
        if (!state || !state.State.Running) break;
        void error;
      }
    }
    await Promise.race([logEnded, new Promise((resolve) => setTimeout(resolve, LOG_DRAIN_MS))]);
    const state = await this.inspect().catch(() => undefined);
    if (!state || state.State.Status === 'removing' || state.State.Status === 'dead') {
      this.resolveExit({ vanished: `its container ${id.slice(0, 12)} was removed outside Switchboard while it ran (docker rm)` });
      return;
    }
    const code = state.State.ExitCode;
    // Docker reports death by a signal as 128 + the signal's number.
    this.resolveExit(state.State.OOMKilled ? { exitCode: code, spawnError: 'the container ran out of memory (its memory limit)' } : { exitCode: code });
  }

  private async inspect(): Promise<Inspect | undefined> {
    const answer = await this.api.request<Inspect>('GET', `/containers/${this.id}/json`);
    return answer.status === 200 ? answer.body : undefined;
  }

  get stdinOpen(): boolean {
    return !!this.stdin && !this.stdinEnded && this.stdin.writable;
  }

  writeLine(line: string): boolean {
    if (!this.stdinOpen) return false;
    this.stdin!.write(line + '\n');
    return true;
  }

  endInput(): void {
    if (this.stdinOpen) this.stdin!.end();
    this.stdinEnded = true;
  }

  /** Sends a signal into the container (its init passes it to the agent); a swarm job's, where its container runs on this engine. */
  signal(signal: NodeJS.Signals): void {
    const container = this.plan.backend === 'swarm' ? this.containerId : this.id;
    if (container) void this.api.request('POST', `/containers/${container}/kill${query({ signal })}`).catch(() => undefined);
  }

  /** The end of the grace time: the container is killed, its whole tree with it (a swarm job: its service removed, the swarm stops it). */
  forceStop(): void {
    if (this.plan.backend === 'swarm') void this.remove();
    else this.signal('SIGKILL');
  }

  /** Makes the run's volume, labelled like its containers (a steered run's next container finds it made). */
  /**
   * The end of a run: in copy mode its worktree comes back first (a killed run's too: its partial
   * work is the user's), then the container goes, and its volume once the work is back (else the
   * volume stays, and what is said names it). A worktree never wholly uploaded is not copied back.
   * `stopped`: aborted when a kill stops the copy-back: its download ends, the containers go, the volume stays.
   */
  async end(stopped?: AbortSignal): Promise<{ said: string; ok: boolean } | undefined> {
    const copied = await this.copy?.bringBack(this.id, stopped);
    await this.remove();
    // A copy-back stopped by a kill was said to have left the work in the volume (see FinishingWork): it stays.
    if (this.copy && copied?.ok !== false && !stopped?.aborted) await this.copy.removeVolume();
    return copied;
  }

  /** Removes the container or the job's service (its log has been copied); gone already is fine. */
  async remove(): Promise<void> {
    this.stdin?.destroy();
    this.removing = true;
    if (!this.id) return;
    const swarm = this.plan.backend === 'swarm';
    await this.api.request('DELETE', swarm ? `/services/${this.id}` : `/containers/${this.id}${query({ force: 1 })}`).catch(() => undefined);
    // A removed job's finished task container stays on its node: where that is this engine's, it goes too.
    if (swarm && this.containerId) await this.api.request('DELETE', `/containers/${this.containerId}${query({ force: 1 })}`).catch(() => undefined);
  }
}

/** The engine's refusal of a mount whose path its host lacks, said with what to do (other errors as they are). */
export function missingMountHint(message: string, endpoint: string): string {
  const missing = /bind source path does not exist: (\S+)/.exec(message)?.[1];
  if (!missing) return message;
  return `The engine at ${endpoint} cannot mount ${missing}: it does not exist on the engine's machine. A container mounts the folders and files of its engine's own machine, at the same path: a remote engine needs the worktree and the files passed in (containers.files) there too, e.g. on a shared filesystem. Make ${missing} exist there, run on the local engine, or take it out of containers.files.`;
}
