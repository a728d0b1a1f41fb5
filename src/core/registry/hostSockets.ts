/**
 * The sockets of a state folder's supervisor hosts (in its hosts/), named after the build of the host
 * script: what a registry's SupervisorHost looks for, and what the bin looks at before it loads the CLI's
 * bundle (src/cli/coldHost.ts). Only Node's built-ins: the bin pays for what this loads.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';

/** The start of the socket names of hosts of this script's build (its path, size and time): hosts are shared only between registries of the same build. */
export function hostPrefix(script: string): string {
  const stat = fs.statSync(script, { throwIfNoEntry: false });
  return `host-${crypto.createHash('sha256').update(`${script}\0${stat?.size}\0${stat?.mtimeMs}`).digest('hex').slice(0, 8)}-`;
}

/** The names of the sockets in `hostsDir` of hosts whose names start with `prefix`: live hosts', or ones that hosts which died left. */
export function hostSockets(hostsDir: string, prefix: string): string[] {
  try {
    return fs.readdirSync(hostsDir).filter((n) => n.startsWith(prefix) && n.endsWith('.sock'));
  } catch {
    return [];
  }
}
