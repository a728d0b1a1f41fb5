/**
 * A real sshd for the ssh:// engine tests, on a loopback port, everything in a temp dir of the test's:
 * a generated host key, a client key made for the test and authorized for it alone, a known_hosts
 * file. Nothing of the user's ~/.ssh is read or written (the client runs with `-F /dev/null` and the
 * test's key and known_hosts). openssh-server is installed with apt-get when missing, as
 * scripts/setupDocker.mjs installs docker.io. Logins are counted from sshd's log (its stderr).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, tempDir, until } from './harness';

const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  /** What the client passes before the host (`containers.sshArgs`). */
  sshArgs: string[];
  /** Logins sshd accepted so far. */
  logins(): number;
  stop(): Promise<void>;
}

/** Installs openssh-server when sshd is missing; the reason when it cannot be had. */
export function sshdMissing(): string | undefined {
  if (fs.existsSync(SSHD)) return undefined;
  const setup = pathToFileURL(path.join(ROOT, 'scripts', 'setupDocker.mjs')).href;
  try {
    execFileSync(process.execPath, ['--input-type=module', '-e', `const { aptInstall } = await import(${JSON.stringify(setup)}); const failed = aptInstall('openssh-server'); if (failed) { console.error(failed); process.exit(1); }`], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 600_000 });
  } catch (error) {
    return `openssh-server could not be installed: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`;
  }
  return fs.existsSync(SSHD) ? undefined : 'openssh-server was installed but /usr/sbin/sshd is not there';
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const answers = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });

/** Starts an sshd on a loopback port that lets the current user in with a key made here. */
export async function startSshd(): Promise<TestSshd> {
  const dir = tempDir('sb-sshd-');
  const key = (name: string): void => {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `switchboard-test-${name}`, '-f', path.join(dir, name)]);
  };
  key('host_key');
  key('client_key');
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  const port = await freePort();
  fs.writeFileSync(
    path.join(dir, 'sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      `PidFile ${path.join(dir, 'sshd.pid')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      // The keys live under /tmp (world-writable, sticky), which StrictModes refuses.
      'StrictModes no',
      'UsePAM no',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  // Debian's sshd wants its privilege separation folder.
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  let log = '';
  const child: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString('utf8')));
  await until(() => child.exitCode !== null || log.includes('Server listening'), 10_000, 'sshd to listen').catch(() => undefined);
  if (child.exitCode !== null || !(await answers(port))) {
    child.kill('SIGKILL');
    throw new Error(`sshd did not start: ${log.trim()}`);
  }
  return {
    port,
    sshArgs: ['-F', '/dev/null', '-i', path.join(dir, 'client_key'), '-o', 'IdentitiesOnly=yes', '-o', `UserKnownHostsFile=${path.join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=accept-new'],
    logins: () => log.split('\n').filter((line) => line.includes('Accepted publickey')).length,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
    },
  };
}
