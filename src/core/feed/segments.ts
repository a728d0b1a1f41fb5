/**
 * The journal's files: `feed/journal.jsonl` is written, older parts are sealed as
 * `feed/journal-<first seq>.jsonl`. Reading lines from a file: complete lines only (a line still
 * being written waits), a torn line (a writer killed mid-line) skipped and counted.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StateMap } from '../state/stateMap';
import type { FeedEvent } from './feedEvent';

const SEALED = /^journal-(\d{12})\.jsonl$/;

export interface Segment {
  file: string;
  /** The first seq it may hold. */
  first: number;
}

/** The sealed parts, oldest first (the active journal is not among them). */
export function sealedSegments(state: StateMap): Segment[] {
  let names: string[];
  try {
    names = fs.readdirSync(state.feed);
  } catch {
    return [];
  }
  return names
    .flatMap((name) => {
      const match = SEALED.exec(name);
      return match ? [{ file: path.join(state.feed, name), first: Number(match[1]) }] : [];
    })
    .sort((a, b) => a.first - b.first);
}

export interface ParsedLines {
  events: FeedEvent[];
  /** Bytes consumed: up to the end of the last complete line. */
  consumed: number;
  /** Lines that were not a feed event (torn by a writer that died, or damaged). */
  torn: number;
}

const isEvent = (v: unknown): v is FeedEvent => typeof (v as FeedEvent | null)?.seq === 'number' && typeof (v as FeedEvent).type === 'string';

/** Complete lines of `buffer`; what follows the last newline is left for later. */
export function parseLines(buffer: Buffer): ParsedLines {
  const last = buffer.lastIndexOf(0x0a);
  if (last < 0) return { events: [], consumed: 0, torn: 0 };
  const events: FeedEvent[] = [];
  let torn = 0;
  for (const line of buffer.toString('utf8', 0, last).split('\n')) {
    if (!line) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isEvent(value)) events.push(value);
      else torn++;
    } catch {
      torn++;
    }
  }
  return { events, consumed: last + 1, torn };
}

/** Reads `fd` from `offset` to its end (in pieces: a file can be large). */
export function readFrom(fd: number, offset: number): Buffer {
  const size = fs.fstatSync(fd).size;
  if (size <= offset) return Buffer.alloc(0);
  const buffer = Buffer.alloc(size - offset);
  let done = 0;
  while (done < buffer.length) {
    const n = fs.readSync(fd, buffer, done, buffer.length - done, offset + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

/** Every event of a whole file (sealed parts are complete; a trailing torn piece counts as torn). */
export function readSegmentFile(file: string): { events: FeedEvent[]; torn: number } {
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { events: [], torn: 0 };
    throw error;
  }
  const parsed = parseLines(buffer);
  return { events: parsed.events, torn: parsed.torn + (parsed.consumed < buffer.length ? 1 : 0) };
}

/** The last event in a file, reading back from its end; undefined when it has none. */
export function lastEventOf(fd: number): FeedEvent | undefined {
  const size = fs.fstatSync(fd).size;
  for (let span = 64 * 1024; ; span *= 4) {
    const start = Math.max(0, size - span);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const lines = buffer.toString('utf8').split('\n');
    if (start > 0) lines.shift(); // it may begin mid-line
    for (let i = lines.length - 1; i >= 0; i--) {
      try {
        const value: unknown = JSON.parse(lines[i]!);
        if (isEvent(value)) return value;
      } catch {
        // torn or partial: look further back
      }
    }
    if (start === 0) return undefined;
  }
}

/** The first event in a file. */
export function firstEventOf(fd: number): FeedEvent | undefined {
  const buffer = Buffer.alloc(64 * 1024);
  const n = fs.readSync(fd, buffer, 0, buffer.length, 0);
  for (const line of buffer.toString('utf8', 0, n).split('\n')) {
    try {
      const value: unknown = JSON.parse(line);
      if (isEvent(value)) return value;
    } catch {
      // torn: the next line
    }
  }
  return undefined;
}
