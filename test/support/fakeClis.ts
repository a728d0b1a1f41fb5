/** Stand-ins for agent CLIs, for tests of what Switchboard does around a run (worktrees, comparisons, models), not of the CLIs themselves. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { tempDir } from './harness';

/**
 * An executable `name` that prints its arguments (so the command line can be checked), then runs
 * `body` (sh) in the run's folder, ignoring its stdin; it ends with the exit code of `body`.
 */
export function fakeCli(name: string, body: string): string {
  const bin = path.join(tempDir('sb-fake-cli-'), name);
  fs.writeFileSync(bin, `#!/bin/sh\necho "args: $*"\n${body}\n`, { mode: 0o755 });
  return bin;
}

/** A gate script for a repository: passes when answer.txt says "good". */
export const CHECK_SCRIPT = "import fs from 'node:fs';\nprocess.exit(fs.existsSync('answer.txt') && fs.readFileSync('answer.txt', 'utf8').trim() === 'good' ? 0 : 1);\n";
