/** A `switchboard` command left to a background process of its own (detached, its output in a log file or dropped), e.g. `goal resume <id>`. */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** Starts `switchboard <args…>` in the background and returns its pid (undefined: it could not start); its output goes to `log` (appended), or nowhere. */
export function inBackground(args: string[], log?: string): number | undefined {
  const fd = log === undefined ? undefined : fs.openSync(log, 'a', 0o600);
  try {
    const child = spawn(process.execPath, [process.argv[1]!, ...args], { detached: true, stdio: fd === undefined ? 'ignore' : ['ignore', fd, fd], env: process.env });
    // A start that fails later (no processes or descriptors left) must not end this process: its pid stays unknown.
    child.once('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
