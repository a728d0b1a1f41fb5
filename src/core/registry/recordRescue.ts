/**
 * A run's record was found corrupt (truncated, garbage). If the run still lives it must stay
 * controllable: its supervisor, when it answers, writes the record again from what it holds; when
 * no supervisor answers but processes carrying the run's mark live, a record is rebuilt from them
 * (pid and start time, command line, folder, and what can be read of the corrupt file) so that the
 * run is listed, followed until its agent ends, and can be killed by id (or its name, when salvaged).
 * A finished run's record is written again as it was last read (restoreFinished). Only a run with
 * none of these is settled as orphaned by the caller.
 */
import * as fs from 'node:fs';
import type { Logger } from '../logger';
import { processesMarked, type ProcessEntry } from '../proc/processTable';
import { redactArgs } from '../redact';
import { writeRecord } from '../runs/recordFile';
import { RUN_ID_ENV } from '../runs/runMarker';
import type { RunRecord } from '../runs/types';
import type { RunPaths } from '../state/stateMap';
import { ControlClient } from './controlClient';

const CONNECT_TIMEOUT_MS = 1000;
const REWRITE_TIMEOUT_MS = 3000;

/** Returns the live run's record (written back to disk), or undefined when nothing of the run lives. */
export async function rescueRecord(id: string, paths: RunPaths, setAsideAs: string | undefined, log: Logger): Promise<RunRecord | undefined> {
  const fromSupervisor = await askSupervisor(paths.controlSocket);
  if (fromSupervisor) {
    log.warn(`the record of ${id} was corrupt; its supervisor wrote it again`);
    return fromSupervisor;
  }
  const marked = processesMarked(RUN_ID_ENV, id);
  if (marked.length === 0) return undefined;
  const record = rebuild(id, paths, leaderOf(marked), setAsideAs);
  writeRecord(paths, record);
  log.warn(`the record of ${id} was corrupt and no supervisor answered; it was rebuilt from its agent (pid ${record.agent?.pid})`);
  return record;
}

/** A finished run's record found corrupt, written again as it was last read (nothing of it is lost). */
export function restoreFinished(paths: RunPaths, record: RunRecord, log: Logger): RunRecord {
  writeRecord(paths, record);
  log.warn(`the record of ${record.id} (${record.name}) was corrupt; it was written again as it was last read`);
  return record;
}

async function askSupervisor(socketPath: string): Promise<RunRecord | undefined> {
  let client: ControlClient | undefined;
  try {
    client = await ControlClient.connect(socketPath, CONNECT_TIMEOUT_MS);
    return await client.request<RunRecord>({ op: 'rewrite' }, REWRITE_TIMEOUT_MS);
  } catch {
    return undefined; // No socket, nobody listening, or a supervisor that does not answer.
  } finally {
    client?.close();
  }
}

/** The marked process whose parent is not marked: the agent (or what is left at the top of its tree). */
export function leaderOf(marked: ProcessEntry[]): ProcessEntry {
  const pids = new Set(marked.map((p) => p.pid));
  const tops = marked.filter((p) => !pids.has(p.ppid));
  return (tops.length > 0 ? tops : marked).reduce((a, b) => (a.pid <= b.pid ? a : b));
}

/** String fields still readable in what is left of the corrupt file. */
function salvage(setAsideAs: string | undefined): Partial<Record<'name' | 'runner' | 'cwd', string>> {
  let text = '';
  try {
    if (setAsideAs) text = fs.readFileSync(setAsideAs, 'utf8').slice(0, 64 * 1024);
  } catch {
    return {};
  }
  const field = (key: string) => new RegExp(`"${key}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){1,512})"`).exec(text)?.[1];
  const parse = (value: string | undefined) => {
    try {
      return value === undefined ? undefined : (JSON.parse(`"${value}"`) as string);
    } catch {
      return undefined;
    }
  };
  return { name: parse(field('name')), runner: parse(field('runner')), cwd: parse(field('cwd')) };
}

function rebuild(id: string, paths: RunPaths, agent: ProcessEntry, setAsideAs: string | undefined): RunRecord {
  const salvaged = salvage(setAsideAs);
  const read = (file: string, how: (f: string) => string): string | undefined => {
    try {
      return how(file);
    } catch {
      return undefined;
    }
  };
  const commandLine = read(`/proc/${agent.pid}/cmdline`, (f) => fs.readFileSync(f, 'utf8'))?.split('\0').filter(Boolean) ?? [];
  const cwd = salvaged.cwd ?? read(`/proc/${agent.pid}/cwd`, (f) => fs.readlinkSync(f)) ?? '';
  const outputBytes = read(paths.output, (f) => String(fs.statSync(f).size));
  const createdAt = Number(read(paths.dir, (f) => String(fs.statSync(f).birthtimeMs || fs.statSync(f).mtimeMs)) ?? Date.now());
  return {
    version: 1,
    id,
    name: salvaged.name ?? `unknown-${id.slice(0, 4)}`,
    runner: salvaged.runner ?? 'custom',
    commandLine: redactArgs(commandLine),
    cwd,
    prompt: '',
    status: 'running',
    createdAt,
    startedAt: createdAt,
    usage: { inputTokens: 0, outputTokens: 0 },
    links: {},
    agent: { pid: agent.pid, startToken: agent.startToken },
    lastError: `its record was corrupt${setAsideAs ? ` (set aside as ${setAsideAs})` : ''} and was rebuilt from its processes; its supervisor is gone, so its exit will not be recorded`,
    outputBytes: Number(outputBytes ?? 0),
    eventCount: 0,
  };
}
