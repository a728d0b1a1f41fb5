/**
 * One agent process, spawned with execa (never through a shell), in its own session and process
 * group, at background priority (see runInBackground). Its stdout and stderr are the run's output
 * log itself (opened for appending), so it writes at the speed of the disk, never waits on a reader,
 * and keeps logging whoever goes away; or its stdout is piped and copied there (`stdoutPipe`).
 */
import * as fs from 'node:fs';
import { execa } from 'execa';
import { niceLauncher, runInBackground } from '../proc/priority';
import { startTokenOf } from '../proc/processTable';
import type { ProcessIdentity } from '../runs/types';
import type { SpawnSpec } from '../runners/types';

export interface AgentExit {
  exitCode?: number;
  signal?: string;
  /** Set when the process could not be started at all (e.g. the binary vanished). */
  spawnError?: string;
  /** Set when the agent's container vanished (removed outside Switchboard): the run is orphaned, for this reason. */
  vanished?: string;
}

export class AgentProcess {
  /** Undefined when the process could not be started. */
  readonly pid: number | undefined;
  readonly identity: ProcessIdentity | undefined;
  readonly exited: Promise<AgentExit>;
  private readonly child: ReturnType<typeof execa>;

  constructor(spec: SpawnSpec, cwd: string, outputFd: number, niceness?: number) {
    // execa hands a descriptor number to the child as is (no piping through this process);
    // its typings only spell out the literals 3 to 9, hence the cast.
    const output = outputFd as 3;
    // `nice` sets the priority, then becomes the agent (same pid): everything it starts inherits it.
    const nice = niceLauncher(niceness ?? 19);
    const [command, args] = nice ? [nice, ['-n', String(niceness ?? 19), '--', spec.command, ...spec.args]] : [spec.command, spec.args];
    this.child = execa(command, args, {
      cwd,
      env: spec.env,
      extendEnv: true,
      stdin: spec.stdin,
      stdout: spec.stdoutPipe ? 'pipe' : output,
      stderr: output,
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      windowsHide: true,
    });
    const pid = this.child.pid;
    this.pid = pid;
    if (pid) runInBackground(pid, niceness);
    const startToken = pid ? startTokenOf(pid) : undefined;
    this.identity = pid && startToken ? { pid, startToken } : undefined;
    this.exited = new Promise<AgentExit>((resolve) => {
      this.child.once('exit', (code, signal) => resolve(code === null ? { signal: signal ?? undefined } : { exitCode: code }));
      void this.child.then((result) => {
        if (!pid) resolve({ spawnError: result.shortMessage ?? result.message ?? 'the process could not be started' });
      });
    });
    // A child that exits early makes writes to its stdin fail with EPIPE: that is not our crash.
    this.child.stdin?.on('error', () => {});
    // Copied as it comes, in order; a write that fails (a full disk) is the disk check's to report.
    this.child.stdout?.on('data', (chunk: Buffer) => {
      try {
        fs.writeSync(outputFd, chunk);
      } catch {
        // See above.
      }
    });
    for (const line of spec.initialInput) this.writeLine(line);
  }

  get stdinOpen(): boolean {
    const stdin = this.child.stdin;
    return !!stdin && stdin.writable && !stdin.writableEnded;
  }

  writeLine(line: string): boolean {
    if (!this.stdinOpen) return false;
    this.child.stdin!.write(line + '\n');
    return true;
  }

  endInput(): void {
    if (this.stdinOpen) this.child.stdin!.end();
  }

  /**
   * Signals the agent's process group, as a terminal's Ctrl-C would (some CLIs relaunch themselves
   * as a child and only stop when the whole group hears it). The leader's start time is checked first.
   */
  signal(signal: NodeJS.Signals): void {
    if (!this.identity || startTokenOf(this.identity.pid) !== this.identity.startToken) return;
    try {
      process.kill(-this.identity.pid, signal);
    } catch {
      try {
        process.kill(this.identity.pid, signal);
      } catch {
        // Already gone.
      }
    }
  }
}
