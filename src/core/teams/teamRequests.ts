/**
 * Asking the process that runs a team to do something to it (shut it down, add or cancel tasks)
 * from another process: a request file in `<state>/teams/<name>/requests/`, taken by the owner
 * (it looks twice a second) and answered with a reply file next to it.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { TaskSpec } from '../dag/task';
import { SwitchboardError, type ErrorCode } from '../errors';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { teamsDir } from './teamStore';

export type TeamRequest = { op: 'shutdown'; force: boolean } | { op: 'add'; tasks: TaskSpec[] } | { op: 'cancel'; taskId: string };
export type TeamReply = { ok: true; value: unknown } | { ok: false; code: ErrorCode; message: string; hint?: string };

const requestsDir = (stateDir: string, team: string): string => path.join(teamsDir(stateDir), team, 'requests');
const REQUEST = /^([a-f0-9]{16})\.request\.json$/;

export function sendRequest(stateDir: string, team: string, request: TeamRequest): string {
  const id = crypto.randomBytes(8).toString('hex');
  fs.mkdirSync(requestsDir(stateDir, team), { recursive: true, mode: 0o700 });
  writeJsonAtomic(path.join(requestsDir(stateDir, team), `${id}.request.json`), request, { durable: false });
  return id;
}

/** The requests waiting for the owner, oldest first; each is removed as it is taken. */
export function takeRequests(stateDir: string, team: string): { id: string; request: TeamRequest }[] {
  const dir = requestsDir(stateDir, team);
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => REQUEST.test(n));
  } catch {
    return [];
  }
  const taken = names
    .map((name) => ({ name, at: fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }))
    .sort((a, b) => a.at - b.at)
    .flatMap(({ name }) => {
      const file = path.join(dir, name);
      const read = readJsonFile<TeamRequest>(file, (v) => (typeof (v as TeamRequest)?.op === 'string' ? undefined : 'not a team request'));
      fs.rmSync(file, { force: true });
      return read.kind === 'ok' ? [{ id: REQUEST.exec(name)![1]!, request: read.value }] : [];
    });
  return taken;
}

export function answerRequest(stateDir: string, team: string, id: string, reply: TeamReply): void {
  writeJsonAtomic(path.join(requestsDir(stateDir, team), `${id}.reply.json`), reply, { durable: false });
}

/** The owner's answer; throws its error as a SwitchboardError, or `gone()`'s when the owner stops answering. */
export async function awaitReply<T>(stateDir: string, team: string, id: string, options: { timeoutMs: number; ownerAlive: () => boolean }): Promise<T> {
  const file = path.join(requestsDir(stateDir, team), `${id}.reply.json`);
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const read = readJsonFile<TeamReply>(file, (v) => (typeof (v as TeamReply)?.ok === 'boolean' ? undefined : 'not a reply'));
    if (read.kind === 'ok') {
      fs.rmSync(file, { force: true });
      if (read.value.ok) return read.value.value as T;
      throw new SwitchboardError(read.value.code, read.value.message, read.value.hint);
    }
    const alive = options.ownerAlive();
    if (!alive || Date.now() > deadline) {
      // One last look: the answer may have come as the team ended.
      if (!alive && fs.existsSync(file)) continue;
      fs.rmSync(path.join(requestsDir(stateDir, team), `${id}.request.json`), { force: true });
      if (alive) throw new SwitchboardError('internal', `The process running team ${team} did not answer within ${Math.round(options.timeoutMs / 1000)} s.`, 'Check it with `switchboard team status`, and try again.');
      throw new SwitchboardError('not_running', `Team ${team} is no longer run by the process that was asked (it ended, or its process exited or let it go).`, `See \`switchboard team status ${team}\`; \`switchboard team resume ${team}\` takes over a team left without a process.`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
