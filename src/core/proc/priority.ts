/**
 * Agents run behind the person at the keyboard. Each agent has its own session, and Linux schedules
 * each session as one group with the same weight as, say, the whole browser or editor: a hundred busy
 * agents left the workbench waiting for a CPU most of the time it wanted one (its main thread queued
 * longer than it ran), so the editor lagged however little it drew. At the lowest priority an agent
 * still gets every cycle nobody else wants, and gives way at once when the editor needs one.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';


/**
 * Lowers a freshly started agent's priority to `niceness` (config agentNiceness, by default 19, the lowest): its own niceness (inherited by what it starts) and, on
 * Linux, its session's scheduling group (which is what counts where session groups are on). Best
 * effort: a platform or a sandbox that refuses leaves the agent at normal priority.
 */
export function runInBackground(pid: number, niceness = 19): void {
  if (niceness <= 0) return;
  try {
    os.setPriority(pid, niceness);
  } catch {
    // Not permitted or not supported: normal priority.
  }
  if (process.platform !== 'linux') return;
  try {
    fs.writeFileSync(`/proc/${pid}/autogroup`, String(niceness));
  } catch {
    // No session groups (a kernel without them, or a container that hides them).
  }
}

/**
 * Where `nice` is, to start an agent already at its priority: set after the start, the processes the
 * agent forks in its first moments would keep normal priority. Undefined where there is none (or
 * niceness 0): the agent is then lowered right after it starts.
 */
export function niceLauncher(niceness: number | undefined, exists: (file: string) => boolean = fs.existsSync): string | undefined {
  if (niceness === undefined || niceness <= 0 || process.platform === 'win32') return undefined;
  return ['/usr/bin/nice', '/bin/nice'].find(exists);
}
