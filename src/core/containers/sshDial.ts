/**
 * A Docker engine over ssh, reached as the docker CLI reaches one: `ssh [-p port] [-l user] -- host
 * docker system dial-stdio` (spawned with an argv, never a shell string on this side), whose stdin and
 * stdout carry one HTTP connection to the remote engine. Short requests one after another share
 * one (dialAgent keeps it for the next); an attach or a followed log holds its own, and the process
 * ends when its connection does. `sshArgs` (the
 * `containers.sshArgs` setting: `-i key`, `-o UserKnownHostsFile=…`) come before the host; ssh runs
 * in batch mode, so a missing key or an unknown host key is an error, never a prompt.
 *
 * Those processes share one login (OpenSSH connection sharing: ControlMaster=auto, a ControlPath in
 * a private folder of this user's, ControlPersist a few minutes): the first request logs in, the next
 * ones ride its connection. The socket is named by the target and its ssh arguments (another key is
 * another connection). A `-o ControlMaster=no` in `containers.sshArgs` turns sharing off (the first
 * value ssh reads wins); where no private folder can be had (or on Windows), each request logs in.
 * stopSharedSsh() tells the shared connections this process used to take no new sessions (those
 * running go on; the connection ends with the last of them).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import { Duplex } from 'node:stream';
import { SwitchboardError } from '../errors';
import { socketFolder } from '../store/tempFolder';

/** How long a shared connection stays after its last session, in seconds (ssh's ControlPersist). */
const SHARE_PERSIST_S = 180;
/** The shared connections this process dialled, by control socket. */
const shared = new Map<string, SshTarget>();

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

/**
 * The folder of this user's shared ssh connections: short (a socket's path holds about 100 bytes),
 * owner-only, and refused when it is not (made by someone else, a link, open to others).
 */
export function shareDir(): string | undefined {
  const uid = process.getuid?.();
  if (uid === undefined) return undefined;
  const dir = path.join(socketFolder(), `sb-ssh-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return undefined;
  }
  try {
    const stat = fs.lstatSync(dir);
    return stat.isDirectory() && stat.uid === uid && (stat.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined;
  }
}

/** The control socket of a target's shared connection: named by everything that picks the connection. */
export function controlPath(target: SshTarget, dir: string): string {
  const key = JSON.stringify([target.host, target.port ?? 0, target.user ?? '', target.args]);
  return path.join(dir, createHash('sha256').update(key).digest('hex').slice(0, 24));
}

/** The ssh options that share one connection among a target's requests (none without a private folder). */
export function shareArgs(target: SshTarget, dir = shareDir()): string[] {
  if (!dir) return [];
  return ['-o', 'ControlMaster=auto', '-o', `ControlPath=${controlPath(target, dir)}`, '-o', `ControlPersist=${SHARE_PERSIST_S}`];
}

/** `[-p port] [-l user] -- host`: where ssh goes. */
const hostArgs = (target: SshTarget): string[] => [...(target.port ? ['-p', String(target.port)] : []), ...(target.user ? ['-l', target.user] : []), '--', target.host];

/** The argv of `ssh` that dials the remote engine (the settings' arguments first: what they set wins). */
export function dialArgs(target: SshTarget, share = shareArgs(target)): string[] {
  return ['-T', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=20', ...target.args, ...share, ...hostArgs(target), 'docker', 'system', 'dial-stdio'];
}

/**
 * Asks the shared connection of a target to take no new sessions (`stop`: those running go on, and
 * it ends with the last) or to end now with them (`exit`); nothing when there is none.
 */
export function stopShared(target: SshTarget, how: 'stop' | 'exit' = 'stop', dir = shareDir()): Promise<void> {
  if (!dir) return Promise.resolve();
  const socket = controlPath(target, dir);
  if (!fs.existsSync(socket)) return Promise.resolve();
  return new Promise((resolve) => {
    const child = spawn('ssh', ['-O', how, '-o', 'BatchMode=yes', '-o', `ControlPath=${socket}`, ...target.args, ...hostArgs(target)], { stdio: 'ignore', timeout: 5000 });
    child.on('error', () => resolve());
    child.on('close', () => resolve());
  });
}

/** The shared connections this process used take no new sessions (on dispose): the next request logs in again. */
export async function stopSharedSsh(): Promise<void> {
  const targets = [...shared.values()];
  shared.clear();
  await Promise.all(targets.map((target) => stopShared(target)));
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
    const share = shareArgs(target);
    const socket = share.find((arg) => arg.startsWith('ControlPath='));
    if (socket) shared.set(socket, target);
    this.child = spawn('ssh', dialArgs(target, share), { stdio: ['pipe', 'pipe', 'pipe'] });
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
      else {
        // ssh is gone: once what it sent has been read, the stream closes (a kept-alive connection leaves its agent's pool).
        this.once('end', () => this.destroy());
        this.push(null);
      }
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

/** How long a kept-alive `dial-stdio` connection waits for its next request before it ends. */
const DIAL_IDLE_MS = 5000;

/**
 * An HTTP agent whose connections are `ssh … docker system dial-stdio` processes, kept alive: short
 * requests one after another (create, then start; inspect, then remove) go over one, and each new
 * one is another session on the shared login.
 */
export function dialAgent(target: SshTarget): http.Agent {
  const agent = new http.Agent({ keepAlive: true, timeout: DIAL_IDLE_MS });
  (agent as unknown as { createConnection: () => Duplex }).createConnection = () => dialStdio(target);
  return agent;
}
