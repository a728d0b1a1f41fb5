/** Where the state folder is (SWITCHBOARD_HOME, else the platform's per-user state folder), and making it usable. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SwitchboardError } from '../errors';
import { StateMap } from './stateMap';
import { ensureReserve } from '../store/diskSpace';

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.SWITCHBOARD_HOME) return path.resolve(env.SWITCHBOARD_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Switchboard');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'Switchboard');
  return path.join(env.XDG_STATE_HOME ?? path.join(home, '.local', 'state'), 'switchboard');
}

/** Makes a folder of the state folder (and its parents), private to the user. */
export function ensureFolder(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

/**
 * A state folder made before (by hand, or by an older version) with group or other access is
 * tightened to the user alone when the user owns it: it holds prompts, outputs and a token.
 */
function makePrivate(root: string): void {
  const stat = fs.statSync(root);
  if ((stat.mode & 0o077) !== 0 && stat.uid === process.getuid?.()) fs.chmodSync(root, stat.mode & 0o700);
}

/** Makes sure the state folder exists, is private to the user, and can be written. */
export function ensureStateDir(root: string): void {
  try {
    ensureFolder(new StateMap(root).runs);
    makePrivate(root);
    const probe = path.join(root, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
    ensureReserve(new StateMap(root).diskReserve);
  } catch (error) {
    // Already said with what to do (a folder where a file belongs).
    if (error instanceof SwitchboardError) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new SwitchboardError(
      'state_unwritable',
      `The state directory ${root} cannot be written (${reason}).`,
      'Fix its permissions, free some disk space, or point SWITCHBOARD_HOME (or the switchboard.stateDirectory setting) at a writable folder.',
    );
  }
}
