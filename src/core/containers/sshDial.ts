/**
 * A Docker engine over ssh, reached as the docker CLI reaches one: `ssh [-p port] [-l user] -- host
 * docker system dial-stdio` (spawned with an argv, never a shell string on this side), whose stdin and
 * stdout carry one HTTP connection to the remote engine. Each request (an attach or a followed log
 * included) gets its own process, which ends when its connection does. `sshArgs` (the
 * `containers.sshArgs` setting: `-i key`, `-o UserKnownHostsFile=…`) come before the host; ssh runs
 * in batch mode, so a missing key or an unknown host key is an error, never a prompt.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { Duplex } from 'node:stream';
import { SwitchboardError } from '../errors';

export interface SshTarget {
  host: string;
  user?: string;
  port?: number;
  /** ssh options put before the host (an identity, known hosts, a config file). */
  args: readonly string[];
}

/** `ssh://[user@]host[:port]` as a target; anything else (a path, a host that looks like an option) is refused. */
export function parseSshHost(url: string, args: readonly string[]): SshTarget {
  const match = /^ssh:\/\/(?:([^@/:\s]+)@)?(\[[0-9a-fA-F:]+\]|[^@/:\s[\]]+)(?::(\d{1,5}))?\/?$/.exec(url);
  if (!match || match[2]!.startsWith('-')) {
    throw new SwitchboardError('invalid_argument', `The Docker endpoint ${url} is not an ssh address Switchboard can use.`, 'Write it as ssh://host, ssh://user@host or ssh://user@host:port.');
  }
  return { host: match[2]!.replace(/^\[|\]$/g, ''), ...(match[1] ? { user: match[1] } : {}), ...(match[3] ? { port: Number(match[3]) } : {}), args };
}

/** The argv of `ssh` that dials the remote engine. */
export function dialArgs(target: SshTarget): string[] {
  return [
    '-T',
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=20',
    ...target.args,
    ...(target.port ? ['-p', String(target.port)] : []),
    ...(target.user ? ['-l', target.user] : []),
    '--', target.host,
    'docker', 'system', 'dial-stdio',
  ];
}

/** The stream of one `docker system dial-stdio` over ssh, shaped as the socket node:http expects. */
class DialStdio extends Duplex {
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private received = false;
  private idle: NodeJS.Timeout | undefined;
  private idleMs = 0;

  constructor(readonly target: SshTarget) {
    super({ allowHalfOpen: true });
    this.child = spawn('ssh', dialArgs(target), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.received = true;
      this.touch();
      if (!this.push(chunk)) this.child.stdout.pause();
    });
    // The end of the stream waits for ssh's exit as well: one that fails before any answer is an
    // error with ssh's own words, not an empty answer.
    let stdoutEnded = false;
    let exit: number | null | undefined;
    const ended = (): void => {
      if (!stdoutEnded || exit === undefined || this.destroyed) return;
      if (exit !== 0 && !this.received) this.destroy(new Error(`ssh to ${this.where} failed (exit ${exit}): ${this.stderr.trim() || 'no reason given'}`));
      else this.push(null);
    };
    this.child.stdout.on('end', () => {
      stdoutEnded = true;
      ended();
    });
    this.child.on('close', (code) => {
      exit = code;
      ended();
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-2000)));
    this.child.stdin.on('error', () => undefined);
    this.child.on('error', (error) => this.destroy(new Error(`ssh could not be started: ${error.message}`)));
  }

  private get where(): string {
    return `${this.target.user ? `${this.target.user}@` : ''}${this.target.host}${this.target.port ? `:${this.target.port}` : ''}`;
  }

  override _read(): void {
    this.child.stdout.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.touch();
    this.child.stdin.write(chunk, encoding, done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.child.stdin.end(done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    clearTimeout(this.idle);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    done(error);
  }

  private touch(): void {
    if (this.idleMs > 0) this.idle?.refresh();
  }

  // What node:http calls on a socket.
  setTimeout(ms: number, onTimeout?: () => void): this {
    clearTimeout(this.idle);
    this.idleMs = ms;
    if (onTimeout) this.once('timeout', onTimeout);
    if (ms > 0) this.idle = setTimeout(() => this.emit('timeout'), ms);
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  destroySoon(): void {
    this.end();
  }
}

export function dialStdio(target: SshTarget): Duplex {
  return new DialStdio(target);
}
