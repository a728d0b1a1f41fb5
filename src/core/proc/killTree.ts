/**
 * Signals a whole agent process tree: the agent, every descendant, and every process still in the
 * agent's session (tool children re-parented to init after their CLI died keep the session id).
 * With a run's marker (the environment variable every agent of the run inherits), also processes
 * that left both the session and the parentage (daemons) and their descendants.
 * Each pid's start time is checked right before it is signalled, so a reused pid is never hit.
 */
import { allProcesses, processEntry, processesMarked, type ProcessEntry } from './processTable';
import type { ProcessIdentity } from '../runs/types';

/** `name=value` in the environment of every process a run started (see RUN_ID_ENV). */
export interface RunMarker {
  name: string;
  value: string;
}

export function treeMembers(agent: ProcessIdentity, marker?: RunMarker): ProcessEntry[] {
  const all = allProcesses();
  const leader = all.find((p) => p.pid === agent.pid);
  const leaderIsOurs = leader?.startToken === agent.startToken;
  const members = new Map<number, ProcessEntry>();
  for (const p of marker ? processesMarked(marker.name, marker.value, all) : []) members.set(p.pid, p);
  // A pid that is someone else's now cannot still be the session id of our old children:
  // the kernel does not reuse a pid while a session or group still carries it.
  if (leader && leaderIsOurs) members.set(leader.pid, leader);
  if (!leader || leaderIsOurs) for (const p of all) if (p.sid === agent.pid || p.pgid === agent.pid) members.set(p.pid, p);
  const byParent = new Map<number, ProcessEntry[]>();
  for (const p of all) byParent.set(p.ppid, [...(byParent.get(p.ppid) ?? []), p]);
  const stack = [...members.keys()];
  while (stack.length > 0) {
    for (const child of byParent.get(stack.pop()!) ?? []) {
      if (!members.has(child.pid)) {
        members.set(child.pid, child);
        stack.push(child.pid);
      }
    }
  }
  return [...members.values()];
}

/** Sends `signal` to each member still alive with the same start time; returns how many were signalled. */
export function signalMembers(members: ProcessEntry[], signal: NodeJS.Signals): number {
  let sent = 0;
  for (const member of members) {
    if (processEntry(member.pid)?.startToken !== member.startToken) continue;
    try {
      process.kill(member.pid, signal);
      sent++;
    } catch {
      // Gone between the check and the signal: nothing to do.
    }
  }
  return sent;
}

export function aliveMembers(members: ProcessEntry[]): ProcessEntry[] {
  return members.filter((m) => processEntry(m.pid)?.startToken === m.startToken);
}

/**
 * Graceful-then-forceful: `signal` to the tree, wait up to `graceMs` for it to empty,
 * then SIGKILL whatever is left (including members that appeared meanwhile).
 */
export async function killTree(
  agent: ProcessIdentity,
  options: {
    signal?: NodeJS.Signals;
    graceMs: number;
    pollMs?: number;
    /** Members seen earlier (a snapshot taken while the parents were alive): children that left the session are still found. */
    known?: ProcessEntry[];
    /** The run's marker: processes carrying it are members wherever they went. */
    marker?: RunMarker;
  },
): Promise<{ signalled: number; forced: number }> {
  const current = treeMembers(agent, options.marker);
  const currentPids = new Set(current.map((m) => m.pid));
  const initial = [...current, ...aliveMembers(options.known ?? []).filter((m) => !currentPids.has(m.pid))];
  const signalled = options.graceMs > 0 ? signalMembers(initial, options.signal ?? 'SIGTERM') : 0;
  const deadline = Date.now() + options.graceMs;
  let remaining = aliveMembers(initial);
  while (remaining.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, options.pollMs ?? 50));
    remaining = aliveMembers(remaining);
  }
  const seen = new Set(initial.map((m) => m.pid));
  const late = treeMembers(agent, options.marker).filter((m) => !seen.has(m.pid));
  const doomed = [...remaining, ...late];
  const forced = signalMembers(doomed, 'SIGKILL');
  // SIGKILL is delivered asynchronously: return once the tree is really gone (or after a short while).
  const killDeadline = Date.now() + 2000;
  while (aliveMembers(doomed).length > 0 && Date.now() < killDeadline) await new Promise((r) => setTimeout(r, options.pollMs ?? 20));
  return { signalled, forced };
}
