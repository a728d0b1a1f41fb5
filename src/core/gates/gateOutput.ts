/**
 * Where a gate's output goes: the whole of it, stdout and stderr as they come, into its log file
 * (owner-only, in an owner-only folder), and the end of each stream kept for its result as a
 * terminal shows it (colours and other escape sequences left out), secrets redacted.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { redactText } from '../redact';
import { plainText } from '../terminalText';

/** How much of the end of each stream a result keeps. */
export const TAIL_BYTES = 4096;
/** Kept before the tail so that a secret across its start is still whole when it is redacted. */
const REDACT_MARGIN = 512;

/** The last bytes of a stream. */
export class Tail {
  private kept = Buffer.alloc(0);

  push(chunk: Buffer): void {
    const limit = TAIL_BYTES + REDACT_MARGIN;
    this.kept = Buffer.concat([this.kept, chunk.length > limit ? chunk.subarray(-limit) : chunk]);
    if (this.kept.length > limit) this.kept = this.kept.subarray(-limit);
  }

  /** The tail as text without escape sequences, secrets redacted, at most TAIL_BYTES characters (never starting inside a character). */
  text(secrets: readonly string[]): string {
    let start = 0;
    while (start < this.kept.length && start < 4 && (this.kept[start]! & 0xc0) === 0x80) start++;
    return redactText(plainText(this.kept.subarray(start).toString('utf8')), secrets).slice(-TAIL_BYTES);
  }
}

/** The log file of one gate run, written as output arrives; a write that fails (a full disk) does not stop the gate. */
export class GateLog {
  private fd: number | undefined;
  /** Why the log could not be opened or written, if it could not. */
  problem: string | undefined;

  constructor(readonly file: string) {
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
      this.fd = fs.openSync(file, 'w', 0o600);
      fs.fchmodSync(this.fd, 0o600);
    } catch (error) {
      this.problem = (error as Error).message;
    }
  }

  write(chunk: Buffer): void {
    if (this.fd === undefined) return;
    try {
      fs.writeSync(this.fd, chunk);
    } catch (error) {
      this.problem = (error as Error).message;
      this.close();
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fs.closeSync(fd);
    } catch {
      // Already gone: nothing more to write anyway.
    }
  }
}

/** A file name for one run of a gate: its name made safe, and the time. */
export function gateLogName(gate: string, now = Date.now()): string {
  const safe = gate.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'gate';
  return `${safe}-${new Date(now).toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.log`;
}

/** Removes all but the newest `keep` logs of a folder of gate logs (the names sort by time within a gate). */
export function pruneLogs(dir: string, keep: number): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.log'));
  } catch {
    return;
  }
  const byAge = names.map((name) => ({ name, mtime: fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 })).sort((a, b) => b.mtime - a.mtime);
  for (const old of byAge.slice(keep)) fs.rmSync(path.join(dir, old.name), { force: true });
}
