/**
 * One agent process, spawned with execa (never through a shell): its own session and process
 * group, stdout/stderr into the run's output log (with backpressure), stdout lines to the parser.
 */
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { startTokenOf } from '../proc/processTable';
import type { OutputLogWriter, OutputStream } from '../runs/outputLog';
import type { ProcessIdentity } from '../runs/types';
import type { SpawnSpec } from '../runners/types';
import { LineSplitter } from './protocol';

export interface AgentExit {
  exitCode?: number;
  signal?: string;
  /** Set when the process could not be started at all (e.g. the binary vanished). */
  spawnError?: string;
}

export interface AgentProcessHooks {
  output: OutputLogWriter;
  /** Called for every complete stdout line (only when the runner parses its output). */
  onStdoutLine?: (line: string) => void;
  /** Called for every complete stderr line (only when the runner parses its output). */
  onStderrLine?: (line: string) => void;
  /** Called (throttled by the caller) whenever bytes were written to the log. */
  onOutput: () => void;
}

/** How long to wait for the pipes to close after the agent exits (a tool child may keep them open). */
const PIPE_DRAIN_MS = 1500;

export class AgentProcess {
  readonly identity: ProcessIdentity | undefined;
  readonly exited: Promise<AgentExit>;
  private readonly child: ReturnType<typeof execa>;

  constructor(spec: SpawnSpec, cwd: string, hooks: AgentProcessHooks) {
    this.child = execa(spec.command, spec.args, {
      cwd,
      env: spec.env,
      extendEnv: true,
      stdin: spec.stdin,
      stdout: 'pipe',
      stderr: 'pipe',
      buffer: false,
      reject: false,
      detached: true,
      cleanup: false,
      windowsHide: true,
    });
    const pid = this.child.pid;
    const startToken = pid ? startTokenOf(pid) : undefined;
    this.identity = pid && startToken ? { pid, startToken } : undefined;
    const pipes = [
      this.pipe(this.child.stdout as Readable | null, 'o', hooks, hooks.onStdoutLine),
      this.pipe(this.child.stderr as Readable | null, 'e', hooks, hooks.onStderrLine),
    ];
    this.exited = new Promise<AgentExit>((resolve) => {
      this.child.once('exit', (code, signal) => {
        const timer = setTimeout(() => {
          (this.child.stdout as Readable | null)?.destroy();
          (this.child.stderr as Readable | null)?.destroy();
        }, PIPE_DRAIN_MS);
        void Promise.all(pipes).then(() => {
          clearTimeout(timer);
          resolve(code === null ? { signal: signal ?? undefined } : { exitCode: code });
        });
      });
      void this.child.then((result) => {
        if (!pid) resolve({ spawnError: result.shortMessage ?? result.message ?? 'the process could not be started' });
      });
    });
    // A child that exits early makes writes to its stdin fail with EPIPE: that is not our crash.
    this.child.stdin?.on('error', () => {});
    for (const line of spec.initialInput) this.writeLine(line);
  }

  private pipe(stream: Readable | null, kind: OutputStream, hooks: AgentProcessHooks, onLine?: (line: string) => void): Promise<void> {
    if (!stream) return Promise.resolve();
    const decoder = onLine ? new StringDecoder('utf8') : undefined;
    const splitter = onLine ? new LineSplitter(onLine) : undefined;
    stream.on('data', (chunk: Buffer) => {
      if (!hooks.output.write(kind, chunk)) {
        stream.pause();
        hooks.output.onceDrain(() => stream.resume());
      }
      if (decoder && splitter) splitter.push(decoder.write(chunk));
      hooks.onOutput();
    });
    return new Promise<void>((resolve) => {
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        if (decoder && splitter) {
          splitter.push(decoder.end());
          splitter.end();
        }
        resolve();
      };
      stream.once('end', done);
      stream.once('close', done);
      stream.once('error', done);
    });
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
