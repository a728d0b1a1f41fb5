/**
 * What the operating system knows about processes: start-time identity (so a reused pid is never
 * mistaken for ours) and the parent / process-group / session links used to find a whole tree.
 * Linux reads /proc; other POSIX systems ask `ps`.
 */
import * as fs from 'node:fs';
import { execFileSync } from 'node:child_process';

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  startToken: string;
}

const isLinux = process.platform === 'linux';
let bootId: string | undefined;

function linuxBootId(): string {
  if (bootId === undefined) {
    try {
      bootId = fs.readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim().slice(0, 8);
    } catch {
      bootId = 'noboot';
    }
  }
  return bootId;
}

/**
 * Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last ')'.
 * A zombie has exited: it counts as alive only when `includeZombie` (its pid is still ours until reaped).
 */
function readLinuxEntry(pid: number, includeZombie = false): ProcessEntry | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is state (field 3); ppid is field 4, pgrp 5, session 6, starttime 22.
  if (!includeZombie && (fields[0] === 'Z' || fields[0] === 'X')) return undefined;
  return {
    pid,
    ppid: Number(fields[1]),
    pgid: Number(fields[2]),
    sid: Number(fields[3]),
    startToken: `${linuxBootId()}:${fields[19]}`,
  };
}

function psEntries(pids?: number[]): ProcessEntry[] {
  const args = ['-o', 'pid=,ppid=,pgid=,sess=,lstart='];
  if (pids) args.push('-p', pids.join(','));
  else args.push('-A');
  let out = '';
  try {
    out = execFileSync('ps', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch (error) {
    out = String((error as { stdout?: string }).stdout ?? '');
  }
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((parts) => parts.length >= 5)
    .map(([pid, ppid, pgid, sid, ...start]) => ({
      pid: Number(pid),
      ppid: Number(ppid),
      pgid: Number(pgid),
      sid: Number(sid),
      startToken: start.join(' '),
    }));
}

export function processEntry(pid: number): ProcessEntry | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return isLinux ? readLinuxEntry(pid) : psEntries([pid])[0];
}

export function allProcesses(): ProcessEntry[] {
  if (!isLinux) return psEntries();
  const entries: ProcessEntry[] = [];
  for (const name of fs.readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const entry = readLinuxEntry(pid);
    if (entry) entries.push(entry);
  }
  return entries;
}

/**
 * Processes of this user whose environment, as they were started, holds `name=value`: an agent's
 * daemons inherit its run's marker even after leaving its session and parentage. Linux only (other
 * systems do not show another process's environment cheaply); elsewhere none.
 */
export function processesMarked(name: string, value: string, among?: readonly ProcessEntry[]): ProcessEntry[] {
  if (!isLinux) return [];
  const needle = Buffer.from(`${name}=${value}\0`);
  const first = Buffer.from(`${name}=${value}`);
  const found: ProcessEntry[] = [];
  for (const entry of among ?? allProcesses()) {
    if (entry.pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = fs.readFileSync(`/proc/${entry.pid}/environ`);
    } catch {
      continue; // Another user's process, or gone.
    }
    const at = environ.indexOf(needle);
    const whole = at === 0 || (at > 0 && environ[at - 1] === 0) || (environ.length === first.length && environ.equals(first));
    if (whole) found.push(entry);
  }
  return found;
}

/** The start-time token of `pid`, also for a child that has exited but is not yet reaped (right after a fast spawn). */
export function startTokenOf(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return (isLinux ? readLinuxEntry(pid, true) : psEntries([pid])[0])?.startToken;
}

/** True only when `pid` is alive AND is the same process that was recorded (same start time). */
export function isSameProcessAlive(identity: { pid: number; startToken: string } | undefined): boolean {
  if (!identity) return false;
  return processEntry(identity.pid)?.startToken === identity.startToken;
}
