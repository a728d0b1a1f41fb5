/** Makes sure the state directory exists, is private to the user, and can be written. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';

export function ensureStateDir(root: string): void {
  try {
    fs.mkdirSync(path.join(root, 'runs'), { recursive: true, mode: 0o700 });
    const probe = path.join(root, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SwitchboardError(
      'state_unwritable',
      `The state directory ${root} cannot be written (${reason}).`,
      'Fix its permissions, free some disk space, or point SWITCHBOARD_HOME (or the switchboard.stateDirectory setting) at a writable folder.',
    );
  }
}
