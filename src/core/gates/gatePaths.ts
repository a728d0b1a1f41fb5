/**
 * Where one workspace's gates keep their state: `gates/<key>/` of the state folder, `<key>` a short
 * hash of the workspace's real path (the same folder through a symlink is the same workspace).
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { StateMap } from '../state/stateMap';

export function workspaceKey(workspace: string): string {
  let real: string;
  try {
    real = fs.realpathSync(workspace);
  } catch {
    real = path.resolve(workspace);
  }
  return crypto.createHash('sha256').update(real).digest('hex').slice(0, 16);
}

export interface GatePaths {
  key: string;
  /** The circuit breakers' file. */
  breakers: string;
  /** Held while a process changes that file. */
  lock: string;
  /** Full output of gate runs that belong to no goal (`switchboard gates run`). */
  logs: string;
}

export function gatePaths(stateDir: string, workspace: string): GatePaths {
  const key = workspaceKey(workspace);
  return { key, ...new StateMap(stateDir).gates(key) };
}
