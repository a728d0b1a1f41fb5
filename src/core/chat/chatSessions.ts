/**
 * Chat conversations that last: each conversation that starts work gets `sessions/<id>/` with its
 * meta (id, start time, workspace), its turns (`conversation.jsonl`, secrets redacted) and the work
 * it did (`engine-events.jsonl`: runs, teams and goals started, steers and kills sent), so a later
 * `/status` in the same conversation, after a window reload, knows which work was its own. Lines
 * are appended (a torn last line is skipped on reading); meta is written atomically.
 */
import * as fs from 'node:fs';
import { redactText } from '../redact';
import type { StateMap } from '../state/stateMap';
import { readJsonFile, writeJsonAtomic } from '../store/atomicFile';
import { datedId } from '../store/datedId';
import { readJsonLines } from '../store/jsonLines';

export interface SessionMeta {
  version: 1;
  id: string;
  startedAt: string;
  workspace?: string;
}

export interface SessionTurn {
  ts: string;
  role: 'user' | 'assistant';
  text: string;
}

/** What a conversation did: started a run, team or goal (by id), or steered or killed a run (`text`: the steer's message). */
export interface WorkDone {
  kind: 'run' | 'team' | 'goal' | 'steer' | 'kill';
  id: string;
  text?: string;
}

export type SessionWork = WorkDone & { ts: string };

/** The operations that start or send work, and the field of their answer that names it. */
const WORK_OPS: Record<string, { kind: WorkDone['kind']; key: string }> = {
  run_agent: { kind: 'run', key: 'id' },
  team_run: { kind: 'team', key: 'name' },
  goal_create: { kind: 'goal', key: 'goal_id' },
  steer_agent: { kind: 'steer', key: 'id' },
  kill_agent: { kind: 'kill', key: 'id' },
};

/** The work a successful call of `op` did (a run, team or goal started, a steer or kill sent), from its arguments and answer; undefined for other operations. */
export function workOfOp(op: string, args: Record<string, unknown>, structured: Record<string, unknown>): WorkDone | undefined {
  const work = WORK_OPS[op];
  const id = work && structured[work.key];
  if (!work || typeof id !== 'string') return undefined;
  return work.kind === 'steer' && typeof args.message === 'string' ? { kind: 'steer', id, text: args.message } : { kind: work.kind, id };
}

const ID = /^chat-\d{8}-[a-z0-9]{6}$/;

export const isSessionId = (id: unknown): id is string => typeof id === 'string' && ID.test(id);

export class ChatSessions {
  constructor(private readonly state: StateMap) {}

  /** A new conversation's folder, made now. */
  create(workspace: string | undefined, now = new Date()): SessionMeta {
    const id = datedId('chat', (x) => fs.existsSync(this.state.session(x).dir), now);
    const paths = this.state.session(id);
    fs.mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
    const meta: SessionMeta = { version: 1, id, startedAt: now.toISOString(), ...(workspace ? { workspace } : {}) };
    writeJsonAtomic(paths.meta, meta);
    return meta;
  }

  /** The conversation's meta, or undefined when there is no such session (or it is unreadable). */
  meta(id: string): SessionMeta | undefined {
    if (!isSessionId(id)) return undefined;
    const read = readJsonFile<SessionMeta>(this.state.session(id).meta, (v) => (isSessionId((v as SessionMeta | null)?.id) ? undefined : 'not a session meta'));
    return read.kind === 'ok' ? read.value : undefined;
  }

  turn(id: string, role: SessionTurn['role'], text: string, now = new Date()): void {
    this.append(this.state.session(id).conversation, { ts: now.toISOString(), role, text: redactText(text) } satisfies SessionTurn);
  }

  record(id: string, work: WorkDone, now = new Date()): void {
    this.append(this.state.session(id).events, { ts: now.toISOString(), ...work, ...(work.text === undefined ? {} : { text: redactText(work.text) }) } satisfies SessionWork);
  }

  turns(id: string): SessionTurn[] {
    return readJsonLines<SessionTurn>(this.state.session(id).conversation).items;
  }

  work(id: string): SessionWork[] {
    return readJsonLines<SessionWork>(this.state.session(id).events).items;
  }

  /** Every conversation, newest first. */
  list(): SessionMeta[] {
    let names: string[];
    try {
      names = fs.readdirSync(this.state.sessions);
    } catch {
      return [];
    }
    return names.flatMap((n) => this.meta(n) ?? []).sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  }

  private append(file: string, line: unknown): void {
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`, { mode: 0o600 });
  }
}
