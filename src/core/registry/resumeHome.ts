/**
 * A containerised run that resumes a session starts in a copy of the home of the container run that
 * last had that session (found by its session id in the state folder): the agent CLI keeps its
 * session files in its home, and each run has a home of its own (`<run>/home`), so without the copy
 * `--resume` would find nothing. A copy, not a mount: each run keeps its own home, and the earlier
 * one is left as it was.
 */
import * as fs from 'node:fs';
import { runsOfSession } from './sessionBaseline';

/** The home of the newest container run of the session (other than `runId`), if it kept one. */
export function sessionHome(stateDir: string, runner: string, sessionId: string, runId: string): string | undefined {
  let newest: { home: string; at: number } | undefined;
  for (const { run, record } of runsOfSession(stateDir, runner, sessionId, runId)) {
    if (!record.container) continue;
    const home = run.home;
    const at = record.createdAt ?? 0;
    if (fs.existsSync(home) && (!newest || at > newest.at)) newest = { home, at };
  }
  return newest?.home;
}

/** Fills `home` (already made) with a copy of the session's earlier home; says where it came from, or undefined when there was none. */
export function seedResumedHome(stateDir: string, runner: string, sessionId: string, runId: string, home: string): string | undefined {
  const from = sessionHome(stateDir, runner, sessionId, runId);
  if (!from) return undefined;
  fs.cpSync(from, home, { recursive: true, force: true, preserveTimestamps: true, verbatimSymlinks: true });
  return from;
}
