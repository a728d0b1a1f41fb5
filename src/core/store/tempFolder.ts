/**
 * Where Switchboard puts temporary files and the sockets whose paths would be too long in the state
 * folder. A TMPDIR that names a folder which is gone (a cleaned-up session's, a typo) must not fail
 * runs: /tmp stands in for it.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

const SYSTEM_TMP = '/tmp';

/** The temp folder: TMPDIR (os.tmpdir()) when it is there, else /tmp. */
export function tempFolder(): string {
  const dir = os.tmpdir();
  return fs.existsSync(dir) || !fs.existsSync(SYSTEM_TMP) ? dir : SYSTEM_TMP;
}

/** The folder of sockets: /tmp when there is one (short, and the same for every process whatever its TMPDIR), else the temp folder. */
export function socketFolder(): string {
  return fs.existsSync(SYSTEM_TMP) ? SYSTEM_TMP : os.tmpdir();
}
